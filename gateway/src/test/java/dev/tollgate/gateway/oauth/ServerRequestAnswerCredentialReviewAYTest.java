package dev.tollgate.gateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Review AY, finding 8 (medium: the gateway's own answers to an upstream's requests are refused by an upstream that needs its
 * credential): on a route with {@code oauth.upstream-credential}, every forwarded call carries the upstream's own
 * credential (UpstreamCall.send). When policy denies a server-to-client request (sampling/createMessage here), the gateway
 * answers it upstream itself (ServerRequestAnswers.answer): that POST is built from scratch with Content-Type, Accept, the
 * session and the protocol version only, without the route's upstream credential. An upstream that authenticates its
 * callers (the reason the route has an upstream credential) rejects it 401, so its request is never answered and the
 * tool waits for it until the server's own timeout: the denial turns into a hung call.
 * Fix: set the same upstream credential in ServerRequestAnswers as UpstreamCall.send does (the static header, or the
 * exchange's upstream token).
 */
class ServerRequestAnswerCredentialReviewAYTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (!body.contains("\"method\"")) {
                r.response().setStatusCode(202).end(); // the answer to its sampling request
                return;
            }
            r.response().putHeader("Content-Type", "text/event-stream").end(
                    "data: {\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[],\"maxTokens\":1}}\n\n"
                            + "data: {\"jsonrpc\":\"2.0\",\"id\":11,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}\n\n");
        });
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-sampling, condition: {method: sampling/createMessage}, action: deny}
                """);
        int port = freePort();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/mcp"
                      issuer: "%s"
                      required-scopes: ["tools:read"]
                      upstream-credential: {header: Authorization, value: "Bearer upstream-own-secret"}
                """.formatted(port, dir.resolve("policies"), upstream.url("/mcp"), port,
                authorizationServer.issuerUrl("as").toString().replaceAll("/+$", "")));
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
    void theGatewaysAnswerToADeniedServerRequestCarriesTheUpstreamCredential() throws Exception {
        String token = authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", "alice", "JWT",
                List.of("http://127.0.0.1:" + gateway.port() + "/mcp"), Map.of("scope", "tools:read", "client_id", "agent-client"), 3600))
                .serialize();
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Authorization", "Bearer " + token), Buffer.buffer(CALL));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).doesNotContain("sampling/createMessage");
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().size() >= 2);

        RecordingUpstream.Received call = upstream.received().get(0);
        RecordingUpstream.Received answer = upstream.received().get(1);
        assertThat(call.headers().get("Authorization")).as("control: the call carries the upstream's credential").isEqualTo("Bearer upstream-own-secret");
        assertThat(answer.body().toString()).as("the gateway's answer to the denied sampling request").contains("\"s1\"").contains("error");
        assertThat(answer.headers().get("Authorization")).as("the gateway's answer to the upstream's request carries the upstream credential")
                .isEqualTo("Bearer upstream-own-secret");
    }

    private static int freePort() throws Exception {
        return dev.tollgate.gateway.support.TestPorts.unclaimed();
    }
}
