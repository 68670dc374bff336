package dev.tollgate.policy;

import java.time.Instant;

/**
 * Everything one evaluation reads: the call, the caller, the time of the call, and the live facts the
 * gateway fetched for it beforehand (spend, rate-limit state); {@link CallFacts#NONE} when there are none.
 */
public record PolicyRequest(CallDescription call, Identity identity, Instant time, CallFacts facts) {

    public PolicyRequest {
        facts = facts == null ? CallFacts.NONE : facts;
    }

    public PolicyRequest(CallDescription call, Identity identity, Instant time) {
        this(call, identity, time, CallFacts.NONE);
    }
}
