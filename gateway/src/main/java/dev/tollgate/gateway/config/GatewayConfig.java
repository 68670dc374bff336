package dev.tollgate.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The whole validated configuration: immutable, built once per load or reload.
 *
 * @param policyDirectory where the policy documents live (resolved against the config file's folder);
 *                        null when the configuration names none
 */
public record GatewayConfig(String source, List<ListenerConfig> listeners, AdminConfig admin, LimitsConfig limits,
                            List<RouteConfig> routes, Path policyDirectory, TelemetryConfig telemetry, AuditConfig audit,
                            AxidConfig axid) {

    public GatewayConfig {
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
    }
}
