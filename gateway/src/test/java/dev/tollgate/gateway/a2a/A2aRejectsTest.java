package dev.tollgate.gateway.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad A2A input and denied calls get a stable status, code and reason, and never reach the agent. */
class A2aRejectsTest {

    private static final String SEND = """
            {"jsonrpc":"2.0","id":5,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]}}}""";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        Files.writeString(dir.resolve("a2a.yaml"), A2aJsSdkThroughGatewayTest.POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(dir, upstream.url("")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static Stream<Arguments> badJsonRpc() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"jsonrpc\":\"2.0\",\"id\":1,", 400, -32700, "invalid_json"),
                Arguments.of("duplicate key", "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"GetTask\",\"params\":{}}", 400, -32700, "duplicate_key"),
                Arguments.of("unknown method", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/explode\",\"params\":{}}", 400, -32601, "a2a_unknown_method"),
                Arguments.of("MCP method", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}", 400, -32601, "a2a_unknown_method"),
                Arguments.of("batch", "[" + SEND + "]", 400, -32600, "a2a_not_a_request"),
                Arguments.of("notification", "{\"jsonrpc\":\"2.0\",\"method\":\"SendMessage\",\"params\":{}}", 400, -32600, "a2a_not_a_request"),
                Arguments.of("send without message", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{}}", 400, -32602, "invalid_params"),
                Arguments.of("params not an object", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":[1]}", 400, -32602, "invalid_params"),
                // A2A 0.3 has no tenant: the SDK's 0.3 handlers run the call in the default tenant, whatever params names (review AU).
                Arguments.of("0.3 call naming a tenant", """
                        {"jsonrpc":"2.0","id":1,"method":"message/send","params":{"tenant":"sandbox",
                         "message":{"kind":"message","messageId":"m","role":"user","parts":[{"kind":"text","text":"hi"}]}}}""",
                        400, -32602, "invalid_params"),
                Arguments.of("0.3 task read naming a tenant", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":{\"id\":\"t1\",\"tenant\":\"sandbox\"}}",
                        400, -32602, "invalid_params"),
                Arguments.of("two push URLs", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[]},
                         "configuration":{"taskPushNotificationConfig":{"url":"https://hooks.example.com/a"},
                                          "pushNotificationConfig":{"url":"http://10.0.0.1/b"}}}}""", 400, -32602, "invalid_params"),
                // The gateway would decide on one declared skill while the agent reads another.
                Arguments.of("message and request declare different skills", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[],
                         "metadata":{"skillId":"public"}},"metadata":{"skillId":"admin"}}}""", 400, -32602, "invalid_params"),
                Arguments.of("two spellings of the skill", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[],
                         "metadata":{"skillId":"public","skill_id":"admin"}}}}""", 400, -32602, "invalid_params"),
                Arguments.of("skill id as an array", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[],
                         "metadata":{"skillId":["public","admin"]}}}}""", 400, -32602, "invalid_params"),
                Arguments.of("skill id as an object", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[],
                         "metadata":{"skillId":{"id":"admin"}}}}}""", 400, -32602, "invalid_params"),
                // Ids: the JavaScript SDK reads String(value) of anything, and the snake_case name when the camelCase one is absent.
                Arguments.of("context id as an object", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[],
                         "contextId":{"id":"c"}}}}""", 400, -32602, "invalid_params"),
                Arguments.of("message id as a number", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":7,"role":"ROLE_USER","parts":[]}}}""",
                        400, -32602, "invalid_params"),
                Arguments.of("empty task id", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":{\"id\":\"\"}}",
                        400, -32602, "invalid_params"),
                Arguments.of("taskId and task_id naming different tasks", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[],
                         "taskId":"mine","task_id":"theirs"}}}""", 400, -32602, "invalid_params"),
                Arguments.of("ListTasks context id as an array", """
                        {"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"context_id":["c"]}}""", 400, -32602, "invalid_params"),
                // Push URLs: the SDK calls String(url) and would call the webhook no rule saw.
                Arguments.of("push URL of a message as an array", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[]},
                         "configuration":{"taskPushNotificationConfig":{"url":["http://127.0.0.1:22/"],"token":"t"}}}}""", 400, -32602, "invalid_params"),
                Arguments.of("push URL of a new push config as an array", """
                        {"jsonrpc":"2.0","id":1,"method":"CreateTaskPushNotificationConfig","params":{"taskId":"t1","url":["http://127.0.0.1:22/"]}}""",
                        400, -32602, "invalid_params"),
                Arguments.of("0.3 push URL as an object", """
                        {"jsonrpc":"2.0","id":1,"method":"tasks/pushNotificationConfig/set",
                         "params":{"taskId":"t1","pushNotificationConfig":{"url":{"href":"http://127.0.0.1:22/"}}}}""", 400, -32602, "invalid_params"),
                // Parts: the SDK reads a 1.0 part by its first content member (text, raw, url, data) and a 0.3 part by its kind.
                Arguments.of("part with text and a url", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER",
                         "parts":[{"text":"hi","url":"http://169.254.169.254/"}]}}}""", 400, -32602, "invalid_params"),
                Arguments.of("0.3 file part with a text member", """
                        {"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","messageId":"m","role":"user",
                         "parts":[{"kind":"file","text":"hello","file":{"uri":"http://169.254.169.254/"}}]}}}""", 400, -32602, "invalid_params"),
                Arguments.of("0.3 text part carrying a file", """
                        {"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","messageId":"m","role":"user",
                         "parts":[{"kind":"text","file":{"uri":"http://169.254.169.254/"}}]}}}""", 400, -32602, "invalid_params"),
                Arguments.of("part url as an array", """
                        {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER",
                         "parts":[{"url":["http://169.254.169.254/"]}]}}}""", 400, -32602, "invalid_params"));
    }

    @Test
    void aJsonRpcBodyOnAnHttpJsonPathIsRefused() throws Exception {
        // Decided as SubscribeToTask by its path, it would run as tasks/cancel on an agent reading the body.
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/a2a/rest/tasks/t1:subscribe").putHeader("Content-Type", "application/json"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/cancel\",\"params\":{\"id\":\"t1\"}}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("error").path("details").get(0).path("metadata").path("reason").asText()).isEqualTo("invalid_params");
        assertThat(upstream.received()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"GET,/agent/a2a/rest/tasks?contextId=ctx-of-another", "GET,/agent/a2a/rest/tasks/t1",
            "DELETE,/agent/a2a/rest/tasks/t1/pushNotificationConfigs/c1"})
    void aBodyOnAGetOrDeleteIsNeitherDecidedOnNorForwarded(String method, String uri) throws Exception {
        // The agent reads these operations' parameters from the path and query only (the SDK's ListTasks reads req.query):
        // a body the gateway decided on (a contextId of the caller's own) would differ from what the agent acts on. Only a
        // POST body is read; any other is dropped unread, so the gateway decides on the query and the agent gets no body.
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("127.0.0.1").setPort(gateway.port())
                .setURI(uri).putHeader("Content-Type", "application/json"), Buffer.buffer("{\"contextId\":\"ctx-of-mine\"}"));

        // (The recording upstream's answer is no task list: a ListTasks is then answered 502, which is not the point here.)
        assertThat(reply.status()).as(reply.body().toString()).isNotEqualTo(400);
        assertThat(upstream.received()).singleElement().satisfies(received -> {
            assertThat(received.uri()).isEqualTo(uri.substring("/agent".length()));
            assertThat(received.body() == null ? 0 : received.body().length()).as("the body forwarded").isZero();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJsonRpc")
    void badJsonRpcIsRefusedWithAStableReasonAndNeverForwarded(String name, String body, int status, int code, String reason) throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent/a2a/jsonrpc", body);

        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.errorCode()).isEqualTo(code);
        assertThat(reply.reason()).isEqualTo(reason);
        assertThat(upstream.received()).isEmpty();
    }

    static Stream<Arguments> badRestPaths() {
        return Stream.of(
                Arguments.of(HttpMethod.POST, "/agent/a2a/rest/message:explode", 404, "a2a_unknown_operation"),
                Arguments.of(HttpMethod.POST, "/agent/a2a/rest/tasks/t1:restart", 404, "a2a_unknown_operation"),
                Arguments.of(HttpMethod.GET, "/agent/a2a/rest/nothing/here", 404, "a2a_unknown_operation"),
                Arguments.of(HttpMethod.GET, "/agent/a2a/rest/message:send", 405, "method_not_allowed"),
                Arguments.of(HttpMethod.DELETE, "/agent/a2a/rest/tasks/t1", 405, "method_not_allowed"),
                Arguments.of(HttpMethod.POST, "/agent/.well-known/agent-card.json", 405, "method_not_allowed"),
                Arguments.of(HttpMethod.PUT, "/agent/a2a/jsonrpc", 405, "method_not_allowed"),
                Arguments.of(HttpMethod.PATCH, "/agent/a2a/rest/nothing/here", 405, "method_not_allowed"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badRestPaths")
    void invalidRestPathsGetAnHttpErrorBodyAndAreNeverForwarded(HttpMethod method, String path, int status, String reason) throws Exception {
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.port()).setURI(path)
                .putHeader("Content-Type", "application/json"), method == HttpMethod.POST ? Buffer.buffer("{}") : null);

        assertThat(reply.status()).isEqualTo(status);
        if (status == 405) {
            assertThat(reply.headers().get("Allow")).isNotBlank();
        }
        JsonNode error = reply.json().path("error");
        assertThat(error.path("code").asInt()).isEqualTo(status);
        assertThat(error.path("details").get(0).path("metadata").path("reason").asText()).isEqualTo(reason);
        assertThat(upstream.received()).isEmpty();
    }

    static Stream<Arguments> smuggledCharsets() {
        return Stream.of(
                Arguments.of("/agent/a2a/jsonrpc", "application/json; charset=utf-7", """
                        {"jsonrpc":"2.0","id":5,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"x"}],"metadata":{"skillId":"+AGE-dmin-wipe"}}}}"""),
                Arguments.of("/agent/v1/message:send", "application/a2a+json; charset=utf-7", """
                        {"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"x"}],"metadata":{"skillId":"+AGE-dmin-wipe"}}}"""),
                Arguments.of("/agent/v1/message:send", "application/a2a+json; charset=\"UTF-16\"", "{}"));
    }

    /** "+AGE-dmin-wipe" is an unknown skill in UTF-8 and admin-wipe (denied) to an agent that decodes UTF-7. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("smuggledCharsets")
    void anyCharsetButUtf8IsRefusedOnEveryBinding(String path, String contentType, String body) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), path).putHeader("Content-Type", contentType), Buffer.buffer(body));

        assertThat(reply.status()).isEqualTo(415);
        assertThat(reply.reason()).isEqualTo("unsupported_media_type");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void theCheckedMediaTypeIsForwardedWithoutItsCharset() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("Content-Type", "application/json; charset=UTF-8"),
                Buffer.buffer(SEND));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).headers().getAll("Content-Type")).containsExactly("application/json");
        assertThat(upstream.received().get(0).body().toString()).isEqualTo(SEND);
    }

    @Test
    void malformedRestBodyIsRefusedInTheRestShape() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent/a2a/rest/message:send", "{\"message\":");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().path("error").path("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(reply.json().path("error").path("details").get(0).path("reason").asText()).isEqualTo("INVALID_JSON");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void deniedRestCallGets403WithTheRuleAndIsNeverForwarded() throws Exception {
        // The 0.3 /v1/ binding's proto JSON: the message's parts are content (parts there is refused, its agent ignores it).
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/v1/message:send").putHeader("Content-Type", "application/a2a+json"),
                Buffer.buffer("{\"message\":{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"x\"}],\"metadata\":{\"skillId\":\"admin-wipe\"}}}"));

        assertThat(reply.status()).isEqualTo(403);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(error.path("message").asText()).contains("no-admin-skills");
        JsonNode info = error.path("details").get(0);
        assertThat(info.path("reason").asText()).isEqualTo("POLICY_DENIED");
        assertThat(info.path("metadata").path("rule").asText()).isEqualTo("no-admin-skills");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void deniedJsonRpcCallGetsMinus32010WithTheRuleAndIsNeverForwarded() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent/a2a/jsonrpc", """
                {"jsonrpc":"2.0","id":"d","method":"tasks/pushNotificationConfig/set",
                 "params":{"taskId":"t1","pushNotificationConfig":{"url":"http://127.0.0.1:22/"}}}""");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("id").asText()).isEqualTo("d");
        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("push-webhooks-allow-list");
        assertThat(upstream.received()).isEmpty();
    }

    /**
     * The JavaScript SDK's 0.3 handler reads {@code X-A2A-Extensions} before {@code A2A-Extensions}, its 1.0 handler only
     * {@code A2A-Extensions}: with both naming different extensions, a rule on {@code /extensions} would decide on one list
     * while the agent acts on the other.
     */
    @Test
    void twoExtensionHeadersNamingDifferentExtensionsAreRefused() throws Exception {
        for (String version : new String[] {"0.3", "1.0"}) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("A2A-Version", version)
                    .putHeader("A2A-Extensions", "urn:ok").putHeader("X-A2A-Extensions", "urn:admin-mode"), Buffer.buffer(SEND));

            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.errorCode()).isEqualTo(-32020);
            assertThat(reply.reason()).isEqualTo("header_mismatch");
        }
        assertThat(upstream.received()).isEmpty();
    }

    /** Node joins a repeated header's values with ", ": the second line's extension is the agent's too. */
    @Test
    void everyLineOfARepeatedExtensionsHeaderMeetsTheRules() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("A2A-Version", "1.0")
                .addHeader("A2A-Extensions", "urn:ok").addHeader("A2A-Extensions", "urn:admin-mode"), Buffer.buffer(SEND));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("no-admin-mode-extension");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void allowedCallsAreForwardedToTheSamePathWithA2aHeadersUnchanged() throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent/tenant-7/v1/tasks/t%201:cancel?x=1")
                        .putHeader("A2A-Version", "0.3").putHeader("A2A-Extensions", "urn:a, urn:b")
                        .putHeader("X-A2A-Extensions", "urn:b,urn:a").putHeader("X-A2A-Notification-Token", "tok"),
                Buffer.buffer(""));

        assertThat(reply.status()).isEqualTo(200);
        RecordingUpstream.Received received = upstream.received().get(0);
        assertThat(received.method()).isEqualTo(HttpMethod.POST);
        assertThat(received.uri()).isEqualTo("/tenant-7/v1/tasks/t%201:cancel?x=1");
        assertThat(received.headers().get("A2A-Version")).isEqualTo("0.3");
        assertThat(received.headers().get("A2A-Extensions")).isEqualTo("urn:a, urn:b");
        assertThat(received.headers().get("X-A2A-Extensions")).isEqualTo("urn:b,urn:a");
        assertThat(received.headers().get("X-A2A-Notification-Token")).isEqualTo("tok");
    }
}
