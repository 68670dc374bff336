package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Decision;
import dev.tollgate.policy.detect.Finding;
import java.util.List;

/**
 * What result policy made of one call's result: the decision (a result rule's, or the pass when none matched) and what
 * the rule's detectors found, by location and digest (never the matched text).
 *
 * @param requestId the JSON-RPC id of the call whose result it was (as text), for its audit record
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

    /** {@code deny}, {@code redact}, {@code audit} or {@code allow}, as metrics, spans and audit records name it. */
    public String action() {
        return decision.action().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code detector:kind} of each finding, without repeats, for the span. */
    public List<String> detectorLabels() {
        return findings.stream().map(f -> f.detector() + ":" + f.kind()).distinct().toList();
    }
}
