package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.OAuthRoutes;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AI, through the gateway (see {@link TaskBindingShareOfOAuthClientReviewAITest} for the unit view): on an OAuth
 * route, {@code tasks.max-bindings-per-tenant} is one share per OAuth CLIENT. Two unrelated users of the same MCP client
 * application (same {@code client_id}, different subjects; the gateway keeps their sessions, tasks, concurrency slots and
 * rate-limit buckets apart) share it: mallory creates tasks until it is full, and alice's FIRST task-augmented
 * {@code tools/call} is refused 429 {@code task_bindings_full}, for {@code tasks.retention} (a day by default).
 */
class OAuthClientTaskShareReviewAITest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway gateway;
    private String resource;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        // A task server giving each task-augmented tools/call a task of its own ("job-<request id>").
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("Mcp-Session-Id", "upstream-session").putHeader("Content-Type", "application/json");
            String result = body.contains("\"tools/call\"") ? "{\"task\":{\"taskId\":\"job-" + id + "\",\"status\":\"working\"}}" : "{}";
            request.response().end(request.method() == HttpMethod.POST ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}" : "");
        });
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        int port = OAuthRoutes.freePort();
        resource = "http://127.0.0.1:" + port + "/mcp";
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (7 + i);
        }
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                tasks: {max-bindings-per-tenant: 2}
                sessions:
                  max-age: 1h
                  keys:
                    - {id: k, secret: "%s"}
                routes:
                %s
                """.formatted(port, dir.resolve("policies"), Base64.getEncoder().encodeToString(secret),
                OAuthRoutes.toolsRoute(upstream.url("/mcp"), resource, authorizationServer).stripTrailing()));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void oneUserOfAnOAuthClientFillsTheTaskShareOfEveryOtherUserOfIt() throws Exception {
        String mallory = token("mallory");
        String malloryS = initialize(mallory);
        for (int i = 10; i < 12; i++) {
            TestHttp.Reply created = send(mallory, malloryS, taskCall(i));
            assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-" + i);
        }
        TestHttp.Reply third = send(mallory, malloryS, taskCall(12));
        assertThat(third.status()).as("control: mallory's own share is full: " + third.body()).isEqualTo(429);

        String alice = token("alice");
        String aliceS = initialize(alice);
        TestHttp.Reply first = send(alice, aliceS, taskCall(20));
        assertThat(first.status())
                .as("alice's FIRST task, after another user (mallory) of the same OAuth client filled a share of 2: %s", first.body())
                .isEqualTo(200);
        assertThat(first.json().at("/result/task/taskId").asText()).isEqualTo("job-20");
    }

    private static String taskCall(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{},\"task\":{}}}";
    }

    private String token(String subject) {
        return authorizationServer.issueToken("as", "mcp-desktop-app", new DefaultOAuth2TokenCallback("as", subject, "JWT", List.of(resource),
                Map.of("scope", "tools:read", "client_id", "mcp-desktop-app"), 300)).serialize();
    }

    private String initialize(String token) throws Exception {
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer " + token),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply send(String token, String session, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer " + token)
                .putHeader("Mcp-Session-Id", session), Buffer.buffer(body));
    }
}
