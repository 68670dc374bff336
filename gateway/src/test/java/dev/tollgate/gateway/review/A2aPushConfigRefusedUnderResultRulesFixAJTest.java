package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fix AJ (review BO): on an A2A route whose policy has result rules, every request that hands the agent a
 * push-notification config is refused before it is forwarded ({@code push_bypasses_result_rules}): the agent would POST the
 * task's events to the webhook itself, past the rules. CreateTaskPushNotificationConfig in both generations and on both
 * bindings (any path case), and a push config inside a message send's {@code configuration} in every spelling the
 * {@code @a2a-js/sdk} 1.3.0 agent reads. The route's card says {@code capabilities.pushNotifications: false}. A route whose
 * policy has no result rule still forwards push configs (the control), and its card keeps the agent's capability.
 */
class A2aPushConfigRefusedUnderResultRulesFixAJTest {

    private static final String RULED = """
            name: aj-ruled
            defaults: {action: allow}
            rules:
              - name: no-leaked-secrets
                # Known key formats only: the generic high-entropy reading flagged the card's own URL for some ports the
                # test's servers happen to get (45791/agents/ruled/a2a/jsonrpc), which withheld the card at random.
                condition: {all: [{direction: result}, {check: {name: secrets, args: {entropy: 0}}}]}
                action: deny
                message: secrets stay in
            """;
    private static final String OPEN = """
            name: aj-open
            defaults: {action: allow}
            rules:
              - name: no-admin-skills
                condition: {tool: "admin-*"}
                action: deny
            """;

    @TempDir
    static Path dir;
    private static Vertx vertx;
    private static NodeServer agent;
    private static RunningGateway gateway;
    private static HttpServer webhook;
    private static final List<String> DELIVERED = new CopyOnWriteArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            DELIVERED.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("aj-ruled.yaml"), RULED);
        Files.writeString(policies.resolve("aj-open.yaml"), OPEN);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: ruled, path: /agents/ruled, protocol: a2a, upstream: "%s", policy: aj-ruled}
                  - {name: open, path: /agents/open, protocol: a2a, upstream: "%s", policy: aj-open}
                """.formatted(policies, agent.url(""), agent.url("")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static String hook() {
        return "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
    }

    private static HttpResponse<String> post(String path, String version, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (version != null) {
            request.header("A2A-Version", version);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A task of the agent's, made through the ruled route with harmless text: what a push config is later set on. */
    private static String task() throws Exception {
        JsonNode answer = JSON.readTree(post("/agents/ruled/a2a/jsonrpc", "1.0", """
                {"jsonrpc":"2.0","id":"t","method":"SendMessage","params":{"message":{"messageId":"aj-task-%s","role":"ROLE_USER",
                 "parts":[{"text":"hello"}]}}}""".formatted(System.nanoTime())).body());
        String id = answer.path("result").path("task").path("id").asText(null);
        assertThat(id).as(answer.toString()).isNotNull();
        return id;
    }

    /**
     * The request lines the agent logged since {@code before} (a {@link NodeServer#markAfterPosting} mark) up to a marker
     * request sent now, markers left out: none means nothing was forwarded. The agent logs a request before answering it,
     * but its output is read on another thread: bounded by markers, a line of a call made before the mark (the task
     * {@link #task()} starts) cannot land after it, and one of the call under test cannot be missed.
     */
    private static String forwardedSince(int before) throws Exception {
        return agent.printedSince(before, "/marker").lines().filter(l -> l.startsWith("REQ ") && !l.contains("/marker?"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static void assertJsonRpcRefused(HttpResponse<String> response) throws Exception {
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asInt()).as(response.body()).isEqualTo(-32010);
        assertThat(error.path("data").path("reason").asText()).as(response.body()).isEqualTo("push_bypasses_result_rules");
    }

    private static void assertRestRefused(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asInt()).as(response.body()).isEqualTo(403);
        assertThat(error.path("status").asText()).as(response.body()).isEqualTo("PERMISSION_DENIED");
        assertThat(error.path("details").get(0).path("reason").asText()).as(response.body()).isEqualTo("PUSH_BYPASSES_RESULT_RULES");
        assertThat(error.path("details").get(0).path("metadata").path("reason").asText()).isEqualTo("push_bypasses_result_rules");
    }

    /** CreateTaskPushNotificationConfig on a running task, 1.0 and 0.3, JSON-RPC: refused, the agent never sees it. */
    @Test
    void createPushConfigOnJsonRpcIsRefusedInBothGenerations() throws Exception {
        String task = task();
        int before = agent.markAfterPosting("/marker");
        HttpResponse<String> current = post("/agents/ruled/a2a/jsonrpc", "1.0", """
                {"jsonrpc":"2.0","id":1,"method":"CreateTaskPushNotificationConfig","params":{"taskId":"%s","url":"%s","token":"t"}}"""
                .formatted(task, hook()));
        HttpResponse<String> legacy = post("/agents/ruled/a2a/jsonrpc", null, """
                {"jsonrpc":"2.0","id":2,"method":"tasks/pushNotificationConfig/set","params":{"taskId":"%s",
                 "pushNotificationConfig":{"url":"%s","token":"t"}}}""".formatted(task, hook()));
        assertJsonRpcRefused(current);
        assertJsonRpcRefused(legacy);
        assertThat(forwardedSince(before)).isEmpty();
    }

    /** The same on HTTP+JSON: 1.0 and 0.3 paths, and the path in another case Express routes alike; 403 saying so. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a2a/rest/tasks/{task}/pushNotificationConfigs|1.0|{\"url\":\"{hook}\",\"token\":\"t\"}",
        "/a2a/rest/Tasks/{task}/PushNotificationConfigs|1.0|{\"url\":\"{hook}\",\"token\":\"t\"}",
        "/a2a/rest/v1/tasks/{task}/pushNotificationConfigs||{\"name\":\"tasks/{task}/pushNotificationConfigs/c1\",\"pushNotificationConfig\":{\"url\":\"{hook}\",\"token\":\"t\"}}",
    })
    void createPushConfigOnRestIsRefused(String path, String version, String body) throws Exception {
        String task = task();
        int before = agent.markAfterPosting("/marker");
        HttpResponse<String> response = post("/agents/ruled" + path.replace("{task}", task), version,
                body.replace("{task}", task).replace("{hook}", hook()));
        assertRestRefused(response);
        assertThat(forwardedSince(before)).isEmpty();
    }

    /**
     * A push config inside a message send, in each spelling the agent reads, each binding and generation, and without a
     * URL the gateway reads: refused, nothing forwarded, nothing reaches the webhook.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a2a/jsonrpc|1.0|SendMessage|taskPushNotificationConfig",
        "/a2a/jsonrpc|1.0|SendMessage|task_push_notification_config",
        "/a2a/jsonrpc|1.0|SendStreamingMessage|taskPushNotificationConfig",
        "/a2a/jsonrpc||message/send|pushNotificationConfig",
        "/a2a/jsonrpc||message/stream|pushNotificationConfig",
        "/a2a/rest/message:send|1.0||taskPushNotificationConfig",
        "/a2a/rest/message:stream|1.0||task_push_notification_config",
        "/a2a/rest/v1/message:send|||pushNotification",
    })
    void aPushConfigInAMessageSendIsRefused(String path, String version, String method, String member) throws Exception {
        boolean legacy = version == null;
        boolean proto = legacy && method == null;
        String message = proto
                ? "{\"messageId\":\"aj-%s\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"AKIAIOSFODNN7EXAMPLE\"}]}"
                : legacy ? "{\"kind\":\"message\",\"messageId\":\"aj-%s\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"AKIAIOSFODNN7EXAMPLE\"}]}"
                : "{\"messageId\":\"aj-%s\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"AKIAIOSFODNN7EXAMPLE\"}]}";
        String params = "{\"message\":" + message.formatted(System.nanoTime()) + ",\"configuration\":{\"" + member + "\":{\"url\":\""
                + hook() + "\",\"token\":\"t\"}}}";
        String body = method == null ? params : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
        int before = agent.markAfterPosting("/marker");
        int delivered = DELIVERED.size();
        HttpResponse<String> response = post("/agents/ruled" + path, version, body);
        if (method == null) {
            assertRestRefused(response);
        } else {
            assertJsonRpcRefused(response);
        }
        assertThat(forwardedSince(before)).isEmpty();
        assertThat(DELIVERED.size()).isEqualTo(delivered);
    }

    /** A push config whose URL the gateway does not read (none given) is still a push config handed to the agent. */
    @Test
    void aPushConfigWithoutAUrlIsRefusedToo() throws Exception {
        int before = agent.markAfterPosting("/marker");
        HttpResponse<String> response = post("/agents/ruled/a2a/jsonrpc", "1.0", """
                {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"aj-nourl","role":"ROLE_USER",
                 "parts":[{"text":"hi"}]},"configuration":{"taskPushNotificationConfig":{"token":"t"}}}}""");
        assertJsonRpcRefused(response);
        assertThat(forwardedSince(before)).isEmpty();
    }

    /** Reading and deleting push configs gives the agent none: still forwarded on the ruled route. */
    @Test
    void listingPushConfigsIsStillForwarded() throws Exception {
        String task = task();
        int before = agent.markAfterPosting("/marker");
        HttpResponse<String> response = post("/agents/ruled/a2a/jsonrpc", "1.0", """
                {"jsonrpc":"2.0","id":1,"method":"ListTaskPushNotificationConfigs","params":{"taskId":"%s"}}""".formatted(task));
        assertThat(response.body()).doesNotContain("push_bypasses_result_rules");
        // The agent logs the request line before it answers, but its output is read on another thread: wait for it.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!forwardedSince(before).contains("REQ POST /a2a/jsonrpc") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(forwardedSince(before)).contains("REQ POST /a2a/jsonrpc");
    }

    /** The ruled route's card offers no push notifications (both generations); the open route's keeps the agent's. */
    @Test
    void theCardOfARuledRouteOffersNoPushNotifications() throws Exception {
        for (String version : new String[] {"1.0", null}) {
            HttpRequest.Builder ruled = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                    + "/agents/ruled/.well-known/agent-card.json")).timeout(Duration.ofSeconds(20)).GET();
            HttpRequest.Builder open = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                    + "/agents/open/.well-known/agent-card.json")).timeout(Duration.ofSeconds(20)).GET();
            if (version != null) {
                ruled.header("A2A-Version", version);
                open.header("A2A-Version", version);
            }
            HttpResponse<String> ruledCard = HTTP.send(ruled.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            HttpResponse<String> openCard = HTTP.send(open.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(ruledCard.statusCode()).as(ruledCard.body()).isEqualTo(200);
            assertThat(JSON.readTree(ruledCard.body()).path("capabilities").path("pushNotifications").isBoolean()).as(ruledCard.body()).isTrue();
            assertThat(JSON.readTree(ruledCard.body()).path("capabilities").path("pushNotifications").asBoolean()).as(ruledCard.body()).isFalse();
            assertThat(JSON.readTree(openCard.body()).path("capabilities").path("pushNotifications").asBoolean()).as(openCard.body()).isTrue();
        }
    }

    /** Control: without result rules, a push config is the agent's business: forwarded, and the agent pushes the task. */
    @Test
    void aRouteWithoutResultRulesStillForwardsPushConfigs() throws Exception {
        String marker = "aj-open-" + System.nanoTime();
        HttpResponse<String> response = post("/agents/open/a2a/jsonrpc", "1.0", """
                {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"%s","role":"ROLE_USER",
                 "parts":[{"text":"%s"}]},"configuration":{"taskPushNotificationConfig":{"url":"%s","token":"t"}}}}"""
                .formatted(marker, marker, hook()));
        assertThat(response.body()).as(response.body()).contains("TASK_STATE_COMPLETED");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (DELIVERED.stream().noneMatch(b -> b.contains("echo: " + marker)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(DELIVERED).anyMatch(b -> b.contains("echo: " + marker));
    }
}
