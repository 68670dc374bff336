package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AP, finding (low-medium): {@code approvals.store: redis}. A person's decision on a replica that does not hold the
 * call runs the END script under {@code redis.timeout}. When Redis is slow (a pause longer than that timeout), the
 * gateway gives up and answers the approver 503 "the decision could not be recorded", yet Redis runs the script once
 * it resumes: the approval is recorded as approved, pushed to the holder, and the call is forwarded. The approver was
 * told nothing was decided (README: "a decision ... is answered 503 (nothing decided)"), and a colleague who then denies
 * it gets 409 with an approval nobody was told succeeded. The same holds for a client's answer (ElicitationAnswerStage,
 * AskClientRetryStage: 503 "the answer could not be recorded; send it again").
 *
 * <p>Input: two replicas on one Redis and key prefix, the approver's with {@code redis.timeout: 100ms}, the holder's 5s; a
 * call held ({@code timeout: 8s, on-timeout: deny}); {@code CLIENT PAUSE 800 ALL}; bob approves on the other replica
 * during the pause. Gateway: bob gets 503 "could not be recorded", the call is forwarded a moment later. Should be: a 503
 * means the call was not approved (or the answer says the outcome is unknown, 504/202 "may have been recorded", and the
 * approver can read it back).
 *
 * <p>Suggested fix: on a timeout of END, read the approval's hash back (HGET state/decision) before answering, and answer
 * "unknown, check GET /approvals/{id}" rather than "not recorded"; or make END idempotent per decision id so the
 * gateway can retry it until it knows.
 */
class TimedOutDecisionStillAppliedReviewAPTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway holder;
    private Gateway other;

    @AfterEach
    void stop() throws Exception {
        for (Gateway g : new Gateway[] {holder, other}) {
            if (g != null) {
                g.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void aDecisionAnswered503DoesNotReleaseTheCall() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve, approval: {timeout: 8s, on-timeout: deny}}
                """);
        String prefix = "review-ap-decision-" + System.nanoTime();
        holder = replica("holder.yaml", prefix, "5s");
        other = replica("other.yaml", prefix, "100ms");

        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(holder.port(), "/mcp",
                        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{}}}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode pending = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> admin(holder, HttpMethod.GET, "/approvals", null).json().path("pending"), list -> list.size() == 1).get(0);
        String id = pending.path("id").asText();
        // The approver's replica has run a command (connection and pool warm) before the pause.
        admin(other, HttpMethod.GET, "/approvals", null);
        Thread.sleep(300);
        assertThat(command("CLIENT PAUSE 800 ALL")).isEqualTo("+OK");
        TestHttp.Reply bob = admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"bob\"}");
        assertThat(bob.status()).as("bob's approval during the pause: %s", bob.body()).isEqualTo(503);
        // Control: the call is still held when bob is told his decision was not recorded.
        assertThat(upstream.received()).isEmpty();

        TestHttp.Reply reply = held.get(15, TimeUnit.SECONDS);
        TestHttp.Reply carol = admin(other, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"carol\"}");
        assertThat(upstream.received())
                .as("bob was answered %d %s; the held call then answered %s; carol's later denial answered %d %s",
                        bob.status(), bob.body(), reply.body(), carol.status(), carol.body())
                .isEmpty();
    }

    private Gateway replica(String file, String prefix, String timeout) throws Exception {
        Files.writeString(dir.resolve(file), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                redis: {uri: "%s", key-prefix: "%s", timeout: %s}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, redis.uri(), prefix, timeout, upstream.url("/mcp")));
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve(file)), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(Gateway gateway, HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }

    /** Sends one inline command on its own connection and waits for its first reply line. */
    private String command(String line) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }
}
