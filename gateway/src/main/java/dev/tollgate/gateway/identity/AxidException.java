package dev.tollgate.gateway.identity;

import dev.tollgate.gateway.errors.RejectReason;

/** An AXID refused, with the stable reason the client and the metrics see. */
public final class AxidException extends Exception {

    private final RejectReason reason;

    public AxidException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
