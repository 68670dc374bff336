package dev.tollgate.policy.check;

import dev.tollgate.policy.PolicyRequest;

/**
 * A check with its arguments bound. True means the rule's condition holds. Pure, fast, no I/O, no blocking:
 * see {@link PolicyCheck} for a good and a bad example. Throwing makes the rule match as a deny.
 */
@FunctionalInterface
public interface CompiledCheck {

    boolean test(PolicyRequest request);
}
