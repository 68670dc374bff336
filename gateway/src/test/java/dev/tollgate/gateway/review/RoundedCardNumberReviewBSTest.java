package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review BS: the gateway reads a JSON number with a fraction exactly (StrictJsonParser/ExactNumbers: a BigDecimal), and
 * result rules read a number as its exact digits ({@code DocumentScan.digitsOf}: {@code 4111111111111110.9}), in which
 * the card detector finds no Luhn-valid number. Every JavaScript client reads the number as a double:
 * {@code JSON.parse} rounds {@code 4111111111111110.9} to {@code 4111111111111111}, the card the rule is there to stop,
 * which the TypeScript SDK client hands its caller (and a model) in {@code structuredContent}.
 */
class RoundedCardNumberReviewBSTest {

    private static final String CARD = "4111111111111111";

    @RegisterExtension
    final ScriptedMcpGateway rig = ScriptedMcpGateway.forEachTest("""
            name: p
            defaults: {action: allow}
            rules:
              - name: no-card-numbers
                condition: {all: [{direction: result}, {check: {name: pii, args: {kinds: [card]}}}]}
                action: deny
            """);

    @Test
    void aCardNumberAClientRoundsIntoBeingIsWithheld() throws Exception {
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
                case "tools/list" -> "{\"tools\":[{\"name\":\"customer\",\"inputSchema\":{\"type\":\"object\"}}]}";
                case "tools/call" -> "{\"content\":[{\"type\":\"text\",\"text\":\"Customer Ada Lovelace\"}],"
                        + "\"structuredContent\":{\"name\":\"Ada Lovelace\",\"card\":4111111111111110.9}}";
                default -> "{}";
            };
            r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });

        NodePeers.Result run = NodePeers.run(60, "review-bs-structured-client.mjs", "http://127.0.0.1:" + rig.gateway().port() + "/mcp", "customer");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("what the TypeScript client handed its caller").doesNotContain(CARD).contains("withheld by policy");
    }
}
