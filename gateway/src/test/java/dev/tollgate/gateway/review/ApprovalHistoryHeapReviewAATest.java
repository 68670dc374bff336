package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: {@code ApprovalStage} keeps the arguments of every held call of up to 64 KiB of request
 * ("larger ... would pin the heap"), and {@code Approvals} keeps every ended approval in its history
 * ({@code approvals.history}, default 1000) with those arguments as a Jackson tree. 64 KiB of JSON such as
 * {@code [{},{},...]} is about 22,000 ObjectNodes with a LinkedHashMap each: well over a megabyte of heap per approval.
 * An agent whose calls match an {@code approve} rule fills the history for nothing (its calls time out, or it
 * disconnects, which cancels them at once): 1000 such approvals pin gigabytes, and every {@code GET /approvals} (the
 * admin page polls it every 2 s) serializes the whole history with its arguments. Here 128 timed-out approvals are
 * measured; the per-approval cost must stay near the request size, not tens of times it.
 */
class ApprovalHistoryHeapReviewAATest {

    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void endedApprovalsDoNotPinTensOfTimesTheirRequestSize() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve, approval: {timeout: 1s, on-timeout: deny}}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, upstream.url("/mcp")));
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        StringBuilder padding = new StringBuilder();
        while (padding.length() < 60_000) {
            padding.append("{},");
        }
        padding.setLength(padding.length() - 1);
        int rounds = 2;
        int perRound = 64; // the default max-concurrent-calls-per-caller
        // Warm up (classes, pools), then measure.
        send(1, 1, padding);
        long before = usedHeapAfterGc();
        send(rounds, perRound, padding);
        long after = usedHeapAfterGc();
        int requestBytes = padding.length() + 120;
        long perApproval = (after - before) / (rounds * perRound);

        TestHttp.Reply listed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/approvals").putHeader("Authorization", "Bearer " + TOKEN), null);
        assertThat(listed.json().path("recent").size()).isEqualTo(1 + rounds * perRound);
        assertThat(upstream.received()).isEmpty();
        assertThat(perApproval)
                .as("heap kept per ended approval of a %d-byte request: %d bytes (x%d); at approvals.history 1000 that is %d MB,"
                        + " and GET /approvals answers %d bytes", requestBytes, perApproval, perApproval / requestBytes,
                        perApproval * 1000 / (1024 * 1024), listed.body().length())
                .isLessThan(4L * requestBytes);
    }

    private void send(int rounds, int perRound, CharSequence padding) throws Exception {
        HttpClient client = vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(perRound));
        for (int r = 0; r < rounds; r++) {
            List<Future<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{\"x\":["
                        + padding + "]}}}";
                // The body is read as the head arrives (see TestHttp.exchange): asked for later, it could never complete.
                replies.add(TestHttp.readWhole(client, new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                                .setURI("/mcp").putHeader("Content-Type", "application/json").putHeader("Accept", "application/json, text/event-stream"),
                        Buffer.buffer(body), (resp, b) -> {
                            assertThat(b.toString()).contains("approval_timeout");
                            return resp.statusCode();
                        }));
            }
            Future.all(replies).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
