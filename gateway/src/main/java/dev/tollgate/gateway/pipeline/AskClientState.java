package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.approval.PendingApproval;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.RequestStateCall;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The requestState the gateway hands a 2026-07-28 client with its ask-client question ({@link ClientInputRequired}),
 * and what a retry's requestState says: sealed by the gateway ({@link SealedSessions#sealApprovalState}) to the route and
 * the caller, naming the approval (its id and when it was held) and the call asked about (a digest of its method, tool
 * and arguments). The SDK v2 client retries with the original params, so the retry must name the very same call: a
 * yes given to one call must not let another through.
 *
 * <p>The state carries the instant it stops being valid, fixed when it is handed out (issued + the sessions' max-age
 * then): a reload that lengthens {@code sessions.max-age} does not extend it (review AS: the state outlived the "let
 * through once" mark, sized from the max-age serving at the release, and one approval let two calls through).
 *
 * @param approvalId the approval the question was about
 * @param askedAt    when that approval was held (the retry's audit record and span say how long it waited)
 * @param expiresAt  when the state stops being valid, on the clock of the replica that handed it out
 * @param heldUpstream the route's upstream when the call was held ({@link HeldUpstream}); null in older states
 * @param securedRateTokens the rate-limit tokens the question's leg took ({@code BudgetFacts#rateTokenDigests}); null in
 *                          older states
 * @param questionHold the question leg's budget hold, parked for the retry to take over
 *                     ({@code Budgets#parkQuestionHold}); null when it held none, and in older states
 */
record AskClientState(String approvalId, Instant askedAt, Instant expiresAt, String heldUpstream, java.util.Set<String> securedRateTokens,
                      String questionHold) {

    /** A state from before states named the upstream the call was held for ({@link HeldUpstream}). */
    AskClientState(String approvalId, Instant askedAt, Instant expiresAt) {
        this(approvalId, askedAt, expiresAt, null, null, null);
    }

    /** The key of the gateway's question in {@code inputRequests}, and of the user's answer in {@code inputResponses}. */
    static final String INPUT_KEY = "tollgate-approval";

    /** What a request's requestState is to the ask-client retry. */
    sealed interface Read permits NotOurs, Ours, Refused {
    }

    /** No requestState, or one the gateway did not write as its ask-client state: for later stages (or the upstream). */
    record NotOurs() implements Read {
    }

    /** The gateway's state, for this caller and this call. */
    record Ours(AskClientState state) implements Read {
    }

    /** Written as the gateway's state, but not this caller's, this route's, this call's, or no longer valid. */
    record Refused(String detail) implements Read {
    }

    /** When a state handed out now stops being valid: the sessions' max-age serving now. */
    static Instant expiresFromNow(Exchange exchange, Instant now) {
        return now.plus(exchange.snapshot().sessions().maxAge());
    }

    /**
     * The state to hand the caller of this exchange with the question about its held call.
     *
     * @param questionHold the parked budget hold of the question's leg, or null
     */
    static String seal(Exchange exchange, JsonRpcRequest call, PendingApproval approval, Instant now, Instant expires, String questionHold) {
        return exchange.snapshot().sessions().sealApprovalState(exchange.route().route().name(), exchange.identity(),
                approval.id() + " " + approval.createdAt().toEpochMilli() + " " + expires.toEpochMilli() + " "
                        + HeldUpstream.of(exchange.snapshot(), exchange.route().route().name()) + " " + securedRateTokens(exchange)
                        + " " + (questionHold == null ? "-" : questionHold),
                digest(call), now);
    }

    /** The question leg's rate tokens, comma-separated; {@code -} for none. */
    private static String securedRateTokens(Exchange exchange) {
        java.util.Set<String> taken = exchange.heldFacts() instanceof dev.tollgate.gateway.budget.BudgetFacts facts
                ? facts.rateTokenDigests() : java.util.Set.of();
        return taken.isEmpty() ? "-" : String.join(",", taken);
    }

    /** What the requestState of a request is. */
    static Read read(Exchange exchange, JsonRpcRequest request) {
        return read(exchange.snapshot().sessions(), exchange.route().route().name(), exchange.identity(), request);
    }

    /** What the requestState of a request is, to this route's caller. */
    static Read read(SealedSessions sessions, String route, Identity caller, JsonRpcRequest request) {
        JsonNode params = request.params();
        JsonNode state = params == null || !params.isObject() ? null : params.get("requestState");
        if (state == null || !state.isTextual() || !sessions.writtenAsApprovalState(state.textValue())) {
            return new NotOurs();
        }
        SealedSessions.Opened opened = sessions.openApprovalState(route, caller, state.textValue(), Instant.now());
        if (!(opened instanceof SealedSessions.Valid valid)) {
            return new Refused(((SealedSessions.Unknown) opened).detail());
        }
        if (!valid.instance().equals(digest(request))) {
            return new Refused("the requestState was handed out for another call (tool or arguments)");
        }
        String[] named = valid.upstreamId().split(" ");
        Instant askedAt = Instant.ofEpochMilli(Long.parseLong(named[1]));
        if (named.length < 3) {
            // Handed out before states said when they expire (an upgrade): valid as the serving max-age says (the seal
            // checked it), its mark kept as long as before.
            return new Ours(new AskClientState(named[0], askedAt, askedAt.plus(sessions.maxAge())));
        }
        Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(named[2]));
        if (Instant.now().isAfter(expiresAt)) {
            return new Refused("the requestState expired at " + expiresAt + " (the max-age serving when it was handed out)");
        }
        java.util.Set<String> secured = named.length < 5 ? null
                : "-".equals(named[4]) ? java.util.Set.of() : java.util.Set.of(named[4].split(","));
        String questionHold = named.length < 6 || "-".equals(named[5]) ? null : named[5];
        return new Ours(new AskClientState(named[0], askedAt, expiresAt, named.length < 4 ? null : named[3], secured, questionHold));
    }

    /**
     * The call a request makes, as a digest of its {@link RequestStateCall} (method, tool, canonical arguments: the same
     * reading as for an upstream's requestState), so a client that re-spells the same arguments still names the same call.
     */
    static String digest(JsonRpcRequest request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(RequestStateCall.of(request.method(), request.params()).bytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
