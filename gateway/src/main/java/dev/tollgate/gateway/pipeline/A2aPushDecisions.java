package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.protocols.a2a.A2aCall;

/**
 * The denial of an A2A call that hands the agent a push-notification config ({@link A2aCall#configuresPush}) on a route
 * whose policy has result rules (review BO). The agent POSTs the task's events to the webhook itself, never through the
 * gateway, so what the result rules withhold from the caller's answer (a secret in an artifact, an injection in a status
 * message) would reach the caller all the same: the config is refused before policy, never forwarded, under a policy name
 * of its own that {@link PolicyDenials} answers with {@code push_bypasses_result_rules}. Made in the policy's mode: a
 * shadow policy's result rules withhold nothing, so its push configs are recorded, not refused.
 */
final class A2aPushDecisions {

    /** Recognised by identity, not by value (as {@link WithheldToolDecisions#POLICY}). */
    static final String POLICY = new String("tollgate-results");

    private A2aPushDecisions() {
    }

    /** The denial of the call under {@code policy}, or null when it configures no push or the policy has no result rule. */
    static Decision denial(CompiledPolicy policy, A2aCall call) {
        if (call == null || policy == null || !call.configuresPush() || !policy.hasResultRules()) {
            return null;
        }
        return new Decision(Action.DENY, null, "a push-notification config would send the task's results to a webhook directly,"
                + " past the result rules of policy '" + policy.name() + "' (on this route the gateway relays them only in its"
                + " answers: poll GetTask or stream the task instead)", POLICY, policy.mode());
    }

    /** Whether push configs are refused under {@code policy}: it has result rules, enforced. */
    static boolean refusesPush(CompiledPolicy policy) {
        return policy != null && policy.hasResultRules() && policy.mode() == dev.tollgate.policy.Mode.ENFORCE;
    }

    /**
     * A card served on a route that refuses push configs says so: {@code capabilities.pushNotifications} (and the proto
     * JSON's {@code push_notifications}, when the agent wrote it) false, so a client following the card does not offer a
     * webhook only to be refused. A card without capabilities already offers none.
     */
    static void withoutPush(com.fasterxml.jackson.databind.node.ObjectNode card, CompiledPolicy policy) {
        if (!refusesPush(policy) || !(card.get("capabilities") instanceof com.fasterxml.jackson.databind.node.ObjectNode capabilities)) {
            return;
        }
        capabilities.put("pushNotifications", false);
        if (capabilities.has("push_notifications")) {
            capabilities.put("push_notifications", false);
        }
    }

    @SuppressWarnings("StringEquality")
    static boolean isPushDenial(Decision decision) {
        return decision.policyName() == POLICY;
    }
}
