package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /explain} answers every body: a description it cannot read gets a 400 with the reason, one it reads an
 * explanation, and anything the gateway did not foresee a 500; a request is never left unanswered.
 */
class AdminExplainMalformedInputTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-shell
                condition: {tool: "shell_*"}
                action: deny
              - name: big-amounts
                condition: {arg: {path: /amount, gt: 1000}}
                action: deny
              - name: acme-only
                condition: {all: [{claim: {name: tier, eq: gold}}, {arg: {path: /to/0, matches: "^DE"}}]}
                action: approve
                approval: {timeout: 1m}
              - name: tenants
                condition: {any: [{spiffe_id: "spiffe://acme/*"}, {capability: admin}, {time: {after: "09:00", before: "17:00"}}]}
                action: allow
            """;

    private static final List<String> BODIES = List.of(
            "", "null", "[]", "1", "\"x\"", "{}", "{\"policy\":{}}", "{\"policy\":null}", "{\"route\":5}", "{\"route\":[]}",
            "{\"policy\":\"p\",\"call\":[]}", "{\"policy\":\"p\",\"call\":5}", "{\"policy\":\"p\",\"call\":null}",
            "{\"policy\":\"p\",\"call\":{\"arguments\":5}}", "{\"policy\":\"p\",\"call\":{\"arguments\":[1,2]}}",
            "{\"policy\":\"p\",\"call\":{\"arguments\":\"x\"}}", "{\"policy\":\"p\",\"call\":{\"arguments\":null}}",
            "{\"policy\":\"p\",\"call\":{\"tool\":5,\"arguments\":{\"amount\":\"x\",\"to\":{}}}}",
            "{\"policy\":\"p\",\"call\":{\"tool\":{},\"arguments\":{\"amount\":[1],\"to\":[5]}}}",
            "{\"policy\":\"p\",\"call\":{\"protocol\":\"a2a\",\"method\":5}}", "{\"policy\":\"p\",\"call\":{\"protocol\":\"grpc\"}}",
            "{\"policy\":\"p\",\"call\":{\"protocol\":\"a2a\",\"method\":\"message/send\",\"arguments\":{\"message\":5}}}",
            "{\"policy\":\"p\",\"call\":{\"direction\":\"sideways\"}}", "{\"policy\":\"p\",\"call\":{\"method\":\"\"}}",
            "{\"policy\":\"p\",\"identity\":[]}", "{\"policy\":\"p\",\"identity\":5}",
            "{\"policy\":\"p\",\"identity\":{\"claims\":[1]}}", "{\"policy\":\"p\",\"identity\":{\"claims\":{\"tier\":[\"gold\"]}}}",
            "{\"policy\":\"p\",\"identity\":{\"claims\":{\"tier\":{\"a\":1}}},\"call\":{\"arguments\":{\"to\":[\"DE1\"]}}}",
            "{\"policy\":\"p\",\"identity\":{\"capabilities\":{}}}", "{\"policy\":\"p\",\"identity\":{\"capabilities\":[[1],{}]}}",
            "{\"policy\":\"p\",\"identity\":{\"tenant\":{},\"agent\":[]}}",
            "{\"policy\":\"p\",\"time\":5}", "{\"policy\":\"p\",\"time\":\"yesterday\"}", "{\"policy\":\"p\",\"time\":{}}",
            "{\"policy\":\"p\",\"time\":\"+1000000000-01-01T00:00:00Z\"}");

    @Test
    void everyBodyIsAnsweredWithAnExplanationOrAReason() throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (RunningGateway gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:9/mcp", POLICY, null, null)) {
            List<String> unanswered = new ArrayList<>();
            for (String body : BODIES) {
                HttpResponse<String> reply;
                try {
                    reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminPort() + "/explain"))
                            .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.net.http.HttpTimeoutException e) {
                    unanswered.add(body);
                    continue;
                }
                assertThat(reply.statusCode()).as(body).isIn(200, 400, 500);
                assertThat(reply.headers().firstValue("Content-Type")).as(body).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
                if (reply.statusCode() != 200) {
                    assertThat(reply.body()).as(body).contains("\"error\"");
                }
            }
            assertThat(unanswered).as("bodies left unanswered").isEmpty();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
