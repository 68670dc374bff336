package dev.tollgate.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.RateLimitConfig;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the docker-compose stack, checked without Docker: every metric a panel queries is one the
 * gateway registers (names derived from the meters in the source, by Micrometer's Prometheus naming) and, with every
 * label the query uses, one a running gateway's scrape shows (or, for meters made on first use, the source tags); every
 * file the compose file mounts or builds from exists, and its gateway configuration loads with Redis and OTLP.
 */
class GrafanaAndComposeTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** A meter built with its name written out, or a per-route timer made by GatewayMetrics' {@code timer(name, ...)}. */
    private static final Pattern METER = Pattern.compile("(Counter|FunctionCounter|Gauge|Timer)\\.builder\\(\"(tollgate\\.[a-z.]+)\"|\\b(timer)\\(\"(tollgate\\.[a-z.]+)\"");
    private static final Pattern QUERIED = Pattern.compile("\\btollgate_[a-z_]+");
    private static final Pattern TAG_KEY = Pattern.compile("\"([a-z_]+)\"\\s*,");
    private static final Pattern SERIES = Pattern.compile("^(tollgate_[a-z_]+)(?:\\{(.*)\\})? ");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_]+)=\"");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]+)\\s*(?:=~|!~|!=|=)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\([^,]+,\\s*([a-zA-Z_]+)\\)");

    @Test
    void everyMetricTheDashboardQueriesIsOneTheGatewayRegisters() throws Exception {
        Set<String> known = prometheusNames();
        JsonNode dashboard = JSON.readTree(REPO.resolve("deploy/grafana/tollgate-dashboard.json").toFile());
        dashboard.path("panels").forEach(panel -> assertThat(panel.path("datasource").path("uid").asText())
                .as(panel.path("title").asText()).isEqualTo("${DS_PROMETHEUS}"));
        Set<String> queried = new TreeSet<>();
        for (JsonNode target : targets(dashboard)) {
            Matcher m = QUERIED.matcher(target.path("expr").asText());
            while (m.find()) {
                queried.add(m.group());
            }
        }
        assertThat(queried).hasSizeGreaterThan(20);
        assertThat(known).containsAll(queried);
        // Imported through the UI, __inputs asks for the data source; provisioned from a file (the compose stack), nothing
        // replaces ${DS_PROMETHEUS}, so a datasource variable of that name must resolve it.
        assertThat(dashboard.path("__inputs").get(0).path("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(dashboard.path("__requires").findValuesAsText("id")).contains("grafana", "prometheus");
        assertThat(dashboard.path("templating").path("list")).anySatisfy(v -> {
            assertThat(v.path("name").asText()).isEqualTo("DS_PROMETHEUS");
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
    }

    /**
     * Dashboard metrics a loopback gateway with an audit log does not expose until the event they count happens once:
     * their meters are made on first use. Each must still be registered under that name in the gateway's source
     * (checked below), and none may be exposed already (then it belongs to the scrape check, not here).
     */
    private static final Map<String, String> MADE_ON_FIRST_USE = Map.of(
            "tollgate_result_decisions_total", "GatewayMetrics.resultDecided: a route's first result decided by result rules",
            "tollgate_upstream_retries_total", "Upstreams.retried: a route's first call tried again on another instance",
            "tollgate_tool_pin_changes_total", "PinWatch: the first tool definition that differs from its pin");

    @Test
    void aRunningGatewayExposesEveryMetricAndLabelTheDashboardQueries(@TempDir Path audit) throws Exception {
        JsonNode dashboard = JSON.readTree(REPO.resolve("deploy/grafana/tollgate-dashboard.json").toFile());
        Vertx vertx = Vertx.vertx();
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        // Audit on, budgets and rate limits local (no Redis here): the audit and budget meters are registered.
        try (RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, "audit: {directory: " + audit + "}");
             TestHttp http = new TestHttp(vertx)) {
            for (int i = 0; i < 3; i++) {
                assertThat(http.postMcp(gateway.port(), "/mcp",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{}}}").status())
                        .isEqualTo(200);
            }
            // A call is counted (and its histogram made) when the gateway completes it, just after its answer is written.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> gateway.gateway().metrics().scrape().contains("tollgate_request_duration_seconds_bucket{"));
            Map<String, Set<String>> exposed = series(gateway.gateway().metrics().scrape());
            Map<String, Set<String>> inSource = prometheusNamesWithTags();

            // The naming rule the first test relies on (counter _total, timer _seconds_*) is the one the registry applies.
            assertThat(inSource.keySet()).containsAll(exposed.keySet());
            assertThat(MADE_ON_FIRST_USE.keySet()).as("made on first use, so registered in the source")
                    .allSatisfy(name -> assertThat(inSource).containsKey(name))
                    .as("made on first use, so not exposed yet").doesNotContainAnyElementsOf(exposed.keySet());

            int exprs = 0;
            for (JsonNode target : targets(dashboard)) {
                String expr = target.path("expr").asText();
                Set<String> labels = labelsQueried(expr);
                Matcher m = QUERIED.matcher(expr);
                while (m.find()) {
                    String name = m.group();
                    assertThat(exposed.containsKey(name) || MADE_ON_FIRST_USE.containsKey(name)).as("%s in %s", name, expr).isTrue();
                    // Labels come from the scrape when exposed, else from the meter's tags in the source.
                    Set<String> has = exposed.containsKey(name) ? exposed.get(name) : inSource.get(name);
                    assertThat(has).as("labels of %s queried in %s", name, expr).containsAll(labels);
                }
                exprs++;
            }
            assertThat(exprs).isGreaterThan(20);
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

        // Loaded with no environment, so the defaults written in the file are what is checked (not this machine's variables).
        GatewayConfig config = ConfigLoader.parse(Files.readString(compose.resolve("gateway.yaml")), "gateway.yaml", Map.of(), compose);
        assertThat(config.routes()).extracting(r -> r.upstream().toString()).containsExactly("http://mcp:3001/mcp");
        // Budgets and rate limits on the stack's Redis service, spans to its collector.
        assertThat(config.redis().uri()).isEqualTo("redis://redis:6379");
        assertThat(config.budget().ledger()).isEqualTo(BudgetConfig.LedgerKind.REDIS);
        assertThat(config.rateLimits().store()).isEqualTo(RateLimitConfig.Store.REDIS);
        assertThat(config.telemetry().tracesExporter()).isEqualTo("otlp");
        assertThat(stack.path("services").path("tollgate").path("environment").path("OTEL_EXPORTER_OTLP_ENDPOINT").asText())
                .isEqualTo("http://otel-collector:4318");
        assertThat(YAML.readTree(compose.resolve("otel-collector.yaml").toFile()).path("receivers").path("otlp").path("protocols")
                .path("http").path("endpoint").asText()).endsWith(":4318");
        // The policy the route names is in the directory the stack mounts as policies/.
        assertThat(PolicyLoader.loadDirectory(REPO.resolve("conf/policies"), CheckRegistry.withDefaults()).policy(config.routes().get(0).policy()))
                .isPresent();
        // Prometheus scrapes the admin port the configuration opens; Grafana reads the dashboard checked above.
        assertThat(Files.readString(compose.resolve("prometheus.yml"))).contains("tollgate:" + config.admin().port());
        assertThat(stack.path("services").path("grafana").path("volumes").toString()).contains("../grafana/tollgate-dashboard.json");
    }

    /** Every Prometheus series name the gateway's meters can produce, by Micrometer's naming for Prometheus. */
    private static Set<String> prometheusNames() throws IOException {
        return prometheusNamesWithTags().keySet();
    }

    /** Those names with the tag keys their builders set (tags set elsewhere, as in GatewayMetrics.timer, are not seen). */
    private static Map<String, Set<String>> prometheusNamesWithTags() throws IOException {
        Map<String, Set<String>> names = new TreeMap<>();
        try (Stream<Path> files = Files.walk(REPO.resolve("gateway/src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher m = METER.matcher(source);
                while (m.find()) {
                    String kind = m.group(1) != null ? m.group(1) : "Timer";
                    String base = (m.group(2) != null ? m.group(2) : m.group(4)).replace('.', '_');
                    // A tag key is a plain literal followed by a comma in the builder chain, up to its register(...).
                    int register = source.indexOf("register(", m.end());
                    Set<String> tags = new TreeSet<>();
                    Matcher tag = TAG_KEY.matcher(source.substring(m.end(), register < 0 ? m.end() : register));
                    while (tag.find()) {
                        tags.add(tag.group(1));
                    }
                    switch (kind) {
                        case "Counter", "FunctionCounter" -> names.computeIfAbsent(base + "_total", k -> new TreeSet<>()).addAll(tags);
                        case "Timer" -> {
                            for (String suffix : List.of("_seconds_count", "_seconds_sum", "_seconds_max", "_seconds")) {
                                names.computeIfAbsent(base + suffix, k -> new TreeSet<>()).addAll(tags);
                            }
                            Set<String> bucket = names.computeIfAbsent(base + "_seconds_bucket", k -> new TreeSet<>());
                            bucket.addAll(tags);
                            bucket.add("le");
                        }
                        default -> names.computeIfAbsent(base, k -> new TreeSet<>()).addAll(tags);
                    }
                }
            }
        }
        return names;
    }

    /** Series names in a Prometheus text scrape, with the label names seen on each. */
    private static Map<String, Set<String>> series(String scrape) {
        Map<String, Set<String>> series = new TreeMap<>();
        for (String line : scrape.split("\n")) {
            Matcher m = SERIES.matcher(line);
            if (m.find()) {
                Set<String> labels = series.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                Matcher label = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        return series;
    }

    /** Every query of the dashboard: panel targets (also those inside collapsed rows) and template variables. */
    private static List<JsonNode> targets(JsonNode dashboard) {
        List<JsonNode> targets = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(targets::add);
            panel.path("panels").forEach(nested -> nested.path("targets").forEach(targets::add));
        }
        dashboard.path("templating").path("list").forEach(v -> targets.add(JSON.createObjectNode().put("expr", v.path("query").asText())));
        return targets;
    }

    /** The label names a query groups by, matches on, or lists values of. */
    private static Set<String> labelsQueried(String expr) {
        Set<String> labels = new TreeSet<>();
        Matcher by = BY.matcher(expr);
        while (by.find()) {
            for (String label : by.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        Matcher selector = SELECTOR.matcher(expr);
        while (selector.find()) {
            Matcher matcher = MATCHER.matcher(selector.group(1));
            while (matcher.find()) {
                labels.add(matcher.group(1));
            }
        }
        Matcher values = LABEL_VALUES.matcher(expr);
        while (values.find()) {
            labels.add(values.group(1));
        }
        return labels;
    }

    private static String everythingVersion() throws IOException {
        Matcher version = Pattern.compile("\"@modelcontextprotocol/server-everything\": \"([^\"]+)\"")
                .matcher(Files.readString(REPO.resolve("gateway/src/test/node/package.json")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }
}
