package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * Review BO: an A2A push-notification config is another door out of the agent, one result rules never see. The route's
 * policy has a result rule that withholds any answer carrying a secret, and the gateway does withhold the
 * {@code SendMessage} answer (the control). The same {@code SendMessage} with
 * {@code configuration.taskPushNotificationConfig.url} naming a webhook of the caller's choosing is decided, allowed and
 * forwarded; the real {@code @a2a-js/sdk} 1.3.0 agent then POSTs every event of the task (artifact chunks, the final
 * status message), secret included, straight to that webhook: what the policy withholds from the caller reaches the
 * caller anyway. ({@code CreateTaskPushNotificationConfig} and the 0.3 forms are the same door.) Correct: on a route whose
 * result rules would decide the task's answers, a push config is refused (or never forwarded), so the secret never
 * reaches the webhook.
 */
class A2aPushNotificationBypassesResultRulesReviewBOTest {

    private static final String SECRET = "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String POLICY = """
            name: bo-push
            defaults: {action: allow}
            rules:
              - name: no-leaked-secrets
                condition: {all: [{direction: result}, {check: {name: secrets}}]}
                action: deny
                message: secrets stay in
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
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("bo-push.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: bo-push}
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
        if (webhook != null) {
            webhook.stop(0);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static String send(String messageId, String configuration) throws Exception {
        String body = """
                {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"%s","role":"ROLE_USER",
                 "parts":[{"text":"%s"}]}%s}}""".formatted(messageId, SECRET, configuration == null ? "" : ",\"configuration\":" + configuration);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/agents/echo/a2a/jsonrpc"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("A2A-Version", "1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    /** Control: the answer carrying the secret is withheld from the caller. */
    @Test
    void theAnswerCarryingTheSecretIsWithheld() throws Exception {
        String answer = send("bo-control", null);
        assertThat(answer).contains("result_denied").doesNotContain("AKIAIOSFODNN7EXAMPLE");
    }

    /**
     * The same task with a push config: what the agent produced (its artifact chunks {@code 0:...}, its final message
     * {@code echo: ...}) must not reach the caller's webhook either. (The task's history, which the agent pushes too,
     * holds the caller's own message: not counted.)
     */
    @Test
    void aPushConfigDoesNotCarryTheWithheldResultOut() throws Exception {
        int before = agent.output().length();
        String answer = send("bo-push", "{\"taskPushNotificationConfig\":{\"url\":\"http://127.0.0.1:" + webhook.getAddress().getPort()
                + "/hook\",\"token\":\"t\"}}");
        // Forwarded when the agent saw it, or when its answer came back (and was withheld).
        boolean forwarded = answer.contains("result_denied") || agent.output().substring(before).contains("REQ POST /a2a/jsonrpc");
        if (forwarded) {
            // The agent ran the task: wait (bounded) for its last push, the COMPLETED status, before judging what arrived.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (DELIVERED.stream().noneMatch(b -> b.contains("TASK_STATE_COMPLETED")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(DELIVERED).as("what the agent pushed to the caller's webhook (the gateway's answer: %s)", answer)
                .noneMatch(b -> b.contains("echo: AKIAIOSFODNN7EXAMPLE") || b.contains("0:AKIAIOSFODNN7EXAMPLE"));
    }
}
