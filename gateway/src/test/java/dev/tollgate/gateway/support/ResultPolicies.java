package dev.tollgate.gateway.support;

/** Policy {@code p} documents the result-policy tests share. */
public final class ResultPolicies {

    /** Results that instruct the model (injection phrases) are withheld. */
    public static final String DENY_INJECTIONS = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-injected-results
                condition: {all: [{direction: result}, {check: {name: injection_phrases}}]}
                action: deny
            """;

    /** As {@link #DENY_INJECTIONS}, and secrets in results are redacted. */
    public static final String DENY_INJECTIONS_REDACT_SECRETS = DENY_INJECTIONS + """
              - name: no-leaked-secrets
                condition: {all: [{direction: result}, {check: {name: secrets}}]}
                action: redact
            """;

    private ResultPolicies() {
    }
}
