package dev.tollgate.policy.agt;

/** A rule no native condition decides exactly like: the message is the reason the report gives. */
final class Unconvertible extends RuntimeException {

    Unconvertible(String reason) {
        super(reason, null, false, false);
    }
}
