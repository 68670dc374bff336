package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.TelemetryConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway builds a call's span attributes only when an exporter can read them: the flag follows the exporter
 * the SDK actually configured, OTEL_* settings included, not the YAML value alone.
 */
class TelemetryExportingTest {

    @Test
    void withoutAnExporterSpansAreNotExported() {
        try (Telemetry telemetry = Telemetry.create(new TelemetryConfig("t", "none", false, List.of()))) {
            assertThat(telemetry.exporting()).isFalse();
        }
    }

    @Test
    void anExporterNamedInTheConfigurationExports() {
        try (Telemetry telemetry = Telemetry.create(new TelemetryConfig("t", "logging", false, List.of()))) {
            assertThat(telemetry.exporting()).isTrue();
        }
    }

    @Test
    void anExporterSetOverTheConfigurationDecides() {
        // As OTEL_TRACES_EXPORTER would: the settings over the YAML default choose the exporter.
        try (Telemetry telemetry = Telemetry.create(new TelemetryConfig("t", "none", false, List.of()),
                Map.of("otel.traces.exporter", "logging"))) {
            assertThat(telemetry.exporting()).isTrue();
        }
        try (Telemetry telemetry = Telemetry.create(new TelemetryConfig("t", "logging", false, List.of()),
                Map.of("otel.traces.exporter", "none"))) {
            assertThat(telemetry.exporting()).isFalse();
        }
    }
}
