package dev.tollgate.policy;

import java.time.Duration;
import java.util.List;

/**
 * How a rule with action {@code approve} holds a call for a person: how long it waits for a decision, what
 * happens when none comes, and who is expected to decide (passed to the approver's webhook; the gateway does
 * not authenticate approvers by this list).
 *
 * @param timeout   how long the call is held before {@code onTimeout} applies
 * @param onTimeout {@link Action#DENY} (the default) or {@link Action#ALLOW}
 * @param approvers names or groups shown to whoever decides
 */
public record ApprovalTerms(Duration timeout, Action onTimeout, List<String> approvers, boolean askClient) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    public static final ApprovalTerms DEFAULT = new ApprovalTerms(DEFAULT_TIMEOUT, Action.DENY, List.of(), false);

    /** Terms decided by approvers only (the webhook and the admin API). */
    public ApprovalTerms(Duration timeout, Action onTimeout, List<String> approvers) {
        this(timeout, onTimeout, approvers, false);
    }

    public ApprovalTerms {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
        if (onTimeout != Action.DENY && onTimeout != Action.ALLOW) {
            throw new IllegalArgumentException("on-timeout is deny or allow");
        }
    }
}
