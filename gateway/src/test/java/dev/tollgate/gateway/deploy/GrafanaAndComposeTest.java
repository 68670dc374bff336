package dev.tollgate.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the docker-compose stack, checked without Docker: every metric a panel queries is one the
 * gateway registers (names derived from the meters in the source, by Micrometer's Prometheus naming, which a live scrape
 * confirms), and every file the compose file mounts or builds from exists, with its gateway configuration loading.
 */
class GrafanaAndComposeTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** A meter built with its name written out, or a per-route timer made by GatewayMetrics' {@code timer(name, ...)}. */
    private static final Pattern METER = Pattern.compile("(Counter|FunctionCounter|Gauge|Timer)\\.builder\\(\"(tollgate\\.[a-z.]+)\"|\\b(timer)\\(\"(tollgate\\.[a-z.]+)\"");
    private static final Pattern QUERIED = Pattern.compile("\\btollgate_[a-z_]+");

    @Test
    void everyMetricTheDashboardQueriesIsOneTheGatewayRegisters() throws Exception {
        Set<String> known = prometheusNames();
        JsonNode dashboard = JSON.readTree(REPO.resolve("deploy/grafana/tollgate-dashboard.json").toFile());
        Set<String> queried = new TreeSet<>();
        dashboard.path("panels").forEach(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${DS_PROMETHEUS}");
            panel.path("targets").forEach(target -> {
                Matcher m = QUERIED.matcher(target.path("expr").asText());
                while (m.find()) {
                    queried.add(m.group());
                }
            });
        });
        dashboard.path("templating").path("list").forEach(v -> {
            Matcher m = QUERIED.matcher(v.path("query").asText());
            while (m.find()) {
                queried.add(m.group());
            }
        });
        assertThat(queried).hasSizeGreaterThan(20);
        assertThat(known).containsAll(queried);
        assertThat(dashboard.path("__inputs").get(0).path("name").asText()).isEqualTo("DS_PROMETHEUS");
    }

    @Test
    void theNamingRuleMatchesWhatAGatewayExposes() throws Exception {
        Vertx vertx = Vertx.vertx();
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        try (RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, null); TestHttp http = new TestHttp(vertx)) {
            http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{}}}");
            // The call is counted when the gateway completes it, just after its answer is written.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> gateway.gateway().metrics().scrape().contains("tollgate_requests_total{"));
            String scrape = gateway.gateway().metrics().scrape();
            Set<String> exposed = new HashSet<>();
            Matcher m = QUERIED.matcher(scrape);
            while (m.find()) {
                exposed.add(m.group());
            }
            Set<String> derived = prometheusNames();
            // Everything this gateway exposes is among the derived names: the rule (counter _total, timer _seconds_*) holds.
            assertThat(derived).containsAll(exposed);
            assertThat(exposed).contains("tollgate_requests_total", "tollgate_request_duration_seconds_bucket", "tollgate_rejects_total",
                    "tollgate_sse_streams_open");
        } finally {
            upstream.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void everyFileTheComposeStackNamesExistsAndItsGatewayConfigurationLoads() throws Exception {
        Path compose = REPO.resolve("deploy/compose");
        JsonNode stack = YAML.readTree(compose.resolve("docker-compose.yaml").toFile());
        assertThat(stack.path("services").fieldNames()).toIterable().contains("tollgate", "mcp", "redis", "otel-collector", "prometheus", "grafana");
        JsonNode build = stack.path("services").path("tollgate").path("build");
        assertThat(compose.resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText())).isRegularFile();
        int mounts = 0;
        for (JsonNode service : stack.path("services")) {
            for (JsonNode volume : service.path("volumes")) {
                String host = volume.asText().split(":")[0];
                if (host.startsWith(".")) {
                    assertThat(compose.resolve(host).normalize()).as(volume.asText()).exists();
                    mounts++;
                }
            }
        }
        assertThat(mounts).isGreaterThanOrEqualTo(8);
        // The mcp service runs the reference server at the version the README's walk-through and the tests use.
        assertThat(stack.path("services").path("mcp").path("command").toString())
                .contains("@modelcontextprotocol/server-everything@" + everythingVersion());

        GatewayConfig config = ConfigLoader.load(compose.resolve("gateway.yaml"));
        assertThat(config.routes()).extracting(r -> r.upstream().toString()).containsExactly("http://mcp:3001/mcp");
        // The policy the route names is in the directory the stack mounts as policies/.
        assertThat(PolicyLoader.loadDirectory(REPO.resolve("conf/policies"), CheckRegistry.withDefaults()).policy(config.routes().get(0).policy()))
                .isPresent();
        // Prometheus scrapes the admin port the configuration opens; Grafana reads the dashboard checked above.
        assertThat(Files.readString(compose.resolve("prometheus.yml"))).contains("tollgate:" + config.admin().port());
        assertThat(stack.path("services").path("grafana").path("volumes").toString()).contains("../grafana/tollgate-dashboard.json");
    }

    /** Every Prometheus series name the gateway's meters can produce, by Micrometer's naming for Prometheus. */
    private static Set<String> prometheusNames() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(REPO.resolve("gateway/src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = METER.matcher(Files.readString(file));
                while (m.find()) {
                    String kind = m.group(1) != null ? m.group(1) : "Timer";
                    String base = (m.group(2) != null ? m.group(2) : m.group(4)).replace('.', '_');
                    switch (kind) {
                        case "Counter", "FunctionCounter" -> names.add(base + "_total");
                        case "Timer" -> names.addAll(List.of(base + "_seconds_bucket", base + "_seconds_count", base + "_seconds_sum",
                                base + "_seconds_max", base + "_seconds"));
                        default -> names.add(base);
                    }
                }
            }
        }
        return names;
    }

    private static String everythingVersion() throws IOException {
        Matcher version = Pattern.compile("\"@modelcontextprotocol/server-everything\": \"([^\"]+)\"")
                .matcher(Files.readString(REPO.resolve("gateway/src/test/node/package.json")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }
}
