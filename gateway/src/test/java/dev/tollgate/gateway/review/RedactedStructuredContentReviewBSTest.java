package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review BS: a redact rule's finding in a JSON number is replaced by a string ({@code DocumentScan.redact}: "redacting
 * one turns it into a string holding the marker"). In a tool's {@code structuredContent} that number is typed by the
 * tool's {@code outputSchema}, which the TypeScript SDK client validates every result against (it caches the
 * validators from tools/list): the redacted result no longer matches, and the client throws "Structured content does
 * not match the tool's output schema" instead of handing over the result. A redact rule meant to relay the rest of the
 * answer makes the tool unusable; the client should get a result it can read (or the policy's own error).
 */
class RedactedStructuredContentReviewBSTest {

    private static final String CARD = "4111111111111111";

    @RegisterExtension
    final ScriptedMcpGateway rig = ScriptedMcpGateway.forEachTest("""
            name: p
            defaults: {action: allow}
            rules:
              - name: no-card-numbers
                condition: {all: [{direction: result}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: redact
            """);

    @Test
    void aRedactedStructuredResultIsStillOneTheTypeScriptClientReads() throws Exception {
        ObjectMapper json = new ObjectMapper();
        rig.upstream().answer(r -> {
            if (!"POST".equals(r.method().name())) {
                r.response().setStatusCode(405).end();
                return;
            }
            JsonNode message;
            try {
                message = json.readTree(rig.upstream().received().get(rig.upstream().received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                r.response().setStatusCode(400).end();
                return;
            }
            if (!message.has("id") || !message.has("method")) {
                r.response().setStatusCode(202).end();
                return;
            }
            String id = message.get("id").toString();
            String result = switch (message.get("method").asText()) {
                case "initialize" -> "{\"protocolVersion\":\"" + message.path("params").path("protocolVersion").asText()
                        + "\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}";
                case "tools/list" -> "{\"tools\":[{\"name\":\"customer\",\"inputSchema\":{\"type\":\"object\"},\"outputSchema\":"
                        + "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"card\":{\"type\":\"number\"}},"
                        + "\"required\":[\"name\",\"card\"]}}]}";
                case "tools/call" -> "{\"content\":[{\"type\":\"text\",\"text\":\"Customer Ada Lovelace\"}],"
                        + "\"structuredContent\":{\"name\":\"Ada Lovelace\",\"card\":" + CARD + "}}";
                default -> "{}";
            };
            r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });

        NodePeers.Result run = NodePeers.run(60, "review-bs-structured-client.mjs", "http://127.0.0.1:" + rig.gateway().port() + "/mcp", "customer");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("what the TypeScript client handed its caller").doesNotContain(CARD)
                .doesNotContain("does not match the tool's output schema").containsAnyOf("Ada Lovelace", "withheld by policy");
    }
}
