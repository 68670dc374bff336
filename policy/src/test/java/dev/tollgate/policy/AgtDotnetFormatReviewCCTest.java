package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import org.junit.jupiter.api.Test;

/**
 * Review CC: AGT v5.0.0's .NET SDK (and the maf-integration .NET examples) write policies with {@code apiVersion:
 * governance.toolkit/v1}, {@code default_action}, expression conditions ({@code "tool_name == 'web_search'"}) and actions
 * {@code require_approval}/{@code rate_limit} (agent-governance-dotnet/examples/Quickstart/policies/quickstart.yaml).
 * Tollgate does not read that format, which is fair, but it reads such a file as a native document and answers with
 * the native format's complaints ("apiVersion: unknown field (expected one of defaults, description, mode, name, rules,
 * version)", "a condition is a mapping with exactly one key, one of: all, any, ..."), never saying that this is AGT's
 * .NET format and that only the Python {@code agent_os.policies} format loads.
 */
class AgtDotnetFormatReviewCCTest {

    private static final String QUICKSTART = """
            apiVersion: governance.toolkit/v1
            version: "1.0"
            name: quickstart-policy
            default_action: deny
            rules:
              - name: allow-safe-reads
                condition: "tool_name == 'web_search'"
                action: allow
                priority: 10
              - name: require-approval-for-email
                condition: "tool_name == 'send_email'"
                action: require_approval
                approvers:
                  - "security-officer@contoso.com"
                priority: 50
            """;

    @Test
    void theRefusalSaysItIsAgtsDotnetFormat() {
        assertThatThrownBy(() -> PolicyLoader.parse(QUICKSTART, "quickstart.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("AGT");
    }
}
