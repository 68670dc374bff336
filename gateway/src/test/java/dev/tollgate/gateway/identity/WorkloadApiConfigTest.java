package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.TlsConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The {@code tls:} block's Workload API form: what it accepts, and each mistake reported at its field. */
class WorkloadApiConfigTest {

    private static String listener(String tls) {
        return "listeners: [{name: mtls, port: 0, tls: {" + tls + "}}]\nroutes: []\n";
    }

    @Test
    void socketAndTimeoutAreRead() throws Exception {
        TlsConfig tls = ConfigLoader.parse(listener("source: workload-api, socket: \"unix:/run/spire/agent.sock\", timeout: 3s, trust-domains: [example.org]"),
                "t.yaml", Map.of()).listeners().get(0).tls();

        assertThat(tls.source()).isEqualTo(TlsConfig.Source.WORKLOAD_API);
        assertThat(tls.socket()).isEqualTo("unix:/run/spire/agent.sock");
        assertThat(tls.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(tls.certChain()).isNull();
    }

    @Test
    void withoutASocketTheEnvironmentNamesTheAgent() throws Exception {
        TlsConfig tls = ConfigLoader.parse(listener("source: workload-api, trust-domains: [example.org]"), "t.yaml", Map.of())
                .listeners().get(0).tls();

        assertThat(tls.socket()).as("resolved from SPIFFE_ENDPOINT_SOCKET when the gateway starts").isNull();
        assertThat(tls.timeout()).isEqualTo(TlsConfig.DEFAULT_WORKLOAD_API_TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "files fields with the agent | source: workload-api, cert-chain: a.pem, trust-domains: [example.org] | listeners[0].tls.cert-chain: not used with source: workload-api",
            "socket that is no address   | socket: \"/run/agent.sock\", trust-domains: [example.org]                | listeners[0].tls.socket: is not a Workload API address",
            "timeout under a second      | source: workload-api, timeout: 500ms, trust-domains: [example.org]       | listeners[0].tls.timeout: must be at least 1s",
            "unknown source              | source: vault, trust-domains: [example.org]                              | listeners[0].tls.source: must be files or workload-api",
            "socket with files           | source: files, socket: \"unix:/a.sock\", cert-chain: a, private-key: b, trust-bundle: c, trust-domains: [x] | listeners[0].tls.socket: only applies to source: workload-api",
            "no trust domain             | source: workload-api, socket: \"unix:/a.sock\"                           | listeners[0].tls.trust-domains: needs at least one trust domain"})
    void mistakesAreReportedAtTheirField(String name, String tls, String problem) {
        assertThatThrownBy(() -> ConfigLoader.parse(listener(tls), "t.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(problem);
    }
}
