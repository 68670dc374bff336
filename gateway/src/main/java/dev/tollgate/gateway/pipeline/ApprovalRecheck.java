package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.identity.AxidException;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.mcp.McpMethods;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a held call an approval let through may still be forwarded: decided again on the configuration serving now,
 * as a new call would be (review AO: an approval given after an operator reloaded an emergency deny of the tool, or
 * removed the route, still forwarded the call, to the removed route's upstream too). Approvals wait minutes or hours,
 * far longer than a call in flight, so the snapshot the call was held in is not the one to forward it under.
 *
 * <p>The approval stands when no reload came (the snapshot serving is the call's own: one reference compared), or when
 * the route is still there with the same upstream and its policy now allows, audits or asks an approval for the call
 * (any rule: the person's yes answers that). It is superseded when the route is gone, its upstream endpoints or
 * upstream mTLS changed, who it admits changed (AXID mode, SPIFFE IDs, OAuth, the AXID settings: the caller was never
 * checked so) or its pin manifest did (the tool may no longer be a reviewed one), its result rules now withhold the
 * tool's definition, the names its policy now reads make an argument of the call ambiguous (review CJ), its policy (or its
 * absence) now denies the call, enforced, on any reading the policy stage decides (a tool call as sent and as its tool fills
 * the defaults its listed schema gives: review CJ), or applies a rate or budget limit the call did not secure when it was
 * held (review AQ). Pure and in memory: the policy is evaluated with {@link SettledFacts}, so
 * nothing is secured twice and nothing waits; a limit not secured then refuses the call rather than being secured late.
 */
final class ApprovalRecheck {

    /** Why a held call's approval no longer lets it through. */
    enum Cause {
        ROUTE_REMOVED("route_removed"),
        UPSTREAM_CHANGED("upstream_changed"),
        /** Who the route admits changed (its AXID mode, SPIFFE IDs, OAuth, the AXID settings): the caller was not checked so. */
        ADMISSION_CHANGED("admission_changed"),
        /** The route's pin manifest or pinning settings changed: the call's tool may no longer be a reviewed one. */
        PINS_CHANGED("pins_changed"),
        /** The serving policy's result rules withheld the tool's listed definition (review AS): a new call is refused so. */
        TOOL_WITHHELD("tool_withheld"),
        /**
         * The serving policy reads an argument name the call spells another way (review CJ): a new call is refused so before
         * policy ({@link ArgumentNameCheck}), since a tool binding names case-insensitively may act on the spelling no rule read.
         */
        AMBIGUOUS_ARGUMENT_NAME("ambiguous_argument_name"),
        POLICY_DENIES("policy_denies"),
        /** The serving policy applies a rate or budget limit the call did not secure when it was held. */
        LIMIT_ADDED("limit_added"),
        /** A round of a call its client approved itself, after a reload turned the rule's {@code ask-client} off (review BZ). */
        ASK_CLIENT_OFF("ask_client_off"),
        /** A round of a call let through by an allowing timeout, after a reload set the rule's {@code on-timeout} to deny (review BZ). */
        ON_TIMEOUT_DENY("on_timeout_deny");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /**
     * @param denial the serving policy's deny (naming its policy and rule) when {@link Cause#POLICY_DENIES}, the result rule's
     *               decision that withheld the tool when {@link Cause#TOOL_WITHHELD}; null otherwise
     * @param detail one sentence for the client and the log
     */
    record Superseded(Cause cause, Decision denial, String detail) {
    }

    private ApprovalRecheck() {
    }

    /**
     * @param declared the tools' listed inputs, as learnt by the time the approval ends (their names and defaults)
     * @return why the approval no longer lets the call through, or null when it stands
     */
    static Superseded check(Exchange exchange, WithheldTools withheld, DeclaredEnums declared, ArgumentNameCheck argumentNames) {
        GatewaySnapshot serving = exchange.servingSnapshot();
        if (serving == exchange.snapshot()) {
            return null; // no reload since the call began: the decision it was held on is the serving one
        }
        Route held = exchange.route().route();
        Route now = serving.routes().named(held.name());
        if (now == null) {
            return new Superseded(Cause.ROUTE_REMOVED, null, "route '" + held.name() + "' was removed by a reload while the call was held");
        }
        if (!serving.endpoints(held.name()).equals(exchange.snapshot().endpoints(held.name()))
                || !Objects.equals(now.config().upstreamTls(), held.config().upstreamTls())) {
            return new Superseded(Cause.UPSTREAM_CHANGED, null,
                    "route '" + held.name() + "' was given another upstream by a reload while the call was held");
        }
        if (!admitsAlike(held.config(), now.config()) || !Objects.equals(serving.config().axid(), exchange.snapshot().config().axid())) {
            // Review AQ: an anonymous caller's held call was forwarded after the route came to require a verified AXID.
            return new Superseded(Cause.ADMISSION_CHANGED, null, "who route '" + held.name()
                    + "' admits was changed by a reload while the call was held: send the call again");
        }
        String axidRefused = axidRefusedNow(exchange, serving);
        if (axidRefused != null) {
            // Review AS: the operator revoked the signing key (the same jwks-file, new keys); a new call with the token got
            // 401 while the held one went on.
            return new Superseded(Cause.ADMISSION_CHANGED, null, "the caller's AXID is no longer accepted by the configuration"
                    + " serving now (" + axidRefused + "): send the call again");
        }
        if (!Objects.equals(serving.pins(held.name()), exchange.snapshot().pins(held.name()))) {
            // Review AR: a held call to a tool the reloaded manifest no longer lists went on, a new one was refused unpinned.
            return new Superseded(Cause.PINS_CHANGED, null, "route '" + held.name()
                    + "' was given another pin manifest by a reload while the call was held: send the call again");
        }
        CompiledPolicy policy = serving.policyFor(now);
        CallDescription call = exchange.calls().isEmpty() ? null : exchange.calls().get(0);
        Decision withholding = call != null && McpMethods.TOOLS_CALL.equals(call.method()) && call.toolName() != null
                ? withheld.withholding(held.name(), call.toolName(), policy) : null;
        if (withholding != null && withholding.mode() != dev.tollgate.policy.Mode.SHADOW) {
            // As the policy stage refuses a new call to it: the serving result rules keep the tool's definition from callers.
            return new Superseded(Cause.TOOL_WITHHELD, withholding, "the result rules serving now withhold tool '" + call.toolName()
                    + "'" + (withholding.ruleName() == null ? "" : " (rule " + withholding.ruleName() + ")"));
        }
        Decision pushDenial = exchange.a2a() == null ? null : A2aPushDecisions.denial(policy, exchange.a2a().call());
        if (pushDenial != null && pushDenial.enforcedDeny()) {
            // As the policy stage refuses a new one: a reload gave the route result rules the call's push config would pass.
            return new Superseded(Cause.POLICY_DENIES, pushDenial, "the call's push-notification config would carry the task's"
                    + " results past the result rules serving now");
        }
        McpMessage.ToolCall sent = sentToolCall(exchange, call);
        String ambiguous = sent == null ? null : argumentNames.ambiguous(declared.names(held.name(), exchange.upstreamSessionId(),
                () -> CallerKey.of(exchange.identity()), sent.toolName()), policy, sent.toolName(), sent.arguments());
        if (ambiguous != null) {
            // As the policy stage refuses a new call before policy: a reload made a rule read a name the call spells otherwise.
            // The argument's pointer stays off the detail, which goes to the client and the log (an argument key may be a secret).
            return new Superseded(Cause.AMBIGUOUS_ARGUMENT_NAME, ArgumentNameDecisions.ambiguous(call, ambiguous, policy),
                    "the policy serving now reads an argument the call spells another way: send each argument once, spelled as"
                            + " the tool's listed input schema declares it");
        }
        SettledFacts facts = new SettledFacts(exchange.heldFacts());
        Decision decision = decide(exchange, policy, facts, sent == null ? List.of() : filled(exchange, declared, sent));
        if (decision != null && decision.isDenied() && decision.enforcedDeny()) {
            return new Superseded(Cause.POLICY_DENIES, decision, "the policy serving now denies the call"
                    + (decision.ruleName() == null ? "" : " (rule " + decision.ruleName() + ")"));
        }
        if (facts.unsecured() != null) {
            return new Superseded(Cause.LIMIT_ADDED, null, "a reload while the call was held added the limit of rule '"
                    + facts.unsecured() + "', which the call was not checked against: send the call again");
        }
        return null;
    }

    /**
     * Why the serving configuration's keys and AXID settings refuse the token the call was admitted with, judged as of
     * when the call came (its 5 minutes may have run out while a person decided); null when they accept it, or the call
     * carried none.
     */
    private static String axidRefusedNow(Exchange exchange, GatewaySnapshot serving) {
        String token = exchange.verifiedAxid();
        if (token == null) {
            return null;
        }
        if (serving.axid() == null) {
            return "AXID tokens are no longer verified";
        }
        Instant came = Instant.now().minusNanos(System.nanoTime() - exchange.startNanos());
        try {
            serving.axid().verifyAsOf(token, came);
            return null;
        } catch (AxidException e) {
            return e.reason().code() + ": " + e.getMessage();
        }
    }

    /**
     * For a 2026 client's approved retry (a new request, decided on the serving configuration): superseded when its
     * route's upstream is not the one the call was held for ({@link HeldUpstream}, sealed in the question's requestState);
     * null when it is, or the state predates that.
     */
    static Superseded upstreamMovedSinceAsked(Exchange exchange, String heldUpstream) {
        String route = exchange.route().route().name();
        if (heldUpstream == null || heldUpstream.equals(HeldUpstream.of(exchange.snapshot(), route))) {
            return null;
        }
        return new Superseded(Cause.UPSTREAM_CHANGED, null, "route '" + route
                + "' was given another upstream by a reload since the call was asked about");
    }

    /**
     * For a 2026 client's approved retry: superseded when the serving policy applies a rate limit its question's leg took
     * no token of (sealed in the requestState), a limit reloaded since; the retry takes no token itself (the question's
     * leg took the call's), so without this it passed the new limit (review AW), where a held 2025 call is refused so.
     */
    static Superseded limitAddedSinceAsked(Exchange exchange, java.util.Set<String> securedRateTokens) {
        if (securedRateTokens == null || !(exchange.heldFacts() instanceof dev.tollgate.gateway.budget.BudgetFacts facts)) {
            return null;
        }
        for (String token : facts.rateTokenDigests()) {
            if (!securedRateTokens.contains(token)) {
                return new Superseded(Cause.LIMIT_ADDED, null, "a reload since the call was asked about added a rate limit the call"
                        + " was not checked against: send the call again");
            }
        }
        return null;
    }

    /** The route's own admission: its AXID mode, the SPIFFE IDs it allows, its OAuth resource server. */
    private static boolean admitsAlike(dev.tollgate.gateway.config.RouteConfig held, dev.tollgate.gateway.config.RouteConfig now) {
        return held.axid() == now.axid() && held.allowedSpiffeIds().equals(now.allowedSpiffeIds()) && Objects.equals(held.oauth(), now.oauth());
    }

    /** The held request's one tool call as sent, when the call recorded is a tool call; null otherwise. */
    private static McpMessage.ToolCall sentToolCall(Exchange exchange, CallDescription recorded) {
        if (exchange.a2a() != null || recorded == null || !McpMethods.TOOLS_CALL.equals(recorded.method()) || exchange.messages().size() != 1
                || !(exchange.messages().get(0) instanceof McpMessage.ToolCall sent) || sent.toolName() == null) {
            return null;
        }
        return sent;
    }

    /**
     * The tool call as its tool reads it, the defaults its listed schema gives filled in (read from the listing learnt by
     * now, as a new call's would be; one reading per union branch the tool may take), none when the listing gives none the
     * call leaves out.
     */
    private static List<CallDescription> filled(Exchange exchange, DeclaredEnums declared, McpMessage.ToolCall sent) {
        List<CallDescription> readings = new ArrayList<>();
        for (JsonNode filled : declared.filled(exchange.route().route().name(), exchange.upstreamSessionId(),
                () -> CallerKey.of(exchange.identity()), sent.toolName(), sent.arguments())) {
            readings.add(CallDescription.mcpToolCall(exchange.calls().get(0).route(), sent.toolName(), filled));
        }
        // FastMCP's reading of JSON text in a string argument, as the policy stage decides it (PreParsedArguments).
        JsonNode preParsed = dev.tollgate.protocols.mcp.PreParsedArguments.of(sent.arguments());
        if (preParsed != null) {
            readings.add(CallDescription.mcpToolCall(exchange.calls().get(0).route(), sent.toolName(), preParsed));
            for (JsonNode filled : declared.filled(exchange.route().route().name(), exchange.upstreamSessionId(),
                    () -> CallerKey.of(exchange.identity()), sent.toolName(), preParsed)) {
                readings.add(CallDescription.mcpToolCall(exchange.calls().get(0).route(), sent.toolName(), filled));
            }
        }
        return readings;
    }

    /**
     * The serving policy's decision for the call on its every reading, the one that refuses most deciding, as in the policy
     * stage: an A2A call's body and path tenant, a listen's each resource, a tool call as sent, as its tool fills it and as
     * recorded at first (review CJ: the filled reading was recorded only when it refused more at first, so a reload denying
     * a default a held call left out was passed).
     *
     * @param asFilled a tool call's readings with its schema's defaults filled in (none when it leaves none out)
     */
    private static Decision decide(Exchange exchange, CompiledPolicy policy, SettledFacts facts, List<CallDescription> asFilled) {
        if (exchange.calls().isEmpty() || exchange.calls().get(0) == null) {
            return null;
        }
        Instant now = Instant.now();
        CallDescription recorded = exchange.calls().get(0);
        Decision decision;
        if (exchange.a2a() != null && exchange.a2a().call() != null) {
            CallDescription body = A2aCallDescriber.describe(recorded.route(), exchange.a2a().call());
            decision = decide(policy, body, exchange, facts, now);
            for (CallDescription reading : A2aCallDescriber.otherReadings(body)) {
                decision = stricter(decision, reading, policy, exchange, facts, now);
            }
        } else {
            McpMessage.ToolCall sent = sentToolCall(exchange, recorded);
            CallDescription asSent = sent == null ? recorded : CallDescription.mcpToolCall(recorded.route(), sent.toolName(), sent.arguments());
            decision = decide(policy, asSent, exchange, facts, now);
            for (CallDescription reading : asFilled) {
                decision = stricter(decision, reading, policy, exchange, facts, now);
            }
            decision = asSent.equals(recorded) ? decision : stricter(decision, recorded, policy, exchange, facts, now);
            for (McpCallDescriber.ListenedResource resource : McpCallDescriber.listenedResources(recorded)) {
                for (CallDescription reading : resource.readings()) {
                    decision = stricter(decision, reading, policy, exchange, facts, now);
                }
            }
        }
        return decision;
    }

    private static Decision stricter(Decision current, CallDescription other, CompiledPolicy policy, Exchange exchange, SettledFacts facts,
                                     Instant now) {
        if (other == null || current.isDenied() && current.enforcedDeny()) {
            return current;
        }
        Decision candidate = decide(policy, other, exchange, facts, now);
        return candidate.isDenied() && candidate.enforcedDeny() ? candidate : current;
    }

    private static Decision decide(CompiledPolicy policy, CallDescription call, Exchange exchange, SettledFacts facts, Instant now) {
        return RoutePolicy.decide(policy, new PolicyRequest(call, exchange.identity(), now, facts));
    }
}
