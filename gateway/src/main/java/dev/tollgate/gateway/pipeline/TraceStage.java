package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.telemetry.AttributeSink;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.gateway.telemetry.CallTrace;
import dev.tollgate.gateway.telemetry.Telemetry;
import dev.tollgate.gateway.telemetry.WrittenNames;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.mcp.McpHeaders;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.protocols.a2a.A2aCall;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import io.vertx.core.Future;
import java.util.Locale;

/**
 * Starts the call's SERVER span and records the decision on it before anything is forwarded or answered,
 * so blocked calls are traced too and every span says whether its call was allowed.
 */
public final class TraceStage implements Stage {

    private final Telemetry telemetry;

    public TraceStage(Telemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return "trace";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (telemetry.config().linkIncomingTrace()) {
            withoutCallersTraceInMeta(exchange);
        }
        if (!telemetry.exporting()) {
            // Nothing would read the attributes: the span is kept for its ids only.
            exchange.trace(CallTrace.starting(telemetry, exchange.request().headers(), spanName(exchange)).start(Attributes::empty));
            return StageResult.proceed();
        }
        CallTrace.Starting span = CallTrace.starting(telemetry, exchange.request().headers(), spanName(exchange));
        callAttributes(exchange, span);
        putDecision(exchange, span);
        exchange.trace(span.start(() -> decisionAttributes(exchange)));
        return StageResult.proceed();
    }

    /**
     * Under {@code incoming-trace: link}, an MCP request's {@code params._meta} trace context (SEP-414 carries it there as
     * well as in headers) is not passed on: an upstream reading it would continue the trace the caller chose (review AV).
     * The gateway's own context travels in the headers.
     */
    private static void withoutCallersTraceInMeta(Exchange exchange) {
        if (exchange.a2a() != null) {
            return;
        }
        if (exchange.payload() instanceof JsonRpcPayload.Single single
                && single.message() instanceof JsonRpcRequest request && request.params() != null && request.params().isObject()) {
            exchange.forwardWithoutMeta(request, TRACE_CONTEXT_META);
        } else if (exchange.payload() instanceof JsonRpcPayload.Batch) {
            BatchTraceMeta.strip(exchange, TRACE_CONTEXT_META); // review AW: each element's _meta too
        }
    }

    private static final java.util.List<String> TRACE_CONTEXT_META = java.util.List.of("traceparent", "tracestate");

    /**
     * The longest method or target (tool, resource, prompt, skill) a span's name carries. The SDK cuts attribute values
     * ({@code Telemetry.MAX_ATTRIBUTE_CHARS}), never names, and the target is the caller's text up to the body limit:
     * every such span held and exported it whole (review AN). The whole target is in the span's attributes.
     */
    static final int MAX_NAMED_TARGET_CHARS = 128;

    /**
     * Like {@code tools/call search}, {@code resources/read file:///x}, {@code batch}, or {@code GET /mcp}. The method and the
     * target are the caller's text, written as the audit record writes them ({@link WrittenNames}, review CG).
     */
    static String spanName(Exchange exchange) {
        if (exchange.a2a() != null && exchange.a2a().call() != null) {
            // Like the MCP names: the operation, then what it targets (the declared skill), e.g. "SendMessage echo".
            A2aCall call = exchange.a2a().call();
            return call.skill() == null ? call.method().canonicalName()
                    : call.method().canonicalName() + " " + named(WrittenNames.of(call.skill(), exchange.policy()));
        }
        if (exchange.messages().isEmpty()) {
            return exchange.request().method().name() + " " + exchange.route().route().config().path();
        }
        if (exchange.payload() instanceof JsonRpcPayload.Batch) {
            return "batch";
        }
        McpMessage message = exchange.messages().get(0);
        String target = target(message);
        // A method the gateway does not know is the caller's text too.
        String method = message.method() == null ? "response" : named(WrittenNames.of(message.method(), exchange.policy()));
        return target == null ? method : method + " " + named(WrittenNames.of(target, exchange.policy()));
    }

    /** The target as a span name carries it: cut to {@link #MAX_NAMED_TARGET_CHARS}, never inside a surrogate pair. */
    static String named(String target) {
        if (target.length() <= MAX_NAMED_TARGET_CHARS) {
            return target;
        }
        int end = Character.isHighSurrogate(target.charAt(MAX_NAMED_TARGET_CHARS - 1)) ? MAX_NAMED_TARGET_CHARS - 1 : MAX_NAMED_TARGET_CHARS;
        return target.substring(0, end) + "\u2026";
    }

    private void callAttributes(Exchange exchange, CallTrace.Starting a) {
        a.put(CallAttributes.HTTP_METHOD, exchange.request().method().name())
                .put(CallAttributes.ROUTE, exchange.route().route().name());
        // The upstream's session id (what its logs show); the client holds a sealed form of it.
        a.put(CallAttributes.MCP_SESSION_ID, exchange.upstreamSessionId());
        a.put(CallAttributes.MCP_PROTOCOL_VERSION, exchange.mcpRevision() != null ? exchange.mcpRevision()
                : exchange.request().getHeader(McpHeaders.PROTOCOL_VERSION));
        if (exchange.payload() instanceof JsonRpcPayload.Batch batch) {
            a.put(CallAttributes.JSONRPC_BATCH_SIZE, (long) batch.messages().size());
        } else if (!exchange.messages().isEmpty()) {
            McpMessage message = exchange.messages().get(0);
            // Names are the caller's text: one holding a secret, or what the route's policy detects, is put as its marker.
            CompiledPolicy policy = exchange.policy();
            a.put(CallAttributes.MCP_METHOD, WrittenNames.of(message.method(), policy));
            a.put(CallAttributes.JSONRPC_REQUEST_ID, McpCallDescriber.requestId(message));
            if (message instanceof McpMessage.ToolCall call) {
                a.put(CallAttributes.GEN_AI_TOOL_NAME, WrittenNames.of(call.toolName(), policy))
                        .put(CallAttributes.GEN_AI_OPERATION, "execute_tool");
                if (telemetry.config().recordArguments()) {
                    a.put(CallAttributes.GEN_AI_TOOL_ARGUMENTS, exchange.snapshot().redactor().redact(call.arguments()).toString());
                }
            } else if (message instanceof McpMessage.ResourceRead read) {
                a.put(CallAttributes.MCP_RESOURCE_URI, WrittenNames.of(read.uri(), policy));
            } else if (message instanceof McpMessage.PromptGet prompt) {
                a.put(CallAttributes.GEN_AI_PROMPT_NAME, WrittenNames.of(prompt.name(), policy));
            }
        }
        if (exchange.a2a() != null && exchange.a2a().call() != null) {
            A2aCall call = exchange.a2a().call();
            a.put(CallAttributes.A2A_METHOD, call.method().canonicalName())
                    .put(CallAttributes.A2A_BINDING, call.binding().label())
                    .put(CallAttributes.A2A_PROTOCOL_VERSION, call.legacy() ? "0.3" : "1.0");
            a.put(CallAttributes.A2A_TASK_ID, call.taskId());
            a.put(CallAttributes.A2A_CONTEXT_ID, call.contextId());
            a.put(CallAttributes.A2A_SKILL, WrittenNames.of(call.skill(), exchange.policy()));
            if (exchange.a2a().jsonRpcId() != null) {
                a.put(CallAttributes.JSONRPC_REQUEST_ID, exchange.a2a().jsonRpcId().asText());
            }
        }
        Identity caller = exchange.identity();
        a.put(CallAttributes.CALLER_SPIFFE_ID, caller.spiffeId());
        a.put(CallAttributes.AXID_TENANT, caller.tenant());
        a.put(CallAttributes.AXID_AGENT, caller.agent());
        a.put(CallAttributes.AXID_RUN, caller.run());
        a.put(CallAttributes.AXID_TREE, caller.tree());
        // The OAuth caller, on routes where the gateway validates tokens (never the token itself).
        if (caller.claims().get("oauth_sub") instanceof String subject) {
            a.put(CallAttributes.ENDUSER_ID, subject);
        }
        if (caller.claims().get("client_id") instanceof String client) {
            a.put(CallAttributes.OAUTH_CLIENT_ID, client);
        }
        if (caller.claims().get(dev.tollgate.policy.condition.ScopeCondition.CLAIM) instanceof java.util.List<?> scopes) {
            a.put(CallAttributes.OAUTH_SCOPES, scopes.stream().map(String::valueOf).toList());
        }
    }

    /** The decision as attributes (see {@link #putDecision}), for the call's own decision span. */
    static Attributes decisionAttributes(Exchange exchange) {
        AttributesBuilder a = Attributes.builder();
        putDecision(exchange, AttributeSink.of(a));
        return a.build();
    }

    /**
     * Puts the decision. For a batch, the one {@link ShownDecision} picks (an enforced deny before an audit before an
     * allow: the sampler keeps the span of a batch holding an audited call). Requests policy does not decide
     * (initialize, ping, notifications, GET/DELETE) are allowed with action {@code not_policed}.
     */
    static void putDecision(Exchange exchange, AttributeSink a) {
        Decision shown = ShownDecision.of(exchange.decisions());
        budgetAttributes(exchange, a);
        if (!exchange.pinFindings().isEmpty()) {
            CallAttributes.putBounded(a, CallAttributes.PINNING_UNREVIEWED, CallAttributes.PINNING_UNREVIEWED_OMITTED,
                    CallAttributes.pinLabels(exchange.pinFindings(), exchange.policy()));
        }
        if (shown == null) {
            a.put(CallAttributes.POLICY_ALLOWED, true).put(CallAttributes.POLICY_ACTION, "not_policed");
            return;
        }
        a.put(CallAttributes.POLICY_ALLOWED, !shown.enforcedDeny())
                .put(CallAttributes.POLICY_ACTION, shown.action().name().toLowerCase(Locale.ROOT))
                .put(CallAttributes.POLICY_MODE, shown.mode().name().toLowerCase(Locale.ROOT))
                .put(CallAttributes.POLICY_RULE, shown.ruleName() == null ? "default" : shown.ruleName())
                .put(CallAttributes.POLICY_NAME, shown.policyName());
    }

    private static void budgetAttributes(Exchange exchange, AttributeSink a) {
        var spend = exchange.spend();
        if (spend == null) {
            return;
        }
        if (spend.unavailable() != null) {
            a.put(CallAttributes.BUDGET_UNAVAILABLE, spend.unavailable());
        } else {
            a.put(CallAttributes.BUDGET_SPENT_USD, spend.effectiveMicros() / 1e6).put(CallAttributes.BUDGET_STALE, spend.stale());
        }
    }

    static String target(McpMessage message) {
        if (message instanceof McpMessage.ToolCall call) {
            return call.toolName();
        }
        if (message instanceof McpMessage.ResourceRead read) {
            return read.uri();
        }
        if (message instanceof McpMessage.PromptGet prompt) {
            return prompt.name();
        }
        return null;
    }

}
