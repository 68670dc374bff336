package dev.tollgate.gateway.config;

import dev.tollgate.policy.check.CheckBinding;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;

/**
 * The whole validated configuration: immutable, built once per load or reload.
 *
 * @param policyDirectory where the policy documents live (resolved against the config file's folder);
 *                        null when the configuration names none
 * @param sessions        how MCP session ids handed to clients are sealed
 * @param customChecks    names policy documents may use for registered checks with fixed arguments
 *                        ({@code policies.custom-checks}, e.g. AGT's {@code custom_check})
 * @param approvals       how calls held by an {@code approve} rule reach approvers
 * @param tasks           where task and context ownership is kept (this replica, or Redis for all)
 */
public record GatewayConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, LimitsConfig limits,
                            List<RouteConfig> routes, Path policyDirectory, TelemetryConfig telemetry, AuditConfig audit,
                            AxidConfig axid, BudgetConfig budget, RedisConfig redis, RateLimitConfig rateLimits,
                            SessionConfig sessions, Map<String, CheckBinding> customChecks, ApprovalsConfig approvals,
                            TasksConfig tasks) {

    public GatewayConfig {
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        budget = budget == null ? BudgetConfig.DEFAULT : budget;
        rateLimits = rateLimits == null ? RateLimitConfig.DEFAULT : rateLimits;
        sessions = sessions == null ? SessionConfig.DEFAULT : sessions;
        customChecks = customChecks == null ? Map.of() : Map.copyOf(customChecks);
        approvals = approvals == null ? ApprovalsConfig.DEFAULT : approvals;
        tasks = tasks == null ? TasksConfig.DEFAULT : tasks;
    }

    public GatewayConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, LimitsConfig limits,
                         List<RouteConfig> routes, Path policyDirectory, TelemetryConfig telemetry, AuditConfig audit,
                         AxidConfig axid, BudgetConfig budget, RedisConfig redis, RateLimitConfig rateLimits,
                         SessionConfig sessions, Map<String, CheckBinding> customChecks, ApprovalsConfig approvals) {
        this(source, listeners, admin, limits, routes, policyDirectory, telemetry, audit, axid, budget, redis, rateLimits, sessions,
                customChecks, approvals, null);
    }

    public GatewayConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, LimitsConfig limits,
                         List<RouteConfig> routes, Path policyDirectory, TelemetryConfig telemetry, AuditConfig audit,
                         AxidConfig axid, BudgetConfig budget, RedisConfig redis, RateLimitConfig rateLimits,
                         SessionConfig sessions, Map<String, CheckBinding> customChecks) {
        this(source, listeners, admin, limits, routes, policyDirectory, telemetry, audit, axid, budget, redis, rateLimits, sessions,
                customChecks, null, null);
    }

    /** Without budgets, Redis or rate-limit settings: an in-memory ledger, nothing priced, local buckets. */
    public GatewayConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, LimitsConfig limits,
                         List<RouteConfig> routes, Path policyDirectory, TelemetryConfig telemetry, AuditConfig audit,
                         AxidConfig axid) {
        this(source, listeners, admin, limits, routes, policyDirectory, telemetry, audit, axid, null, null, null, null, null, null, null);
    }
}
