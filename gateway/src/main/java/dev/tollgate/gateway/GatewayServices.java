package dev.tollgate.gateway;

import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.identity.JtiReplayGuard;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.gateway.limits.ToolCallCounts;
import dev.tollgate.gateway.pipeline.UpstreamLearning;
import dev.tollgate.gateway.telemetry.Telemetry;
import dev.tollgate.gateway.upstream.Upstreams;
import dev.tollgate.gateway.approval.Approvals;
import dev.tollgate.gateway.admin.RecentDecisions;
import java.util.Map;

/**
 * The process-wide collaborators every listener verticle shares: meters, tracing, and the audit log (null
 * when disabled), the SVID sources of the mTLS listeners by listener name, and the spend and rate state
 * (null in tests that build services by hand: budget rules then deny, fail closed), and what the gateway has
 * learnt from upstreams' answers (tools' {@code x-mcp-header} declarations, tasks' creating tools), and the state of
 * every route's upstream instances (load, ejection, health), and the calls held for approval (null: every call an
 * {@code approve} rule asks about is refused), and each run's tool calls (AGT's {@code tool_call_count}). Created
 * once at start; not part of the reloadable snapshot.
 */
public record GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit, Map<String, SvidSource> svids,
                              Budgets budgets, UpstreamLearning learnt, ConcurrentCalls concurrentCalls,
                              JtiReplayGuard replays, Upstreams upstreams, Approvals approvals, RecentDecisions recentDecisions,
                              ToolCallCounts toolCallCounts) {

    public GatewayServices {
        recentDecisions = recentDecisions == null ? new RecentDecisions() : recentDecisions;
        upstreams = upstreams == null ? new Upstreams(metrics == null ? null : metrics.registry()) : upstreams;
        svids = svids == null ? Map.of() : Map.copyOf(svids);
        learnt = learnt == null ? new UpstreamLearning(metrics == null ? null : metrics.registry()) : learnt;
        concurrentCalls = concurrentCalls == null ? new ConcurrentCalls() : concurrentCalls;
        replays = replays == null ? new JtiReplayGuard() : replays;
        toolCallCounts = toolCallCounts == null ? new ToolCallCounts() : toolCallCounts;
    }

    public GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit, Map<String, SvidSource> svids,
                           Budgets budgets, UpstreamLearning learnt, ConcurrentCalls concurrentCalls,
                           JtiReplayGuard replays, Upstreams upstreams, Approvals approvals, RecentDecisions recentDecisions) {
        this(metrics, telemetry, audit, svids, budgets, learnt, concurrentCalls, replays, upstreams, approvals, recentDecisions, null);
    }

    public GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit, Map<String, SvidSource> svids,
                           Budgets budgets) {
        this(metrics, telemetry, audit, svids, budgets, null, null, null, null, null, null);
    }

    public GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit, Map<String, SvidSource> svids) {
        this(metrics, telemetry, audit, svids, null, null, null, null, null, null, null);
    }

    public GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit) {
        this(metrics, telemetry, audit, Map.of(), null, null, null, null, null, null, null);
    }
}
