package dev.tollgate.gateway;

import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.telemetry.Telemetry;

/**
 * The process-wide collaborators every listener verticle shares: meters, tracing, and the audit log (null
 * when disabled). Created once at start; not part of the reloadable snapshot.
 */
public record GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit) {

    public static GatewayServices plain() {
        return new GatewayServices(new GatewayMetrics(), Telemetry.disabled(), null);
    }
}
