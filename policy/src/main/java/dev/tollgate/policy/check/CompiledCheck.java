package dev.tollgate.policy.check;

import dev.tollgate.policy.PolicyRequest;

/** A check with its arguments bound: pure, fast, no I/O. True means the rule's condition holds. */
@FunctionalInterface
public interface CompiledCheck {

    boolean test(PolicyRequest request);
}
