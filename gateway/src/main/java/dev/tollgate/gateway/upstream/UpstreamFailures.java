package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.errors.RejectReason;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Maps a failure to reach or read the upstream onto the stable reject reason the client receives. */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    /** What went wrong, in the words an operator searches for ("connection refused"), never a bare exception class. */
    public static String describe(RejectReason reason, Throwable cause, dev.tollgate.gateway.config.RouteConfig route) {
        return switch (reason) {
            case UPSTREAM_CONNECT_TIMEOUT -> "gave no connection within the route's connect-timeout (" + route.connectTimeout().toMillis() + " ms)";
            case UPSTREAM_TIMEOUT -> "sent no answer within the route's response-timeout (" + route.responseTimeout().toMillis() + " ms)";
            case UPSTREAM_UNAVAILABLE -> "is unreachable (" + unreachable(cause) + ")";
            default -> "failed: " + (cause == null ? "no answer" : cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " (" + firstLine(cause.getMessage()) + ")"));
        };
    }

    private static String unreachable(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        return "connection refused";
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    public static RejectReason classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Netty's ConnectTimeoutException extends ConnectException: test it first.
            // Vert.x fails the wait for a pooled connection (connecting included) with a TimeoutException of its own
            // when the request's connect timeout ends, usually before Netty's connect timer of the same length. The
            // gateway sets no other Vert.x timeout on an upstream request: its response timeout is its own timer.
            if (t instanceof io.netty.channel.ConnectTimeoutException || t instanceof TimeoutException) {
                return RejectReason.UPSTREAM_CONNECT_TIMEOUT;
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return RejectReason.UPSTREAM_UNAVAILABLE;
            }
        }
        return RejectReason.UPSTREAM_ERROR;
    }
}
