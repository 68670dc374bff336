package dev.tollgate.gateway.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Span attribute names: the OpenTelemetry MCP and GenAI semantic conventions where they exist, and the
 * {@code waxell.*} names the trace explorers in this stack filter on for caller and decision.
 */
public final class CallAttributes {
    public static final AttributeKey<String> MCP_METHOD = AttributeKey.stringKey("mcp.method.name");
    public static final AttributeKey<String> MCP_SESSION_ID = AttributeKey.stringKey("mcp.session.id");
    public static final AttributeKey<String> MCP_PROTOCOL_VERSION = AttributeKey.stringKey("mcp.protocol.version");
    public static final AttributeKey<String> MCP_RESOURCE_URI = AttributeKey.stringKey("mcp.resource.uri");
    public static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    public static final AttributeKey<String> GEN_AI_PROMPT_NAME = AttributeKey.stringKey("gen_ai.prompt.name");
    public static final AttributeKey<String> GEN_AI_OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    public static final AttributeKey<String> GEN_AI_TOOL_ARGUMENTS = AttributeKey.stringKey("gen_ai.tool.call.arguments");
    public static final AttributeKey<String> A2A_METHOD = AttributeKey.stringKey("a2a.method");
    public static final AttributeKey<String> A2A_TASK_ID = AttributeKey.stringKey("a2a.task.id");
    public static final AttributeKey<String> A2A_CONTEXT_ID = AttributeKey.stringKey("a2a.context.id");
    public static final AttributeKey<String> A2A_SKILL = AttributeKey.stringKey("a2a.skill");
    public static final AttributeKey<String> A2A_BINDING = AttributeKey.stringKey("a2a.binding");
    public static final AttributeKey<String> A2A_PROTOCOL_VERSION = AttributeKey.stringKey("a2a.protocol.version");
    public static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    public static final AttributeKey<String> APPROVAL_ID = AttributeKey.stringKey("tollgate.approval.id");
    public static final AttributeKey<String> APPROVAL_OUTCOME = AttributeKey.stringKey("tollgate.approval.outcome");
    public static final AttributeKey<String> APPROVAL_BY = AttributeKey.stringKey("tollgate.approval.by");
    public static final AttributeKey<String> APPROVAL_REASON = AttributeKey.stringKey("tollgate.approval.reason");
    public static final AttributeKey<Double> APPROVAL_WAIT_MS = AttributeKey.doubleKey("tollgate.approval.wait_ms");
    /** Why an approved call was refused: a reload since it was held removed its route, moved its upstream, or denies it. */
    public static final AttributeKey<String> APPROVAL_SUPERSEDED = AttributeKey.stringKey("tollgate.approval.superseded");
    /** What result policy did with the call's result: allow, audit, redact or deny. */
    public static final AttributeKey<String> RESULT_ACTION = AttributeKey.stringKey("tollgate.result.action");
    /** The result rule that decided (absent when none matched). */
    public static final AttributeKey<String> RESULT_RULE = AttributeKey.stringKey("tollgate.result.rule");
    /** What the rule's detectors found in the result, as {@code detector:kind} (never the matched text). */
    public static final AttributeKey<java.util.List<String>> RESULT_DETECTORS = AttributeKey.stringArrayKey("tollgate.result.detectors");
    /** Entries result rules left out of a list the call answered, each as {@code kind name} ({@code tool echo}). */
    public static final AttributeKey<java.util.List<String>> RESULT_WITHHELD = AttributeKey.stringArrayKey("tollgate.result.withheld");
    /** Tools (skills) met by the call whose definitions are not the reviewed ones, each as {@code name (changed|new)}. */
    public static final AttributeKey<java.util.List<String>> PINNING_UNREVIEWED = AttributeKey.stringArrayKey("tollgate.pinning.unreviewed");

    /** How many entries of {@link #RESULT_WITHHELD} were left off the span (the audit record has them all); 0 when none. */
    public static final AttributeKey<Long> RESULT_WITHHELD_OMITTED = AttributeKey.longKey("tollgate.result.withheld_omitted");
    /** How many entries of {@link #PINNING_UNREVIEWED} were left off the span (the audit record has them all); 0 when none. */
    public static final AttributeKey<Long> PINNING_UNREVIEWED_OMITTED = AttributeKey.longKey("tollgate.pinning.unreviewed_omitted");
    /**
     * On an upstream CLIENT span: its call's SERVER span is always exported (denied, audited, failed, a result finding...),
     * so {@code telemetry.sample-allowed} keeps this span with it (review BK: the kept trace lost its upstream leg).
     */
    public static final AttributeKey<Boolean> SAMPLING_KEEP = AttributeKey.booleanKey("tollgate.sampling.keep");

    /**
     * How many requests the upstream sent during the call (sampling, elicitation: on its stream, or carried in its answer)
     * policy denied; absent when none. Each has an audit record naming this call's trace, so the call's spans are always
     * exported (review BN: they were sampled out as an allowed call's).
     */
    public static final AttributeKey<Long> SERVER_REQUEST_DENIED = AttributeKey.longKey("tollgate.server_request.denied");
    /**
     * How many requests the upstream sent during the call were withheld because their audit record could not be kept
     * ({@code audit.when-full: reject} and a full queue); absent when none. The record is lost, the span is always kept.
     */
    public static final AttributeKey<Long> SERVER_REQUEST_UNRECORDED = AttributeKey.longKey("tollgate.server_request.unrecorded");
    /**
     * How many upstream attempts of the call failed (no connection, reset, dropped) before it was tried on another instance
     * or failed; absent when none. Such a call's spans are always exported, each failed attempt's CLIENT span with them.
     */
    public static final AttributeKey<Long> UPSTREAM_FAILED_ATTEMPTS = AttributeKey.longKey("tollgate.upstream.failed_attempts");

    /** The {@link #PINNING_UNREVIEWED} values of some findings, on a route decided by {@code policy} (null: none loaded). */
    public static java.util.List<String> pinLabels(java.util.List<dev.tollgate.gateway.pinning.PinChange> findings,
                                                   dev.tollgate.policy.CompiledPolicy policy) {
        // A tool's name can be a secret (review CF) or hold what the policy detects (review CG): written as its marker then.
        return findings.stream().map(f -> WrittenNames.of(f.name(), policy) + " (" + f.state().label() + ")").distinct().toList();
    }

    /**
     * The most characters a list attribute's entries hold in all on a span: half of one string value's cap (Telemetry's),
     * so the withheld and the unreviewed lists of one span together hold no more than one value may.
     */
    public static final int MAX_LIST_CHARS = Telemetry.MAX_ATTRIBUTE_CHARS / 2;

    /**
     * Puts a list of upstream-chosen entries (withheld or unreviewed definitions) on a span, bounded: its first entries up
     * to {@link #MAX_LIST_CHARS} characters in all (the first one cut to fit if it alone is longer), and under
     * {@code omittedKey} how many were left off (0 when none). The SDK's length limit cuts each entry, never the list: 300 names of 1,000
     * characters were 300,000 characters on one span (review BK). The audit record keeps the whole list.
     */
    public static void putBounded(AttributeSink sink, AttributeKey<java.util.List<String>> key, AttributeKey<Long> omittedKey,
                                  java.util.List<String> entries) {
        java.util.List<String> shown = bounded(entries, MAX_LIST_CHARS);
        sink.put(key, shown);
        // Put beside every list (0 when none was left off), so a later, shorter list on the same span is not read with an
        // earlier one's count.
        sink.put(omittedKey, (long) (entries.size() - shown.size()));
    }

    /** The first entries up to {@code maxChars} characters in all; the first one cut to fit if it alone is longer. */
    public static java.util.List<String> bounded(java.util.List<String> entries, int maxChars) {
        int chars = 0;
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (chars + entry.length() > maxChars) {
                if (i > 0) {
                    return java.util.List.copyOf(entries.subList(0, i));
                }
                int end = maxChars;
                if (end > 0 && Character.isHighSurrogate(entry.charAt(end - 1))) {
                    end--; // a lone high surrogate would be replaced on the wire
                }
                return java.util.List.of(entry.substring(0, end));
            }
            chars += entry.length();
        }
        return entries;
    }
    public static final AttributeKey<Long> JSONRPC_BATCH_SIZE = AttributeKey.longKey("jsonrpc.batch.size");
    public static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    /** Time spent waiting on the upstream, on the SERVER span when no CLIENT span shows it. */
    public static final AttributeKey<Double> UPSTREAM_DURATION_MS = AttributeKey.doubleKey("tollgate.upstream.duration_ms");
    public static final AttributeKey<String> ROUTE = AttributeKey.stringKey("tollgate.route");

    public static final AttributeKey<String> CALLER_SPIFFE_ID = AttributeKey.stringKey("waxell.caller.spiffe_id");
    public static final AttributeKey<String> AXID_TENANT = AttributeKey.stringKey("waxell.axid.tenant");
    /** OpenTelemetry's end-user attribute: the subject of a validated OAuth token. */
    public static final AttributeKey<String> ENDUSER_ID = AttributeKey.stringKey("enduser.id");
    public static final AttributeKey<String> OAUTH_CLIENT_ID = AttributeKey.stringKey("tollgate.oauth.client_id");
    public static final AttributeKey<java.util.List<String>> OAUTH_SCOPES = AttributeKey.stringArrayKey("tollgate.oauth.scopes");
    public static final AttributeKey<String> AXID_AGENT = AttributeKey.stringKey("waxell.axid.agent");
    public static final AttributeKey<String> AXID_RUN = AttributeKey.stringKey("waxell.axid.run");
    public static final AttributeKey<String> AXID_TREE = AttributeKey.stringKey("waxell.axid.tree");

    /** True when the call may proceed; the attribute trace explorers filter on. */
    public static final AttributeKey<Boolean> POLICY_ALLOWED = AttributeKey.booleanKey("waxell.policy.agt.allowed");
    public static final AttributeKey<String> POLICY_ACTION = AttributeKey.stringKey("waxell.policy.action");
    public static final AttributeKey<String> POLICY_RULE = AttributeKey.stringKey("waxell.policy.rule");
    public static final AttributeKey<String> POLICY_NAME = AttributeKey.stringKey("waxell.policy.name");
    public static final AttributeKey<String> POLICY_MODE = AttributeKey.stringKey("waxell.policy.mode");
    /** The spawn tree's spend the call was decided on, in USD (cached read + this gateway's charges since). */
    public static final AttributeKey<Double> BUDGET_SPENT_USD = AttributeKey.doubleKey("tollgate.budget.spent_usd");
    /** True when the ledger failed and the call was decided on an older read (on-ledger-error: allow-stale). */
    public static final AttributeKey<Boolean> BUDGET_STALE = AttributeKey.booleanKey("tollgate.budget.stale");
    /** Why the spend was unknown (ledger down, no tree in the AXID). */
    public static final AttributeKey<String> BUDGET_UNAVAILABLE = AttributeKey.stringKey("tollgate.budget.unavailable");

    private CallAttributes() {
    }
}
