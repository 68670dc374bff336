package dev.tollgate.gateway.http;

import dev.tollgate.gateway.config.LimitsConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
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
 */
public final class ConnectionTimeouts {

    private final Vertx vertx;
    private final Supplier<LimitsConfig> limits;
    private final Map<HttpConnection, State> connections = new HashMap<>();

    private static final class State {
        int inFlight;
        long timer = -1;
    }

    public ConnectionTimeouts(Vertx vertx, Supplier<LimitsConfig> limits) {
        this.vertx = vertx;
        this.limits = limits;
    }

    /** For {@code HttpServer.connectionHandler}: a new connection must send its first headers in time. */
    public void connected(HttpConnection connection) {
        State state = new State();
        connections.put(connection, state);
        arm(connection, state, limits.get().headerTimeout().toMillis());
        connection.closeHandler(v -> {
            State gone = connections.remove(connection);
            if (gone != null && gone.timer >= 0) {
                vertx.cancelTimer(gone.timer);
            }
        });
    }

    /** Wraps the listener's request handler: a request in flight disarms the timer until its answer ends. */
    public Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> handler) {
        return request -> {
            HttpConnection connection = request.connection();
            State state = connections.get(connection);
            if (state != null) {
                state.inFlight++;
                disarm(state);
                request.response().endHandler(v -> ended(connection, state));
            }
            handler.handle(request);
        };
    }

    private void ended(HttpConnection connection, State state) {
        state.inFlight--;
        if (state.inFlight == 0 && connections.containsKey(connection)) {
            // The next request's headers must arrive within the idle timeout too.
            arm(connection, state, limits.get().idleTimeout().toMillis());
        }
    }

    private void arm(HttpConnection connection, State state, long millis) {
        disarm(state);
        state.timer = vertx.setTimer(millis, id -> {
            state.timer = -1;
            if (state.inFlight == 0) {
                connection.close();
            }
        });
    }

    private void disarm(State state) {
        if (state.timer >= 0) {
            vertx.cancelTimer(state.timer);
            state.timer = -1;
        }
    }

    /** Connections open now (for tests and metrics). */
    public int open() {
        return connections.size();
    }
}
