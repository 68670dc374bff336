package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Decision;
import dev.tollgate.policy.detect.Finding;
import java.util.List;

/**
 * What result policy made of one call's result: the decision (a result rule's, or the pass when none matched) and what
 * the rule's detectors found, by location and digest (never the matched text).
 *
 * @param requestId the JSON-RPC id of the call whose result it was, typed ({@link ResponseOutcome#key}: {@code n:1} is not
 *                  {@code s:1}), for its audit record; null for a call without one
 * @param withheld  on a list (tools, prompts, resources, templates): the entries result rules left out of it, each as
 *                  {@code kind name} ({@code tool echo}); empty otherwise
 * @param ofServerRequest the verdict is on a request the server sent (a sampling or elicitation request on a stream),
 *                  whose id is the server's: it belongs to that request's audit record, never to a client's call that
 *                  happens to carry the same id (servers and clients number their requests independently, both from 0)
 */
public record ResultVerdict(String requestId, Decision decision, List<Finding> findings, List<String> withheld, boolean ofServerRequest) {

    public ResultVerdict {
        withheld = List.copyOf(withheld);
    }

    public ResultVerdict(String requestId, Decision decision, List<Finding> findings) {
        this(requestId, decision, findings, List.of(), false);
    }

    /**
     * The one verdict on record for a result decided more than once (its text, then the lists it carries; a result read
     * twice): the stronger decision (an enforced deny, a shadow deny, a redact, a rule that matched, the pass; the later
     * of two as strong), with the findings and withheld entries of both. A pass on an empty list beside a redacted result
     * must not record the result as allowed.
     */
    ResultVerdict joinedWith(ResultVerdict later) {
        ResultVerdict stronger = strength(later.decision) >= strength(decision) ? later : this;
        List<Finding> allFindings = new java.util.ArrayList<>(findings);
        allFindings.addAll(later.findings);
        List<String> allWithheld = new java.util.ArrayList<>(withheld);
        later.withheld.stream().filter(w -> !allWithheld.contains(w)).forEach(allWithheld::add);
        return new ResultVerdict(stronger.requestId, stronger.decision, List.copyOf(allFindings), allWithheld, stronger.ofServerRequest);
    }

    private static int strength(Decision d) {
        return switch (d.action()) {
            case DENY -> d.mode() == dev.tollgate.policy.Mode.ENFORCE ? 4 : 3;
            case REDACT -> 2;
            default -> d.ruleName() != null ? 1 : 0;
        };
    }

    /** {@code deny}, {@code redact}, {@code audit} or {@code allow}, as metrics, spans and audit records name it. */
    public String action() {
        return decision.action().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code detector:kind} of each finding, without repeats, for the span. */
    public List<String> detectorLabels() {
        return findings.stream().map(f -> f.detector() + ":" + f.kind()).distinct().toList();
    }
}
