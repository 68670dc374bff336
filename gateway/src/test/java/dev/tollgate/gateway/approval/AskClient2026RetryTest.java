package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ask-client} with a 2026-07-28 caller, on the wire: the held call is answered with the gateway's own
 * {@code input_required} question and requestState, never forwarded; the retry carrying the user's answer ends the
 * approval and is forwarded without the gateway's members (yes) or refused (no, timed out). A retry that is not the
 * asked caller's, or not the asked call, or carries no answer, is refused 400 {@code invalid_params} and reaches nobody.
 */
class AskClient2026RetryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "tollgate-approval";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        tokens = TenantTokens.in(dir);
        String yaml = tokens.allowAllMcpYaml(dir, "tools", "http://127.0.0.1:" + upstream.port() + "/mcp");
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: ask-before-echo
                    condition: {tool: echo}
                    action: approve
                    approval: {timeout: 2s, on-timeout: deny, ask-client: true}
                  - name: ask-before-shout
                    condition: {tool: shout}
                    action: approve
                    approval: {timeout: 2s, on-timeout: deny, ask-client: true}
                """);
        gateway = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void theFirstLegIsTheQuestionAndAYesRetryIsForwardedWithoutTheGatewaysMembers() throws Exception {
        JsonNode asked = call("acme", "echo", "hi", null, null);

        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        JsonNode question = asked.at("/result/inputRequests/" + KEY);
        assertThat(question.path("method").asText()).isEqualTo("elicitation/create");
        assertThat(question.at("/params/message").asText()).contains("echo").contains("hi");
        assertThat(question.at("/params/requestedSchema/properties/approve/type").asText()).isEqualTo("boolean");
        assertThat(asked.at("/result/requestState").asText()).isNotEmpty();
        assertThat(upstream.received()).as("the question's leg is never forwarded").isEmpty();

        JsonNode done = call("acme", "echo", "hi", asked.at("/result/requestState").asText(), yes());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("done");
        assertThat(upstream.received()).hasSize(1);
        JsonNode forwarded = JSON.readTree(upstream.received().get(0).body().getBytes());
        assertThat(forwarded.path("params").has("inputResponses")).isFalse();
        assertThat(forwarded.path("params").has("requestState")).isFalse();
        assertThat(forwarded.at("/params/arguments/message").asText()).isEqualTo("hi");
        assertThat(forwarded.at("/params/_meta/io.modelcontextprotocol~1protocolVersion").asText()).isEqualTo("2026-07-28");

        // The retry's call is counted when it completes, just after its answer reached the client: read until it is.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminPort() + "/metrics"))
                            .version(HttpClient.Version.HTTP_1_1).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("decision=\"approval_asked\"").contains("decision=\"approved\"");
        });

        JsonNode replayed = call("acme", "echo", "hi", asked.at("/result/requestState").asText(), yes());
        assertThat(replayed.at("/error/data/reason").asText()).as("one yes lets one call through: " + replayed).isEqualTo("approval_answer_not_taken");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void aNoIsTheApprovalDeniedErrorAndNothingIsForwarded() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();
        ObjectNode no = JSON.createObjectNode().put("action", "decline");

        JsonNode answer = call("acme", "echo", "hi", state, no);

        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("approval_denied");
        assertThat(answer.at("/error/message").asText()).contains("declined by the user in the client");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aRetryAfterTheTimeoutGetsTheTimeoutAndNothingIsForwarded() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();
        Thread.sleep(2_500);

        JsonNode answer = call("acme", "echo", "hi", state, yes());

        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("approval_timeout");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void anotherCallersRetryWithTheStateIsRefusedAndTheAskedCallersOwnStillCounts() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();

        assertInvalidParams(call("globex", "echo", "hi", state, yes()));
        assertThat(upstream.received()).isEmpty();

        JsonNode done = call("acme", "echo", "hi", state, yes());
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("done");
    }

    @Test
    void aRetryOfAnotherCallIsRefused() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();

        assertInvalidParams(call("acme", "echo", "rm -rf /", state, yes()));
        assertInvalidParams(call("acme", "shout", "hi", state, yes()));
        assertInvalidParams(call("acme", "other", "hi", state, yes()));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aRetryWithoutAnObjectAnswerIsRefused() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();

        assertInvalidParams(call("acme", "echo", "hi", state, null));
        assertInvalidParams(call("acme", "echo", "hi", state, JSON.getNodeFactory().textNode("accept")));
        assertInvalidParams(post("acme", "tools/call", "echo", params("echo", "hi", state, JSON.createObjectNode().set("other", yes()))));
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void anEditedStateIsRefused() throws Exception {
        String state = call("acme", "echo", "hi", null, null).at("/result/requestState").asText();
        char last = state.charAt(state.length() - 2);
        String edited = state.substring(0, state.length() - 2) + (last == 'A' ? 'B' : 'A') + state.charAt(state.length() - 1);

        assertInvalidParams(call("acme", "echo", "hi", edited, yes()));
        assertThat(upstream.received()).isEmpty();
    }

    private static void assertInvalidParams(JsonNode answer) {
        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("invalid_params");
        assertThat(answer.at("/error/code").asInt()).isEqualTo(-32602);
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    /** A tools/call in the 2026 envelope; with a state, a retry answering the gateway's question with {@code answer}. */
    private JsonNode call(String tenant, String tool, String message, String state, JsonNode answer) throws Exception {
        ObjectNode responses = null;
        if (state != null && answer != null) {
            responses = JSON.createObjectNode();
            responses.set(KEY, answer);
        }
        return post(tenant, "tools/call", tool, params(tool, message, state, responses));
    }

    private static ObjectNode params(String tool, String message, String state, JsonNode responses) {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (responses != null) {
            params.set("inputResponses", responses);
        }
        if (state != null) {
            params.put("requestState", state);
        }
        return params;
    }

    @Test
    void aClientThatAcceptsOnlyAStreamGetsTheQuestionAsOneEvent() throws Exception {
        HttpResponse<String> response = send("acme", "tools/call", "echo", params("echo", "hi", null, null), "text/event-stream");

        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(response.body()).startsWith("data: ");
        JsonNode asked = JSON.readTree(response.body().substring(response.body().indexOf('{')));
        assertThat(asked.at("/result/inputRequests/" + KEY + "/method").asText()).as(response.body()).isEqualTo("elicitation/create");
        assertThat(upstream.received()).isEmpty();
    }

    private JsonNode post(String tenant, String method, String name, ObjectNode params) throws Exception {
        String text = send(tenant, method, name, params, "application/json, text/event-stream").body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private HttpResponse<String> send(String tenant, String method, String name, ObjectNode params, String accept) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", method);
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", accept)
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method).header("Mcp-Name", name)
                .header("X-Waxell-AXID", tokens.token(tenant, "a")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
