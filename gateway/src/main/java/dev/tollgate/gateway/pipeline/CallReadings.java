package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import java.util.ArrayList;
import java.util.List;

/**
 * The readings of a call the policy stage decides besides the call itself, and which of two decisions refuses more: what
 * {@code tollgate replay} re-decides a record under, as the live gateway decided it (review BD: replay decided the
 * recorded reading only, so a rule the gateway applies through another reading replayed as unchanged).
 */
public final class CallReadings {

    private CallReadings() {
    }

    /**
     * An A2A message's other readings ({@link A2aCallDescriber#otherReadings}: its text parts joined otherwise, the path's
     * tenant), and a {@code subscriptions/listen}'s per resource it watches ({@link McpCallDescriber#listenedResources}: the
     * listen naming it, and its {@code resources/subscribe}). Empty for any other call.
     */
    public static List<CallDescription> otherReadings(CallDescription call) {
        if ("a2a".equals(call.protocol())) {
            return A2aCallDescriber.otherReadings(call);
        }
        List<McpCallDescriber.ListenedResource> listened = McpCallDescriber.listenedResources(call);
        if (listened.isEmpty()) {
            return List.of();
        }
        List<CallDescription> readings = new ArrayList<>(listened.size() * 2);
        listened.forEach(resource -> readings.addAll(resource.readings()));
        return readings;
    }

    /**
     * Whether {@code candidate} stops more than {@code current}: an enforced deny, then an approval (review L: an approval
     * ranked as a deny, so a first reading held for approval hid a later reading's deny, forwarded once approved), then
     * a shadow (dry-run) deny. Of two approvals the first is kept: the approver is shown the whole call.
     */
    public static boolean refusesMore(Decision candidate, Decision current) {
        return strictness(candidate) > strictness(current);
    }

    private static int strictness(Decision decision) {
        if (decision.isDenied() && decision.enforcedDeny()) {
            return 3;
        }
        if (decision.requiresApproval()) {
            return 2;
        }
        return decision.isDenied() ? 1 : 0;
    }
}
