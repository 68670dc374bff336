package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AT: a corpus of A2A SendMessage / message/send bodies, differential against the real @a2a-js/sdk 1.3.0 agent
 * (echo-agent.mjs, which echoes the text and data parts its executor is handed). Policy denies a message whose text
 * says LAUNCH and a first data part whose action is delete. Whatever form the body takes (1.0 and 0.3 shapes, null and
 * extra members, kinds, escapes, snake_case names, the version header), the agent must never be handed a denied
 * message through the gateway.
 */
class A2aPartReadingsCorpusReviewATTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: a2a
            defaults: {action: allow}
            rules:
              - name: no-launch
                condition: {all: [{protocol: a2a}, {arg: {path: /message/text, matches: "(?i)launch"}}]}
                action: deny
                message: No launching.
              - name: no-delete
                condition: {all: [{protocol: a2a}, {arg: {path: /message/parts/0/data/action, eq: delete}}]}
                action: deny
                message: No deleting.
            """;

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "1", "ECHO_DATA", "1"));
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("a2a.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(dir.resolve("policies"), agent.url("")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    record Case(String name, String version, String body) {
    }

    static String send10(String message) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":" + message + "}}";
    }

    static String send03(String message) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"configuration\":{\"blocking\":true},\"message\":" + message + "}}";
    }

    static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        List<String> parts10 = List.of(
                "{\"text\":\"LAUNCH\"}",
                "{\"text\":\"LAUNCH\",\"mediaType\":\"text/plain\"}",
                "{\"text\":\"LAUNCH\",\"media_type\":\"text/plain\"}",
                "{\"text\":\"LAUNCH\",\"kind\":\"text\"}",
                "{\"text\":\"LAUNCH\",\"kind\":null}",
                "{\"text\":\"LAUNCH\",\"raw\":null}",
                "{\"text\":\"LAUNCH\",\"url\":null,\"data\":null}",
                "{\"text\":\"LAUNCH\",\"metadata\":{\"data_part_compat\":true}}",
                "{\"text\":\"LAUNCH\",\"filename\":\"a.txt\"}",
                "{\"\\u0074ext\":\"\\u004cAUNCH\"}",
                "{\"text\":\"launch\"}",
                "{\"data\":{\"action\":\"delete\"}}",
                "{\"data\":{\"action\":\"delete\"},\"kind\":\"data\"}",
                "{\"text\":null,\"data\":{\"action\":\"delete\"}}",
                "{\"data\":{\"action\":\"\\u0064elete\"}}",
                "{\"data\":{\"value\":{\"action\":\"delete\"}},\"metadata\":{\"data_part_compat\":true}}");
        for (String part : parts10) {
            String message = "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[" + part + "]}";
            cases.add(new Case("1.0 part " + part, "1.0", send10(message)));
            cases.add(new Case("1.0 part, role 1 " + part, "1.0", send10(message.replace("\"ROLE_USER\"", "1"))));
            cases.add(new Case("1.0 part, snake ids " + part, "1.0",
                    send10("{\"message_id\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[" + part + "]}")));
            cases.add(new Case("1.0 part after a text " + part, "1.0",
                    send10("{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[" + part + ",{\"text\":\"ok\"}]}")));
            cases.add(new Case("1.0 message + metadata " + part, "1.0",
                    send10("{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"metadata\":{\"skill\":\"x\"},\"parts\":[" + part + "]}")));
            cases.add(new Case("1.0 part, version 1.0.0 " + part, "1.0.0", send10(message)));
        }
        List<String> parts03 = List.of(
                "{\"kind\":\"text\",\"text\":\"LAUNCH\"}",
                "{\"kind\":\"text\",\"text\":\"LAUNCH\",\"metadata\":{}}",
                "{\"kind\":\"text\",\"text\":\"LAUNCH\",\"file\":null}",
                "{\"kind\":\"text\",\"text\":\"LAUNCH\",\"data\":null}",
                "{\"kind\":\"\\u0074ext\",\"text\":\"LAUNCH\"}",
                "{\"kind\":\"data\",\"data\":{\"action\":\"delete\"}}",
                "{\"kind\":\"data\",\"data\":{\"action\":\"delete\"},\"metadata\":{\"data_part_compat\":false}}",
                "{\"kind\":\"data\",\"data\":{\"value\":{\"action\":\"delete\"}},\"metadata\":{\"data_part_compat\":true}}",
                "{\"kind\":\"data\",\"data\":{\"value\":{\"action\":\"delete\"},\"action\":\"keep\"},\"metadata\":{\"data_part_compat\":true}}",
                "{\"kind\":\"data\",\"data\":{\"value\":{\"action\":\"delete\"}},\"metadata\":{\"data_part_compat\":true,\"x\":1}}",
                "{\"kind\":\"data\",\"data\":{\"value\":{\"action\":\"delete\"}},\"metadata\":{\"__proto__\":{\"data_part_compat\":true}}}");
        for (String part : parts03) {
            String message = "{\"kind\":\"message\",\"messageId\":\"m1\",\"role\":\"user\",\"parts\":[" + part + "]}";
            cases.add(new Case("0.3 part " + part, null, send03(message)));
            cases.add(new Case("0.3 part, header 0.3 " + part, "0.3", send03(message)));
            cases.add(new Case("0.3 part after a text " + part, null,
                    send03("{\"kind\":\"message\",\"messageId\":\"m1\",\"role\":\"user\",\"parts\":[" + part + ",{\"kind\":\"text\",\"text\":\"ok\"}]}")));
            cases.add(new Case("0.3 part, no message kind " + part, null,
                    send03("{\"messageId\":\"m1\",\"role\":\"user\",\"parts\":[" + part + "]}")));
        }
        // The word split over two text parts: an agent running its parts together (the echo agent does) reads it whole.
        cases.add(new Case("1.0 word split over two text parts", "1.0",
                send10("{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"LAU\"},{\"text\":\"NCH\"}]}")));
        cases.add(new Case("0.3 word split over two text parts", null,
                send03("{\"kind\":\"message\",\"messageId\":\"m1\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"lau\"},"
                        + "{\"kind\":\"data\",\"data\":{}},{\"kind\":\"text\",\"text\":\"nch\"}]}")));
        return cases;
    }

    @Test
    void noDeniedMessageReachesTheAgentWhateverTheForm() throws Exception {
        List<String> violations = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        for (Case c : corpus()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc")))
                    .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json");
            if (c.version() != null) {
                request.header("A2A-Version", c.version());
            }
            HttpResponse<String> reply = HTTP.send(request.POST(HttpRequest.BodyPublishers.ofString(c.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = reply.body();
            JsonNode answer;
            try {
                answer = JSON.readTree(body);
            } catch (Exception e) {
                answer = JSON.createObjectNode();
            }
            String echoed = echoed(answer);
            String outcome = answer.has("error") ? "error " + answer.path("error").path("data").path("reason").asText(answer.path("error").path("message").asText())
                    : "result";
            table.append(String.format("%-110s %3d %-40s %s%n", c.name(), reply.statusCode(), outcome, echoed));
            // A data part the agent is handed as {"value":{"action":"delete"}} has no action of its own: only a top-level one counts.
            String handed = echoed == null ? null : echoed.replace("\"value\":{\"action\":\"delete\"}", "");
            if (handed != null && (handed.toLowerCase(java.util.Locale.ROOT).contains("launch") || handed.contains("\"action\":\"delete\""))) {
                violations.add(c.name() + " -> agent was handed " + echoed + "; body " + c.body());
            }
        }
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "revAT-a2a-corpus.txt"), table.toString());
        assertThat(violations).as("denied messages the agent was handed through the gateway").isEmpty();
    }

    /** The text of the agent's final status message (echo: ...), in either generation's shape, or null. */
    private static String echoed(JsonNode answer) {
        JsonNode result = answer.path("result");
        JsonNode task = result.has("task") ? result.get("task") : result;
        JsonNode parts = task.path("status").path("message").path("parts");
        StringBuilder out = new StringBuilder();
        for (JsonNode p : parts) {
            out.append(p.path("text").asText(""));
        }
        return out.length() == 0 ? null : out.toString();
    }
}
