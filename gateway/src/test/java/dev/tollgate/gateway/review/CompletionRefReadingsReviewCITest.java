package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Review CI: the Java SDK server reads a {@code completion/complete} reference with Jackson's polymorphic binding
 * ({@code CompleteReference}, type id in {@code "type"}), which also takes the array-wrapped form
 * {@code "ref": ["ref/prompt", {"name": ...}]} as that prompt's reference, and coerces a number or boolean {@code name} or
 * {@code uri} to its text. The gateway read the reference only as an object holding string members: an array (or a
 * non-string name) named no prompt, so a {@code prompt:} rule denying the prompt did not hold and the server completed the
 * denied prompt's arguments. Against the real Java SDK server (McpFixtureServer, whose completion is registered for
 * {@code test_prompt_with_arguments}).
 */
class CompletionRefReadingsReviewCITest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: ci-prompts
            defaults: {action: allow}
            rules:
              - name: no-argument-prompt
                condition: {prompt: test_prompt_with_arguments}
                action: deny
                message: That prompt is off limits.
            """;
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"review-ci\",\"version\":\"1.0.0\"}}}";

    private static Vertx vertx;
    private static McpFixtureServer fixture;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:" + fixture.port() + "/mcp", POLICY, null, null);
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[\"ref/prompt\",{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"}]",
            "[\"ref/prompt\",{\"name\":\"test_prompt_with_arguments\"}]"})
    void anArrayWrappedReferenceToADeniedPromptIsRefused(String ref) throws Exception {
        String body = complete("{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"}");
        // Control: the reference as an object is denied by the prompt rule.
        assertThat(throughGateway(body).path("error").path("data").path("rule").asText()).isEqualTo("no-argument-prompt");

        // The server reads the array-wrapped form as that very prompt's reference and completes it.
        String wrapped = complete(ref);
        assertThat(direct(wrapped).path("result").path("completion").isObject()).as("the Java SDK completes " + ref).isTrue();

        JsonNode answer = throughGateway(wrapped);
        assertThat(answer.has("result")).as("completion of a denied prompt relayed: " + answer).isFalse();
        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString())
                .isIn("policy_denied", "invalid_params");
    }

    private static String complete(String ref) {
        return "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"completion/complete\",\"params\":{\"ref\":" + ref
                + ",\"argument\":{\"name\":\"arg1\",\"value\":\"\"}}}";
    }

    /** Sends the call in a fresh session through the gateway; the JSON-RPC answer. */
    private static JsonNode throughGateway(String body) throws Exception {
        return inSession(gateway.port(), body);
    }

    /** Sends the call in a fresh session straight to the server; the JSON-RPC answer. */
    private static JsonNode direct(String body) throws Exception {
        return inSession(fixture.port(), body);
    }

    private static JsonNode inSession(int port, String body) throws Exception {
        TestHttp.Reply init = http.postMcp(port, "/mcp", INITIALIZE);
        assertThat(init.status()).as(init.body().toString()).isEqualTo(200);
        String session = init.headers().get("Mcp-Session-Id");
        assertThat(session).as("session id").isNotNull();
        post(port, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return answer(post(port, session, body));
    }

    private static TestHttp.Reply post(int port, String session, String body) throws Exception {
        RequestOptions options = TestHttp.mcpPost(port, "/mcp").putHeader("Mcp-Session-Id", session)
                .putHeader("MCP-Protocol-Version", "2025-06-18");
        return http.send(options, Buffer.buffer(body));
    }

    /** The JSON-RPC message of a JSON answer, or the last data line of an event-stream answer. */
    private static JsonNode answer(TestHttp.Reply reply) throws Exception {
        String text = reply.body().toString();
        String contentType = reply.headers().get("Content-Type");
        if (contentType != null && contentType.startsWith("text/event-stream")) {
            String data = null;
            for (String line : text.split("\r?\n")) {
                if (line.startsWith("data:")) {
                    data = line.substring("data:".length()).trim();
                }
            }
            assertThat(data).as("an event in " + text).isNotNull();
            return JSON.readTree(data);
        }
        return JSON.readTree(text);
    }
}
