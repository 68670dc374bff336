package dev.tollgate.policy;

import java.time.Instant;

/** Everything one evaluation reads: the call, the caller, and the time of the call. */
public record PolicyRequest(CallDescription call, Identity identity, Instant time) {
}
