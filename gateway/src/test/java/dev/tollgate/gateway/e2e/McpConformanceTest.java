package dev.tollgate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.e2e.ConformanceResults.Scenario;
import dev.tollgate.gateway.e2e.fixture.ConformanceFixtureServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance} 0.1.16, every server scenario,
 * {@code --suite all}) against the MCP Java SDK fixture, once direct and once through the gateway. The URLs use
 * {@code localhost}: the DNS-rebinding scenario needs a localhost server URL.
 *
 * <p>Greppable totals on stdout: {@code CONFORMANCE direct=X/Y gateway=X/Y}, then one {@code CONFORMANCE-SCENARIO} line each.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class McpConformanceTest {

    private static final long SUITE_TIMEOUT_SECONDS = 240;
    private static final String CONFORMANCE_CLI = "node_modules/@modelcontextprotocol/conformance/dist/index.js";
    /** Scenario the fixture deliberately fails direct: it leaves Host/Origin validation to the gateway. */
    private static final String DNS_REBINDING = "dns-rebinding-protection";
    /** The suite has 32 server scenarios in 0.1.16; fewer means it did not run. */
    private static final int MIN_SCENARIOS = 30;

    @TempDir
    static Path outputRoot;

    private static ConformanceFixtureServer fixture;
    private static GatewayUnderTest gateway;
    private static NodeProcesses node;
    private static ConformanceResults direct;
    private static ConformanceResults viaGateway;

    @BeforeAll
    static void runTheSuiteDirectAndThroughTheGateway() throws Exception {
        fixture = ConformanceFixtureServer.start();
        gateway = GatewayUnderTest.start(fixture.url());
        node = new NodeProcesses();
        direct = runSuite(fixture.localhostUrl(), outputRoot.resolve("direct"));
        viaGateway = runSuite(gateway.localhostUrl(), outputRoot.resolve("gateway"));
        System.out.println("CONFORMANCE direct=" + direct.totals() + " gateway=" + viaGateway.totals());
        for (Scenario s : direct.scenarios().values()) {
            Scenario g = viaGateway.scenarios().get(s.name());
            System.out.printf("CONFORMANCE-SCENARIO %-30s direct=%s gateway=%s%s%n", s.name(), verdict(s), verdict(g),
                    g == null || g.failureMessages().isEmpty() ? "" : "  " + g.failureMessages());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void directRunPassesEveryScenarioExceptDnsRebindingWhichTheFixtureLeavesToTheGateway() {
        assertThat(direct.scenarios()).as("scenarios run direct").hasSizeGreaterThanOrEqualTo(MIN_SCENARIOS);
        List<String> failingDirect = direct.scenarios().values().stream().filter(s -> !s.passed())
                .map(s -> s.name() + " " + s.failureMessages()).toList();
        assertThat(failingDirect).singleElement().asString().startsWith(DNS_REBINDING);
    }

    @Test
    void everyScenarioThatPassesDirectPassesThroughTheGateway() {
        assertThat(viaGateway.scenarios().keySet()).isEqualTo(direct.scenarios().keySet());
        List<String> regressions = direct.scenarios().values().stream()
                .filter(Scenario::passed)
                .map(s -> viaGateway.scenarios().get(s.name()))
                .filter(g -> !g.passed())
                .map(g -> g.name() + " " + g.failureMessages())
                .toList();
        assertThat(regressions).as("scenarios passing direct but failing through the gateway").isEmpty();
    }

    @Test
    void noScenarioPicksUpWarningsThroughTheGateway() {
        // WARNINGs flag SHOULD-level losses (priming events, retry fields, resumption): a proxy must not add any.
        List<String> worse = direct.scenarios().values().stream()
                .filter(s -> viaGateway.scenarios().containsKey(s.name()))
                .filter(s -> viaGateway.scenarios().get(s.name()).warnings() > s.warnings())
                .map(s -> s.name() + " direct=" + s.warnings() + " gateway=" + viaGateway.scenarios().get(s.name()).warnings())
                .toList();
        assertThat(worse).isEmpty();
    }

    @Test
    void gatewaySuppliesDnsRebindingProtectionTheFixtureLacks() {
        assertThat(direct.passed(DNS_REBINDING)).as("fixture has no Host/Origin check of its own").isFalse();
        assertThat(viaGateway.scenarios().get(DNS_REBINDING)).as(DNS_REBINDING + " through the gateway")
                .satisfies(s -> assertThat(s.passed()).as(String.valueOf(s.failureMessages())).isTrue());
    }

    private static ConformanceResults runSuite(String url, Path outputDir) throws Exception {
        Files.createDirectories(outputDir);
        long started = System.nanoTime();
        NodeProcesses.Result run = node.run(SUITE_TIMEOUT_SECONDS, CONFORMANCE_CLI, "server", "--suite", "all", "--url", url,
                "-o", outputDir.toString());
        ConformanceResults results = ConformanceResults.read(outputDir);
        System.out.printf("conformance against %s: exit %d in %d ms, %s scenarios passed%n", url, run.exitCode(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), results.totals());
        if (results.scenarios().size() < MIN_SCENARIOS) {
            System.out.println(run.output());
        }
        return results;
    }

    private static String verdict(Scenario s) {
        if (s == null) {
            return "MISSING";
        }
        return (s.passed() ? "pass" : "FAIL") + (s.warnings() > 0 ? "(" + s.warnings() + "w)" : "");
    }
}
