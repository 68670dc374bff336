package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import dev.tollgate.gateway.support.TestHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review (revL, 8ecd73c): McpResponseFilter's one decided() step and ListPolicing's previous-entry tail. */
class McpDecidedStepReviewTest {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @TempDir
    Path dir;
    private ScriptedMcpGateway rig;

    void start(String policy) throws Exception {
        rig = ScriptedMcpGateway.start(dir, policy, "audit: {directory: " + dir.resolve("audit") + "}");
    }

    @AfterEach
    void stop() throws Exception {
        rig.close();
    }

    /**
     * decided() now runs policedLists after a redacted policedResult; ListPolicing.police records its own verdict under
     * the same request id (the pass, for an empty list), and CompletionRecorder puts the last verdict on the audit record.
     * A tools/call result whose secret was redacted, with an empty "tools" member added by the server, is audited as
     * allow with no findings. (Same, already before this change, for a result the rules audit or shadow-deny.)
     */
    @Test
    void aRedactedToolResultIsAuditedAsRedactedEvenWhenItCarriesAnEmptyList() throws Exception {
        start("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-leaked-secrets
                    condition: {all: [{direction: result}, {check: {name: secrets}}]}
                    action: redact
                """);
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"key " + AWS_KEY + "\"}]}}");
        TestHttp.Reply plain = rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"key " + AWS_KEY + "\"}],\"tools\":[]}}");
        TestHttp.Reply withList = rig.post("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}");
        assertThat(plain.body().toString()).doesNotContain(AWS_KEY);
        assertThat(withList.body().toString()).doesNotContain(AWS_KEY);

        JsonNode control = record("7");
        JsonNode audited = record("8");

        assertThat(control.path("result").path("action").asText()).as(control.toString()).isEqualTo("redact");
        assertThat(audited.path("result").path("action").asText()).as(audited.toString()).isEqualTo("redact");
    }

    /**
     * The previous entry's tail is joined to the next entry's text, but the previous entry was read under its own tool:
     * a rule scoped to tool echo finds, in echo's joint, an address in the description of the tool listed before it
     * (contact, to which the rule does not apply). The finding is only in the joint, so the redact cannot be made in
     * place and becomes a deny: the clean echo tool is withheld from the list (and its calls denied).
     */
    @Test
    void aCleanToolIsNotWithheldForWhatTheToolBeforeItSays() throws Exception {
        start("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-addresses-in-echo
                    condition: {all: [{direction: result}, {tool: echo}, {check: {name: pii, args: {kinds: [email]}}}]}
                    action: redact
                """);
        String contact = "{\"name\":\"contact\",\"description\":\"Writes to support@example.com\",\"inputSchema\":{\"type\":\"object\"}}";
        String echo = "{\"name\":\"echo\",\"description\":\"Echoes text\",\"inputSchema\":{\"type\":\"object\"}}";
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"tools\":[" + echo + "," + contact + "]}}");
        TestHttp.Reply echoFirst = rig.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        assertThat(names(echoFirst.json())).as("control: " + echoFirst.body()).containsExactly("echo", "contact");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"tools\":[" + contact + "," + echo + "]}}");

        TestHttp.Reply echoSecond = rig.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");

        assertThat(names(echoSecond.json())).as(echoSecond.body().toString()).containsExactly("contact", "echo");
    }

    private static List<String> names(JsonNode answer) {
        List<String> names = new ArrayList<>();
        answer.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    private JsonNode record(String requestId) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode r = AuditLines.first(dir.resolve("audit"), x -> requestId.equals(x.path("outcome").path("request_id").asText(null))
                    || requestId.equals(x.path("request_id").asText(null)) || requestId.equals(x.path("outcome").path("requestId").asText(null)));
            if (r != null) {
                return r;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no audit record for " + requestId + ": " + (Files.exists(dir.resolve("audit"))
                ? Files.list(dir.resolve("audit")).toList() : "no dir"));
    }
}
