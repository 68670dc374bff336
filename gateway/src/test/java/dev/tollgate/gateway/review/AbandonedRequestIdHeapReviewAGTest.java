package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.pipeline.SessionRequestIds;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review AG (heap growth past a bound): {@code SessionRequestIds} keeps the JSON-RPC id of every call that ended before
 * its answer (client gone, upstream timeout) for 15 minutes, at most 100,000 of them, sized as "about 100 bytes each".
 * The id is the client's to choose and nothing bounds its length but the body limit (4 MiB). One client in its own
 * session sends {@code tools/call}s whose id is a 3 MiB string and hangs up once each is forwarded: every one keeps 3 MiB
 * of heap for 15 minutes after its slot is free (a few hundred of them are a gigabyte; the 100,000 bound is 300 GB).
 *
 * <p>Two mends since: an id is at most {@value JsonRpcId#MAX_STRING_LENGTH} characters (the 3 MiB id is refused before
 * anything is forwarded), and a held id longer than 64 characters is held as its digest. The heap bound is checked with
 * ids of the longest length allowed, each abandoned as the review's were.
 */
class AbandonedRequestIdHeapReviewAGTest {

    private static final int ATTACK_ID_CHARS = 3 * 1024 * 1024;
    private static final int ID_CHARS = JsonRpcId.MAX_STRING_LENGTH;
    private static final int CALLS = 6;
    /** The class's own estimate is about 100 bytes per held id; allow ten times that. */
    private static final long BYTES_PER_HELD_ID = 1024;

    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("\"initialize\"")) {
                request.response().putHeader("Mcp-Session-Id", "session-1").putHeader("Content-Type", "application/json")
                        .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                                + "\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}}");
            } else if (body.contains("\"hang\"")) {
                // a slow tool: never answered (the route's response-timeout ends the gateway's wait)
            } else {
                request.response().setStatusCode(202).end();
            }
        });
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "response-timeout: 2s", null);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aCallWhoseIdIsThreeMebibytesIsRefusedAndNotForwarded() throws Exception {
        String session = initialize();
        int before = upstream.received().size();
        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session).putHeader("MCP-Protocol-Version", "2025-11-25"),
                io.vertx.core.buffer.Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":\"" + "x".repeat(ATTACK_ID_CHARS)
                        + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"hang\",\"arguments\":{}}}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("invalid_id");
        assertThat(upstream.received()).as("nothing forwarded").hasSize(before);
    }

    private String initialize() throws Exception {
        TestHttp.Reply init = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}");
        String session = init.headers().get("Mcp-Session-Id");
        assertThat(session).as(init.body().toString()).isNotNull();
        return session;
    }

    @Test
    void callsWithTheLongestIdsAbandonedByTheirClientHoldOnlyTheirDigests() throws Exception {
        String session = initialize();

        for (int i = 0; i < CALLS; i++) {
            int before = upstream.received().size();
            String id = "x".repeat(ID_CHARS - 1) + i;
            byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"hang\",\"arguments\":{}}}")
                    .getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port() + "\r\nContent-Type: application/json\r\n"
                        + "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nMcp-Session-Id: " + session
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (upstream.received().size() == before && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(upstream.received()).as("call %d forwarded", i).hasSize(before + 1);
            } // the client hangs up: the call is abandoned, its upstream still running it
        }

        SessionRequestIds ids = gateway.gateway().services().learnt().sessionRequestIds();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (heldAbandoned(ids) < CALLS && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(heldAbandoned(ids)).as("the abandoned calls' ids are held (15 minutes)").isEqualTo(CALLS);

        long heldChars = heldIdChars(ids);
        assertThat(heldChars)
                .as("chars of client-chosen ids held for 15 minutes after %d abandoned calls (documented: about 100 bytes each)", CALLS)
                .isLessThanOrEqualTo(CALLS * BYTES_PER_HELD_ID);
    }

    private static int heldAbandoned(SessionRequestIds ids) throws Exception {
        Field f = SessionRequestIds.class.getDeclaredField("abandoned");
        f.setAccessible(true);
        Collection<?> abandoned = (Collection<?>) f.get(ids);
        synchronized (abandoned) {
            return abandoned.size();
        }
    }

    private static long heldIdChars(SessionRequestIds ids) throws Exception {
        Field f = SessionRequestIds.class.getDeclaredField("inFlight");
        f.setAccessible(true);
        long chars = 0;
        for (Object key : ((java.util.Map<?, ?>) f.get(ids)).keySet()) {
            Method id = key.getClass().getDeclaredMethod("id");
            id.setAccessible(true);
            chars += ((JsonNode) id.invoke(key)).asText().length();
        }
        return chars;
    }
}
