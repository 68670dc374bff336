package dev.tollgate.policy;

/**
 * What a rule (or a document's default) decides. AUDIT allows the call and marks it for the audit trail. APPROVE holds
 * the call until a person decides (see {@link ApprovalTerms}); anything that cannot hold a call treats it as a deny.
 * REDACT, only on result rules, relays the result with what the rule's detectors found replaced.
 */
public enum Action {
    ALLOW, DENY, AUDIT, APPROVE, REDACT
}
