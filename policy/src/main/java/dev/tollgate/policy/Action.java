package dev.tollgate.policy;

/** What a rule (or a document's default) decides. AUDIT allows the call and marks it for the audit trail. */
public enum Action {
    ALLOW, DENY, AUDIT
}
