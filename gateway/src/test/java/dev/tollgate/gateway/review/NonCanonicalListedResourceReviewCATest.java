package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.ScriptedMcpGateway;
import dev.tollgate.gateway.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review CA of "prompts/list and resources/list leave out what the caller may never get or read": a listed resource is
 * probed with its URI as written, but a resources/read of a URI a server reads as another text is refused
 * (non_canonical_uri) and the URI it stands for is denied. An upstream listing the denied file:///secret.txt as
 * FILE:///secret.txt, file:///public/../secret.txt or file:///%73ecret.txt has it listed with its description, though
 * the caller can read it under no spelling: what the list filter says it leaves out (the URI and description of a
 * resource the caller may never read) reaches the model.
 */
class NonCanonicalListedResourceReviewCATest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-secret-file
                condition: {resource: "file:///secret.txt"}
                action: deny
            """;

    @RegisterExtension
    final ScriptedMcpGateway rig = ScriptedMcpGateway.forEachTest(POLICY);

    @Test
    void aDeniedResourceListedUnderAnotherSpellingIsLeftOut() throws Exception {
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"resources\":["
                + "{\"uri\":\"file:///secret.txt\",\"name\":\"canonical\",\"description\":\"CANONICAL-SECRET\"},"
                + "{\"uri\":\"FILE:///secret.txt\",\"name\":\"upper\",\"description\":\"UPPER-SECRET\"},"
                + "{\"uri\":\"file:///public/../secret.txt\",\"name\":\"dots\",\"description\":\"DOTS-SECRET\"},"
                + "{\"uri\":\"file:///%73ecret.txt\",\"name\":\"escaped\",\"description\":\"ESCAPED-SECRET\"},"
                + "{\"uri\":\"file:///public.txt\",\"name\":\"public\",\"description\":\"PUBLIC\"}]}}");

        TestHttp.Reply list = rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/list\",\"params\":{}}");
        String body = list.body().toString();

        assertThat(body).as(body).contains("PUBLIC").doesNotContain("CANONICAL-SECRET");
        // A read of each of these spellings is refused (non_canonical_uri); the resource they name is denied.
        TestHttp.Reply read = rig.post("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\",\"params\":{\"uri\":\"FILE:///secret.txt\"}}");
        assertThat(read.body().toString()).as("the read side").contains("non_canonical_uri");
        assertThat(body).as(body).doesNotContain("UPPER-SECRET").doesNotContain("DOTS-SECRET").doesNotContain("ESCAPED-SECRET");
    }
}
