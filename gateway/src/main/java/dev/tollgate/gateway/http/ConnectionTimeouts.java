package dev.tollgate.gateway.http;

import dev.tollgate.gateway.config.LimitsConfig;
import io.vertx.core.Handler;
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
 */
public final class ConnectionTimeouts {

    private static final long MIN_SWEEP_MILLIS = 25;
    private static final long MAX_SWEEP_MILLIS = 1_000;

    private final Vertx vertx;
    private final Supplier<LimitsConfig> limits;
    private final Map<HttpConnection, State> connections = new HashMap<>();
    private long sweepTimer = -1;
    private long sweepMillis;

    private static final class State {
        int inFlight;
        /** System.nanoTime() after which an idle connection is closed; NOT_ARMED while a request is in flight. */
        long deadline = NOT_ARMED;
    }

    private static final long NOT_ARMED = Long.MAX_VALUE;

    public ConnectionTimeouts(Vertx vertx, Supplier<LimitsConfig> limits) {
        this.vertx = vertx;
        this.limits = limits;
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
            if (state != null) {
                state.inFlight++;
                state.deadline = NOT_ARMED;
                request.response().endHandler(v -> ended(state));
            }
            handler.handle(request);
        };
    }

    private void ended(State state) {
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
