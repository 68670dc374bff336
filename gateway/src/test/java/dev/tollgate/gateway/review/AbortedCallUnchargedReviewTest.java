package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revJ): a call is charged only when its answer reaches the client; "an error, a timeout or a client that goes
 * away releases its hold" (README). But the gateway has already forwarded the call, and MCP Streamable HTTP says a
 * disconnection "SHOULD NOT be interpreted as the client cancelling its request" (the gateway sends no
 * notifications/cancelled, it only resets the upstream request): a spec-following server runs the tool to the end. So a
 * caller that closes its connection once the call is forwarded gets the tool run (and spent: the server's cost) and
 * never pays: with synthesize priced $0.30 and a $1.00 spawn-tree budget, six aborted calls all reach and complete on the
 * upstream, the ledger stays at $0, and the tree can go on forever. (The concurrency slot is given back at the abort
 * too, while the tool still runs.) Control: the same calls awaited are charged and the fourth is denied.
 * Should be: a call that was forwarded is charged (at least its estimate) unless the upstream's answer shows it failed;
 * an abandoned call keeps its hold until the upstream's answer (or the timeout) settles it.
 *
 * <p>Fixed: a call the client abandons once it was sent pays its estimate (CompletionRecorder.settleCharges).
 */
class AbortedCallUnchargedReviewTest {

    private static final String ISSUER = "https://auth.test";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private OctetKeyPair key;
    private final AtomicInteger completedOnUpstream = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        // A tool that takes 300 ms and runs to the end whether or not the client is still there (as the MCP spec asks).
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            vertx.setTimer(300, t -> {
                completedOnUpstream.incrementAndGet();
                try {
                    request.response().putHeader("content-type", "application/json")
                            .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}");
                } catch (RuntimeException gone) {
                    // the gateway reset the request: the work is done anyway
                }
            });
        });
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("pricing.yaml"), "routes:\n  upstream:\n    default: 0.01\n    tools:\n      synthesize: 0.30\n");
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + ISSUER + "\", audience: tollgate, required-claims: [tenant]}}\n"
                        + "budgets: {pricing: " + dir.resolve("pricing.yaml") + ", cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String token(String tree) throws Exception {
        return DevAxid.mint(key, ISSUER, "tollgate", Duration.ofMinutes(4),
                Map.of("tenant", "acme", "agent", "planner", "run", "run-1", "sub", "user-1", "tree", tree), List.of());
    }

    private static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}";
    }

    private long spent(String tree) throws Exception {
        return gateway.gateway().services().budgets().ledger().spent(new SpendKey("acme", tree)).toCompletableFuture().get();
    }

    @Test
    void control_awaitedCallsAreChargedAndTheFourthIsDenied() throws Exception {
        String token = token("tree-1");
        int allowed = 0;
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token), Buffer.buffer(call(i)));
            allowed += reply.json().has("result") ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spent("tree-1")).isEqualTo(900_000));
    }

    @Test
    void callsTheClientAbandonsOnceForwardedStillCountAgainstTheBudget() throws Exception {
        String token = token("tree-2");
        for (int i = 1; i <= 6; i++) {
            int before = upstream.received().size();
            String body = call(i);
            NetSocket socket = vertx.createNetClient().connect(gateway.port(), "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
            socket.handler(data -> answered.set(true));
            socket.write(Buffer.buffer("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nX-Waxell-AXID: " + token + "\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body));
            // Hang up as soon as the call is forwarded (or answered, when the gateway refused it).
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> upstream.received().size() > before || answered.get());
            socket.close();
            Thread.sleep(400); // the tool finishes on the upstream
        }

        assertThat(upstream.received().size())
                .as("synthesize calls forwarded and completed by the upstream (%d) on a $1.00 budget at $0.30 each; ledger: %d micro-USD",
                        completedOnUpstream.get(), spent("tree-2"))
                .isEqualTo(3);
    }
}
