package dev.tollgate.gateway;

import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.identity.SvidSource;
import dev.tollgate.gateway.telemetry.Telemetry;
import java.util.Map;

/**
 * The process-wide collaborators every listener verticle shares: meters, tracing, and the audit log (null
 * when disabled), and the SVID sources of the mTLS listeners by listener name. Created once at start; not
 * part of the reloadable snapshot.
 */
public record GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit, Map<String, SvidSource> svids) {

    public GatewayServices {
        svids = svids == null ? Map.of() : Map.copyOf(svids);
    }

    public GatewayServices(GatewayMetrics metrics, Telemetry telemetry, AuditLog audit) {
        this(metrics, telemetry, audit, Map.of());
    }
}
