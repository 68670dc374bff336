package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream down (502), upstream not accepting connections (504), upstream silent (504) and a client that leaves
 * (upstream request cancelled).
 */
class UpstreamFailureTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":\"call-1\",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\"}}";

    private Vertx vertx;
    private TestHttp http;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void upstreamDownAnswers502WithReasonAndTheRequestId() throws Exception {
        int closedPort = dev.tollgate.gateway.support.TestPorts.unclaimed();
        try (RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + closedPort + "/mcp", null, null)) {
            TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.errorCode()).isEqualTo(-32050);
            assertThat(reply.reason()).isEqualTo("upstream_unavailable");
            assertThat(reply.json().path("id").asText()).isEqualTo("call-1");
            assertThat(reply.json().path("error").path("data").path("detail").asText()).contains("route upstream");
        }
    }

    /**
     * A listener whose accept queue is full drops the gateway's SYN, so its connection never completes: an instance
     * overloaded or half-dead. Vert.x fails the wait for a pooled connection when the route's connect-timeout ends,
     * with a TimeoutException of its own rather than Netty's ConnectTimeoutException; both are the documented 504.
     */
    @Test
    void upstreamThatNeverCompletesTheConnectionGets504AfterTheConnectTimeout() throws Exception {
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<SocketChannel> queueFillers = fillAcceptQueue(neverAccepts.getLocalPort());
            try (RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + neverAccepts.getLocalPort() + "/mcp",
                    "connect-timeout: 300ms", null)) {
                TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);

                assertThat(reply.status()).isEqualTo(504);
                assertThat(reply.errorCode()).isEqualTo(-32051);
                assertThat(reply.reason()).isEqualTo("upstream_connect_timeout");
                assertThat(reply.json().path("id").asText()).isEqualTo("call-1");
                assertThat(reply.json().path("error").path("data").path("detail").asText())
                        .contains("gave no connection within the route's connect-timeout (300 ms)")
                        .doesNotContain("Exception");
            } finally {
                for (SocketChannel filler : queueFillers) {
                    filler.close();
                }
            }
        }
    }

    /** Connections the listener's kernel queue holds unaccepted, until it drops further SYNs (Linux: backlog + 1). */
    private static List<SocketChannel> fillAcceptQueue(int port) throws Exception {
        List<SocketChannel> fillers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            fillers.add(channel);
        }
        Thread.sleep(200);
        long completed = 0;
        for (SocketChannel filler : fillers) {
            if (filler.finishConnect()) {
                completed++;
            }
        }
        assertThat(completed).as("connections the full queue let through").isLessThan(fillers.size());
        return fillers;
    }

    @Test
    void upstreamThatNeverAnswersGets504AfterTheResponseTimeout() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "response-timeout: 300ms", null)) {
            upstream.answer(request -> { /* never answers */ });

            TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);

            assertThat(reply.status()).isEqualTo(504);
            assertThat(reply.errorCode()).isEqualTo(-32051);
            assertThat(reply.reason()).isEqualTo("upstream_timeout");
            assertThat(reply.json().path("id").asText()).isEqualTo("call-1");
            assertThat(upstream.received()).hasSize(1);
            // The abandoned upstream request is cancelled, not left running.
            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.closedConnections() >= 1);
        }
    }

    /**
     * A client that hangs up does not cancel its call (MCP: a disconnect is not a cancellation): the upstream request is
     * left to run, holding the call's concurrency slot (review Y), and is cancelled when the route's response timeout
     * passes without an answer, the slot then given back.
     */
    @Test
    void clientThatDisconnectsLeavesItsUpstreamRequestUntilTheResponseTimeout() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "response-timeout: 3s", null)) {
            upstream.answer(request -> { /* holds the call open */ });
            CompletableFuture<HttpClientRequest> sent = new CompletableFuture<>();
            http.raw().request(TestHttp.mcpPost(gateway.port(), "/mcp")).onSuccess(req -> {
                req.send(CALL);
                sent.complete(req);
            });
            HttpClientRequest request = sent.get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> upstream.received().size() == 1);

            request.connection().close();

            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.gateway().metrics().registry()
                    .get("tollgate.client.aborts").counter().count() == 1.0);
            assertThat(upstream.closedConnections()).as("the call runs on upstream").isZero();
            assertThat(gateway.gateway().services().concurrentCalls().inFlight("upstream")).as("and holds its slot").isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.closedConnections() >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.gateway().services().concurrentCalls().inFlight("upstream") == 0);
        }
    }
}
