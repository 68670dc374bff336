package dev.tollgate.gateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.OAuthRoutes;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * On a route authenticated by OAuth alone (no AXID, no mTLS) the caller is the token's issuer, client and subject:
 * one subject's tasks are not served to another, and a session is sealed to the client when the token names no
 * subject (client credentials).
 */
class OAuthCallerBindingTest {

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
        upstream.answerAsTaskServer("upstream-session");
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        int port = OAuthRoutes.freePort();
        resource = "http://127.0.0.1:" + port + "/mcp";
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (3 + i);
        }
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions:
                  max-age: 1h
                  keys:
                    - {id: k, secret: "%s"}
                routes:
                %s
                """.formatted(port, dir.resolve("policies"), Base64.getEncoder().encodeToString(secret), OAuthRoutes.toolsRoute(upstream.url("/mcp"), resource, authorizationServer).stripTrailing()));
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
    void oneOAuthSubjectsTaskIsNotServedToAnother() throws Exception {
        String alice = token("alice");
        String bob = token("bob");
        String aliceSession = initialize(alice);
        String bobSession = initialize(bob);
        TestHttp.Reply created = send(alice, aliceSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-1");
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send(bob, bobSession, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(borrowed.status()).as("bob must not read alice's task: " + borrowed.body()).isEqualTo(404);
        assertThat(borrowed.reason()).isEqualTo("task_not_found");
        assertThat(upstream.received()).hasSize(before);
    }

    /** Sessions were sealed to the subject before; kept beside the client case below. */
    @Test
    void aSessionIsSealedToTheSubject() throws Exception {
        String aliceSession = initialize(token("alice"));

        TestHttp.Reply borrowed = send(token("bob"), aliceSession, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");

        assertThat(borrowed.status()).isEqualTo(404);
    }

    private String token(String subject) {
        return authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", subject, "JWT", List.of(resource),
                Map.of("scope", "tools:read", "client_id", "agent-client"), 300)).serialize();
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

    /** A token without {@code sub} (client credentials): the session is still sealed to the client that opened it. */
    @Test
    void twoOAuthClientsWithoutASubjectDoNotShareASession() throws Exception {
        String clientA = subjectless("client-a");
        String clientB = subjectless("client-b");
        assertThat(com.nimbusds.jwt.SignedJWT.parse(clientA).getJWTClaimsSet().getSubject()).isNull();
        String sessionOfA = initialize(clientA);
        int before = upstream.received().size();

        TestHttp.Reply borrowed = send(clientB, sessionOfA, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");

        assertThat(borrowed.status()).as("client-b must not use client-a's session: " + borrowed.body()).isEqualTo(404);
        assertThat(upstream.received()).hasSize(before);
    }

    private String subjectless(String clientId) {
        return authorizationServer.anyToken(authorizationServer.issuerUrl("as"), Map.of("aud", List.of(resource), "scope", "tools:read",
                "client_id", clientId), java.time.Duration.ofMinutes(5)).serialize();
    }
}
