package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.errors.RejectReason;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** Maps a failure to reach or read the upstream onto the stable reject reason the client receives. */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    public static RejectReason classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Netty's ConnectTimeoutException extends ConnectException: test it first.
            if (t instanceof io.netty.channel.ConnectTimeoutException) {
                return RejectReason.UPSTREAM_CONNECT_TIMEOUT;
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return RejectReason.UPSTREAM_UNAVAILABLE;
            }
        }
        return RejectReason.UPSTREAM_ERROR;
    }
}
