package dev.tollgate.gateway.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.ScriptedMcpGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review (a134610, end to end): a tool result whose key is followed by a trademark sign. NFKC reads ™ as TM, which
 * joins the key ({@code AKIAIOSFODNN7EXAMPLETM}: no word boundary), and the second reading DocumentScan added for folded
 * look-alikes is neither made here nor free of NFKC: the secrets redact rule finds nothing and the key reaches the
 * client. See policy's CompatibilityMappingWordBoundaryReviewTest.
 */
class CompatibilityCharacterSecretReviewTest {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @RegisterExtension
    final ScriptedMcpGateway rig = ScriptedMcpGateway.forEachTest("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-leaked-secrets
                    condition: {all: [{direction: result}, {check: {name: secrets}}]}
                    action: redact
                """);

    @Test
    void aKeyFollowedByATrademarkSignIsRedacted() throws Exception {
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"use "
                + AWS_KEY + "\u2122 to sign in\"}]}}");

        String body = rig.post("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\",\"arguments\":{}}}")
                .body().toString();

        assertThat(body).contains("to sign in").doesNotContain(AWS_KEY);
    }
}
