package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestPorts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix T: a call whose session's instance refused the connection, or gave none within the route's connect-timeout, was
 * answered 404 {@code session_not_found}. That is how MCP tells a client its session is over (the spec has it start a new
 * one with initialize), though the instance, and the session on it, may be back in a moment. It now gets the answer any
 * other connect failure gets (502 {@code upstream_unavailable}, 504 {@code upstream_connect_timeout}); the call is not
 * moved to another instance, and once the instance is back the same session is served again. A session whose instance
 * the route no longer lists is still 404 {@code session_not_found}.
 * (The TypeScript SDK's StreamableHTTPClientTransport, 1.32.2, throws StreamableHTTPError with the status for both and
 * keeps its session id; an application following the spec starts a new session on the 404 only.)
 */
class SessionInstanceUnreachableFixTTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aSessionWhoseInstanceRefusesConnectionsGets502AndIsServedAgainOnceTheInstanceIsBack() throws Exception {
        RecordingUpstream a = sessionUpstream(TestPorts.unclaimed(), "session-of-a");
        RecordingUpstream b = sessionUpstream(TestPorts.unclaimed(), "session-of-b");
        RunningGateway gateway = gateway("""
                upstreams: [{url: "%s"}, {url: "%s"}]
                balance: round-robin""".formatted(a.url("/mcp"), b.url("/mcp")));
        String session = http.postMcp(gateway.port(), "/mcp", INITIALIZE).headers().get("Mcp-Session-Id");
        RecordingUpstream holder = a.received().size() == 1 ? a : b;
        RecordingUpstream other = holder == a ? b : a;
        String holderSession = holder == a ? "session-of-a" : "session-of-b";
        int port = holder.port();
        int otherBefore = other.received().size();
        holder.close();
        closing.remove(holder);

        TestHttp.Reply down = call(gateway, session);

        assertThat(down.status()).as(down.body().toString()).isEqualTo(502);
        assertThat(down.reason()).isEqualTo("upstream_unavailable");
        assertThat(down.json().path("id").asInt()).isEqualTo(7);
        assertThat(other.received()).as("a session's call is not moved to another instance").hasSize(otherBefore);

        RecordingUpstream back = sessionUpstream(port, holderSession);
        TestHttp.Reply served = call(gateway, session);

        assertThat(served.status()).as(served.body().toString()).isEqualTo(200);
        assertThat(back.received()).singleElement()
                .satisfies(r -> assertThat(r.headers().get("Mcp-Session-Id")).isEqualTo(holderSession));
    }

    @Test
    void aSessionWhoseInstanceGivesNoConnectionInTimeGets504AndIsServedAgainOnceTheInstanceIsBack() throws Exception {
        RecordingUpstream a = sessionUpstream(TestPorts.unclaimed(), "session-of-a");
        int port = a.port();
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}]".formatted(a.url("/mcp")));
        String session = http.postMcp(gateway.port(), "/mcp", INITIALIZE).headers().get("Mcp-Session-Id");
        a.close();
        closing.remove(a);

        TestHttp.Reply slow;
        try (ServerSocket neverAccepts = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            List<SocketChannel> fillers = fillAcceptQueue(port);
            try {
                slow = call(gateway, session);
            } finally {
                for (SocketChannel filler : fillers) {
                    filler.close();
                }
            }
        }

        assertThat(slow.status()).as(slow.body().toString()).isEqualTo(504);
        assertThat(slow.reason()).isEqualTo("upstream_connect_timeout");
        RecordingUpstream back = sessionUpstream(port, "session-of-a");
        TestHttp.Reply served = call(gateway, session);
        assertThat(served.status()).as(served.body().toString()).isEqualTo(200);
        assertThat(back.received()).singleElement()
                .satisfies(r -> assertThat(r.headers().get("Mcp-Session-Id")).isEqualTo("session-of-a"));
    }

    @Test
    void aSessionWhoseInstanceTheRouteNoLongerListsIsStillUnknown() throws Exception {
        RecordingUpstream a = sessionUpstream(0, "session-of-a");
        RecordingUpstream b = sessionUpstream(0, "session-of-b");
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}]".formatted(a.url("/mcp")));
        String session = http.postMcp(gateway.port(), "/mcp", INITIALIZE).headers().get("Mcp-Session-Id");
        RunningGateway without = gateway("upstreams: [{url: \"%s\"}]".formatted(b.url("/mcp")));

        TestHttp.Reply refused = call(without, session);

        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.reason()).isEqualTo("session_not_found");
        assertThat(b.received()).isEmpty();
    }

    private TestHttp.Reply call(RunningGateway gateway, String session) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session), Buffer.buffer(CALL));
    }

    /** Connections the listener's kernel queue holds unaccepted, until it drops further SYNs (Linux: backlog + 1). */
    private static List<SocketChannel> fillAcceptQueue(int port) throws Exception {
        List<SocketChannel> fillers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
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

    /** An instance that names its own session on every answer, as an MCP server does after initialize. */
    private RecordingUpstream sessionUpstream(int port, String sessionId) throws Exception {
        RecordingUpstream upstream = new RecordingUpstream(vertx, port);
        closing.add(upstream);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            // No pooled connection: once the instance stops, the gateway's next call is refused at connect (not sent on a
            // connection the instance closed a moment before, which is upstream_error, also 502).
            request.response().putHeader("Mcp-Session-Id", sessionId).putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{}}");
        });
        return upstream;
    }

    private RunningGateway gateway(String upstreamsYaml) throws Exception {
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions: {keys: [{id: k1, secret: "%s"}]}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    connect-timeout: 500ms
                %s
                """.formatted(dir.resolve("policies"), KEY, upstreamsYaml.indent(4).stripTrailing()));
        closing.add(gateway);
        return gateway;
    }
}
