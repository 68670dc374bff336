package dev.tollgate.gateway.http;

import dev.tollgate.gateway.config.LimitsConfig;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Closes client connections that hold resources without making calls: one that has not delivered a request's
 * headers within {@code limits.header-timeout} of opening (slowloris), and one with no request in flight for
 * {@code limits.idle-timeout}. A connection with a request in flight (an SSE stream that stays quiet for
 * minutes included) is never closed here: how long a call may take is the route's business. An idle timeout
 * of the socket (Vert.x's idle timeout) could not tell a quiet stream from an idle connection.
 *
 * <p>Listeners do not accept cleartext HTTP/2 by prior knowledge (h2c): to detect it Vert.x holds a new
 * connection until enough bytes arrive and only then reports it, so a slow client would never be timed.
 *
 * <p>One instance per listener verticle: its connections and their requests all run on that verticle's
 * event loop, so the table needs no locking.
 *
 * <p>No timer per request: setting and cancelling a Vert.x timer on every call (two hash-table updates and a
 * priority-queue insert and removal) was a measurable share of a gateway's time per call. Each connection
 * keeps a deadline instead (a field write per request), and one periodic sweep per verticle, a quarter of
 * the shorter timeout apart (25 ms to 1 s), closes the connections past theirs: a connection is closed
 * within a quarter of its timeout after it expired.
 *
 * <p>Also ends the connections an HTTP/1.0 answer must end with (see {@link #framedByTheClose}).
 */
public final class ConnectionTimeouts {

    private static final long MIN_SWEEP_MILLIS = 25;
    private static final long MAX_SWEEP_MILLIS = 1_000;

    private final Vertx vertx;
    private final Supplier<LimitsConfig> limits;
    /** mTLS listeners: re-checks the connection's client SVID per request (its verdict kept in the connection's state). */
    private final PeerSvidGuard peers;
    private final Map<HttpConnection, State> connections = new HashMap<>();
    private long sweepTimer = -1;
    private long sweepMillis;

    private static final class State {
        int inFlight;
        /** An answer on it is framed by the close (HTTP/1.0, no length): no further request is taken, it closes at its end. */
        boolean closing;
        /** System.nanoTime() after which an idle connection is closed; NOT_ARMED while a request is in flight. */
        long deadline = NOT_ARMED;
        /** The connection's client SVID as {@link PeerSvidGuard} last found it (mTLS listeners). */
        PeerSvidGuard.Verdict peer;
    }

    private static final long NOT_ARMED = Long.MAX_VALUE;

    public ConnectionTimeouts(Vertx vertx, Supplier<LimitsConfig> limits) {
        this(vertx, limits, null);
    }

    /** @param peers an mTLS listener's per-request check of the client SVID, or null */
    public ConnectionTimeouts(Vertx vertx, Supplier<LimitsConfig> limits, PeerSvidGuard peers) {
        this.vertx = vertx;
        this.limits = limits;
        this.peers = peers;
    }

    /** For {@code HttpServer.connectionHandler}: a new connection must send its first headers in time. */
    public void connected(HttpConnection connection) {
        State state = new State();
        connections.put(connection, state);
        state.deadline = System.nanoTime() + limits.get().headerTimeout().toNanos();
        connection.closeHandler(v -> connections.remove(connection));
        ensureSweeping();
    }

    /** Wraps the listener's request handler: a request in flight disarms the deadline until its answer ends. */
    public Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> handler) {
        return request -> {
            HttpConnection connection = request.connection();
            State state = connections.get(connection);
            if (state != null && state.closing) {
                // Pipelined behind an answer that ends with the connection: never run, its client sees the close.
                return;
            }
            if (peers != null) {
                PeerSvidGuard.Verdict verdict = peers.admit(request, state != null ? state.peer : null);
                if (verdict == null) {
                    if (state != null) {
                        state.closing = true;
                    }
                    return;
                }
                if (state != null) {
                    state.peer = verdict;
                }
            }
            if (state != null) {
                state.inFlight++;
                state.deadline = NOT_ARMED;
                request.response().endHandler(v -> ended(connection, state));
                if (request.version() == HttpVersion.HTTP_1_0) {
                    HttpServerResponse response = request.response();
                    response.headersEndHandler(v -> framedByTheClose(response, state));
                }
            }
            handler.handle(request);
        };
    }

    /**
     * HTTP/1.0 has no chunked coding: an answer without a Content-Length (a stream: SSE relays, the MCP GET stream, an
     * A2A stream, a large answer without a length, an approval question) ends only where the connection closes (RFC 9112
     * 6.3). Vert.x ignores {@code setChunked} on such an answer and, when the client asked for keep-alive, says
     * {@code Connection: keep-alive} and keeps the connection: the client never saw the answer end, and the next answer on
     * the connection arrived inside it (review BF). Called once the head is complete (Vert.x has set Content-Length for an
     * answer written whole, and its Connection header): such an answer says {@code Connection: close}, and the connection
     * takes no further request and closes when the answer ends.
     */
    private static void framedByTheClose(HttpServerResponse response, State state) {
        MultiMap headers = response.headers();
        if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && headers.contains(HttpHeaders.CONNECTION, HttpHeaders.KEEP_ALIVE, true)) {
            headers.set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            state.closing = true;
        }
    }

    private void ended(HttpConnection connection, State state) {
        if (state.closing) {
            // After the answer's last bytes: Vert.x queues the close behind them.
            connection.close();
        }
        state.inFlight--;
        if (state.inFlight == 0) {
            // The next request's headers must arrive within the idle timeout too.
            state.deadline = System.nanoTime() + limits.get().idleTimeout().toNanos();
        }
    }

    /** Starts the sweep, or restarts it when a reload changed the timeouts it is paced by. */
    private void ensureSweeping() {
        LimitsConfig current = limits.get();
        long wanted = Math.max(MIN_SWEEP_MILLIS, Math.min(MAX_SWEEP_MILLIS,
                Math.min(current.headerTimeout().toMillis(), current.idleTimeout().toMillis()) / 4));
        if (sweepTimer >= 0 && wanted == sweepMillis) {
            return;
        }
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        sweepMillis = wanted;
        sweepTimer = vertx.setPeriodic(wanted, id -> sweep());
    }

    private void sweep() {
        if (connections.isEmpty()) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
            return;
        }
        long now = System.nanoTime();
        List<HttpConnection> expired = new ArrayList<>();
        connections.forEach((connection, state) -> {
            if (state.inFlight == 0 && state.deadline != NOT_ARMED && now - state.deadline >= 0) {
                expired.add(connection);
            }
        });
        // Closed after the walk: a close can run the close handler, which edits the table, at once.
        expired.forEach(HttpConnection::close);
        ensureSweeping();
    }

    /** Connections open now (for tests and metrics). */
    public int open() {
        return connections.size();
    }
}
