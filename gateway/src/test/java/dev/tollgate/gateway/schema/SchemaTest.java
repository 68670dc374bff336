package dev.tollgate.gateway.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.schema.SchemaBuilder.Fields;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.yaml.LocatedYaml;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The schemas in schemas/ are generated from the loaders' field sets, committed, and hold for every shipped file: a
 * field added to a loader without a description, a stale committed schema, or a shipped file the schema refuses all
 * fail here.
 */
class SchemaTest {

    /** Maven runs the tests in gateway/. */
    private static final Path ROOT = Path.of("..");
    private static final String REGENERATE = "run `java -jar gateway/target/tollgate.jar schema --out schemas` and commit the result";
    private static final Map<Path, String> CONFIG_SOURCES = Map.of(
            ROOT.resolve("gateway/src/main/java/dev/tollgate/gateway/config"), "dev.tollgate.gateway.config.");
    /** pricing.yaml is a file of its own, not part of gateway.yaml; it has no schema yet. */
    private static final Set<String> NOT_GATEWAY_YAML = Set.of("PricingLoader.java");

    @Test
    void theGeneratorDescribesEveryFieldTheLoadersAccept() {
        for (GeneratedSchema schema : SchemaFiles.all()) {
            assertThat(schema.drift()).as("%s: describe these fields in %s", schema.fileName(),
                    schema.fileName().startsWith("gateway") ? "ConfigSchema" : "PolicySchema").isEmpty();
        }
    }

    @Test
    void driftIsReportedBothWays() {
        SchemaBuilder b = new SchemaBuilder();
        b.mapping("limits", "test", Set.of("known", "added-to-loader"), new Fields()
                .add("known", "described", Types.string())
                .add("removed-from-loader", "described", Types.string()));
        assertThat(b.drift()).containsExactlyInAnyOrder(
                "limits.added-to-loader: accepted by the loader but not described in the schema generator",
                "limits.removed-from-loader: described in the schema generator but not accepted by the loader");
        GeneratedSchema stale = new GeneratedSchema("x.schema.json", JsonNodeFactory.instance.objectNode(), b.drift());
        assertThatThrownBy(stale::checked).hasMessageContaining("added-to-loader");
    }

    /** Every set a configuration reader passes to rejectUnknown is one closed object of the schema, field for field. */
    @Test
    void everyMappingTheLoadersCheckIsAClosedObjectOfTheSchema() throws Exception {
        Set<Set<String>> closedObjects = closedObjects(ConfigSchema.generate().schema());
        List<String> checked = new ArrayList<>();
        for (Map.Entry<Path, String> source : CONFIG_SOURCES.entrySet()) {
            try (Stream<Path> files = Files.list(source.getKey())) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    if (NOT_GATEWAY_YAML.contains(file.getFileName().toString())) {
                        continue;
                    }
                    String className = source.getValue() + file.getFileName().toString().replace(".java", "");
                    for (String constant : matches(Files.readString(file), Pattern.compile("\\.rejectUnknown\\(([A-Z_0-9]+)\\)"))) {
                        Set<String> fields = constant(className, constant);
                        assertThat(closedObjects).as("%s.%s %s has no matching object in %s", className, constant, new TreeSet<>(fields),
                                ConfigSchema.FILE_NAME).contains(fields);
                        checked.add(constant);
                    }
                }
            }
        }
        // A scan that finds nothing would pass whatever the schema says.
        assertThat(checked).hasSizeGreaterThan(25);

        Set<Set<String>> policyObjects = closedObjects(PolicySchema.generate().schema());
        String policyLoader = Files.readString(ROOT.resolve("policy/src/main/java/dev/tollgate/policy/PolicyLoader.java"));
        List<String> policySets = matches(policyLoader, Pattern.compile("rejectUnknown\\([^,()]+,[^,()]+,\\s*([A-Z_0-9]+),"));
        assertThat(policySets).hasSize(4);
        for (String constant : policySets) {
            assertThat(policyObjects).as("PolicyLoader.%s", constant).contains(constant("dev.tollgate.policy.PolicyLoader", constant));
        }
    }

    @Test
    void theCommittedSchemasAreTheGeneratedOnes() throws Exception {
        for (Map.Entry<String, String> file : SchemaFiles.render().entrySet()) {
            Path committed = ROOT.resolve("schemas").resolve(file.getKey());
            assertThat(Files.exists(committed)).as("%s is missing: %s", committed, REGENERATE).isTrue();
            assertThat(Files.readString(committed, StandardCharsets.UTF_8)).as("schemas/%s is stale: %s", file.getKey(), REGENERATE)
                    .isEqualTo(file.getValue());
        }
    }

    @Test
    void theShippedFilesAreValid() throws Exception {
        SchemaValidator gateway = new SchemaValidator(ConfigSchema.generate().checked());
        SchemaValidator policy = new SchemaValidator(PolicySchema.generate().checked());
        Map<String, List<String>> errors = new LinkedHashMap<>();
        List<Path> gatewayFiles = new ArrayList<>(List.of(ROOT.resolve("conf/gateway.yaml"), ROOT.resolve("deploy/compose/gateway.yaml")));
        List<Path> policyFiles = new ArrayList<>(policyDocuments(ROOT.resolve("conf/policies")));
        // Policies shipped elsewhere: the demo's (in the jar) and the load-test harness's.
        policyFiles.add(ROOT.resolve("gateway/src/main/resources/dev/tollgate/gateway/demo/demo-policy.yaml"));
        policyFiles.addAll(policyDocuments(ROOT.resolve("load-tests/harness/policies")));
        Path examples = ROOT.resolve("examples");
        if (Files.isDirectory(examples)) {
            try (Stream<Path> all = Files.walk(examples)) {
                for (Path file : all.sorted().toList()) {
                    if (file.getFileName().toString().equals("gateway.yaml")) {
                        gatewayFiles.add(file);
                    } else if (file.getParent().getFileName().toString().equals("policies") && isPolicyDocument(file) && !isAgt(file)) {
                        // Documents in the Agent Governance Toolkit's format have their own loader and no schema here.
                        policyFiles.add(file);
                    }
                }
            }
        }
        for (Path file : gatewayFiles) {
            errors.put(file.toString(), gateway.validateYaml(Files.readString(file)));
        }
        for (Path file : policyFiles) {
            errors.put(file.toString(), policy.validateYaml(Files.readString(file)));
        }
        // The Kubernetes ConfigMap embeds gateway.yaml and the policy documents as strings.
        JsonNode configMap = LocatedYaml.parse(Files.readString(ROOT.resolve("deploy/kubernetes/configmap.yaml"))).root();
        int embedded = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = configMap.path("data").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode document = LocatedYaml.parse(entry.getValue().asText()).root();
            String where = "deploy/kubernetes/configmap.yaml data." + entry.getKey();
            if (entry.getKey().equals("gateway.yaml")) {
                errors.put(where, gateway.validate(document));
                embedded++;
            } else if (document.has("rules")) {
                errors.put(where, policy.validate(document));
                embedded++;
            }
        }
        assertThat(embedded).as("the ConfigMap's gateway.yaml and policy documents").isGreaterThanOrEqualTo(2);
        assertThat(policyFiles).as("conf/policies has documents").isNotEmpty();
        errors.values().removeIf(List::isEmpty);
        assertThat(errors).as("files the schemas refuse").isEmpty();
    }

    /**
     * The other direction: what the loader accepts, the schema must not flag, or editors would underline valid files.
     * One configuration with every section, in the value forms the loader takes (sizes as numbers and with units, a
     * bare YAML off, a share, lists in flow style).
     */
    @Test
    void aConfigurationUsingEverySectionIsAcceptedByBoth() throws Exception {
        String secret = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        String yaml = """
                listeners:
                  - {name: public, host: 127.0.0.1, port: 8080, allowed-hosts: [localhost], allowed-origins: ["http://localhost:*"]}
                  - name: mtls
                    port: 8443
                    tls: {cert-chain: certs/a.pem, private-key: certs/k.pem, trust-bundle: certs/b.pem, trust-domains: [example.org], engine: jdk}
                  - name: agent
                    port: 8444
                    tls: {source: workload-api, socket: "unix:/run/spire/agent.sock", timeout: 10s, trust-domains: [example.org]}
                admin: {host: 127.0.0.1, port: 9090, allowed-hosts: ["*"], allowed-origins: [], token: abcdefghijklmnopqrstuvwxyz012345}
                limits: {max-body-bytes: 65536, max-json-depth: 32, max-buffered-response-bytes: 1MiB, max-batch-messages: 10,
                         max-inspected-response-bytes: 16MiB, header-timeout: 10s, body-timeout: 30s, idle-timeout: 2m}
                policies: {directory: policies, custom-checks: {big_spender: {check: budget, args: {limit_usd: 10}}}}
                telemetry: {service-name: t, traces-exporter: otlp, record-arguments: true, redact: [/password], upstream-spans: true,
                            decision-span-after: 5ms, sample-allowed: 0.1, access-log: false, incoming-trace: link}
                audit: {directory: audit, max-file-bytes: 1MiB, queue-capacity: 100, when-full: drop, arguments: none}
                identity:
                  axid: {jwks-url: "https://idp.example/jwks", jwks-refresh: 5m, jwks-min-refetch: 30s, issuer: dev, audience: tollgate,
                         type: JWT, max-lifetime: 5m, clock-skew: 30s, required-claims: [tenant], forward: pass,
                         binding: {claim: agent, spiffe-segment: 1}}
                redis: {uri: "redis://127.0.0.1:6379", key-prefix: t, timeout: 250ms, max-pool-size: 4}
                budgets: {ledger: redis, mode: strict, cache-ttl: 1s, cache-max-age: 2s, on-ledger-error: allow-stale, max-staleness: 30s,
                          timeout: 250ms, hold-expiry: 5m, drain-timeout: 5s, pricing: pricing.yaml}
                rate-limits: {store: redis}
                sessions: {keys: [{id: k1, secret: "SECRET"}], max-age: 1h}
                approvals: {webhook: {url: "https://approver.example/hook", timeout: 5s, secret: s}, admin-url: "https://admin.example",
                            store: redis, history: 100}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    upstreams: [{url: "https://10.0.0.1:3001/mcp", weight: 2}, {url: "https://10.0.0.2:3001/mcp"}]
                    balance: round-robin
                    health-check: {interval: 5s, timeout: 2s, probe: mcp-ping, unhealthy-after: 2, healthy-after: 1}
                    outlier-ejection: {consecutive-failures: 5, base-time: 10s, max-time: 5m}
                    connect-timeout: 5s
                    response-timeout: 60s
                    max-connections: 64
                    max-concurrent-calls: 32
                    max-concurrent-calls-per-caller: 8
                    policy: default
                    axid: off
                    allowed-spiffe-ids: ["spiffe://example.org/agents/*"]
                    upstream-tls: {spiffe-id: "spiffe://example.org/tools", svid: mtls}
                    oauth:
                      resource: "https://gw.example/mcp"
                      issuer: "https://as.example"
                      jwks-url: "https://as.example/jwks"
                      required-scopes: [tools]
                      scopes-supported: [tools]
                      clock-skew: 30s
                      upstream-credential: {header: Authorization, token-exchange: {token-url: "https://as.example/token", client-id: gw,
                                            client-secret: s, resource: "https://tools.example", audience: tools, scope: read}}
                      introspection: {url: "https://as.example/introspect", client-id: gw, client-secret: s}
                    pinning: {manifest: pins/tools.yaml, on-change: audit}
                  - name: echo
                    path: /agents/echo
                    protocol: a2a
                    upstream: "http://127.0.0.1:41241"
                    axid: optional
                    health-check: {probe: http, path: /.well-known/agent-card.json}
                    a2a: {public-url: "https://gw.example/agents/echo", card-security: gateway}
                """.replace("SECRET", secret);
        ConfigLoader.parse(yaml, "every-section.yaml", Map.of(), ROOT.resolve("conf"));
        assertThat(new SchemaValidator(ConfigSchema.generate().checked()).validateYaml(yaml)).isEmpty();
    }

    @Test
    void aPolicyUsingEveryConditionIsAcceptedByBoth() throws Exception {
        String yaml = """
                name: everything
                version: 2
                description: every condition key once
                mode: shadow
                defaults: {action: deny, message: denied}
                rules:
                  - name: held
                    priority: 5
                    condition:
                      any:
                        - all: [{protocol: mcp}, {method: [tools/call]}, {tool: "shell_*"}, {direction: client_to_server}]
                        - {resource: "file:///*"}
                        - {prompt: summarize}
                        - not: {arg: {path: /command, matches: "rm", normalize: [nfkc, case]}}
                        - {arg: {path: /size, gt: 10}}
                        - {arg: {path: /host, in: [a, b]}}
                        - {claim: {name: tenant, eq: acme}}
                        - {spiffe_id: "spiffe://example.org/agents/*"}
                        - {capability: deploy}
                        - {scope: "tools:write"}
                        - {pinned: false}
                        - {time: {after: "09:00", before: "17:00", zone: Europe/Paris, days: [mon, fri]}}
                        - {check: {name: argument_size, args: {max_bytes: 100}}}
                    action: approve
                    message: waiting
                    approval: {timeout: 5m, on-timeout: allow, approvers: [ops]}
                """;
        PolicyLoader.parse(yaml, "everything.yaml", CheckRegistry.withDefaults());
        assertThat(new SchemaValidator(PolicySchema.generate().checked()).validateYaml(yaml)).isEmpty();
    }

    /** The same mistake, the same verdict: the schema and the loader both refuse it. */
    @Test
    void aMisspeltFieldIsRefusedByTheSchemaAndByTheLoader() throws Exception {
        String shipped = Files.readString(ROOT.resolve("conf/gateway.yaml"));
        String misspelt = shipped.replace("  max-body-bytes: 4MiB", "  max-body-byte: 4MiB");
        assertThat(misspelt).isNotEqualTo(shipped);
        SchemaValidator gateway = new SchemaValidator(ConfigSchema.generate().checked());
        assertThat(gateway.validateYaml(shipped)).isEmpty();
        assertThat(gateway.validateYaml(misspelt)).anySatisfy(error -> assertThat(error).contains("/limits").contains("max-body-byte"));
        assertThatThrownBy(() -> ConfigLoader.parse(misspelt, "gateway.yaml", Map.of(), ROOT.resolve("conf")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.max-body-byte").hasMessageContaining("unknown field");

        String policyText = Files.readString(ROOT.resolve("conf/policies/default.yaml"));
        String misspeltPolicy = policyText.replaceFirst("    priority: 100", "    priorty: 100");
        assertThat(misspeltPolicy).isNotEqualTo(policyText);
        SchemaValidator policy = new SchemaValidator(PolicySchema.generate().checked());
        assertThat(policy.validateYaml(misspeltPolicy)).anySatisfy(error -> assertThat(error).contains("priorty"));
        assertThatThrownBy(() -> PolicyLoader.parse(misspeltPolicy, "default.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("priorty");
    }

    /** A value of the wrong kind, likewise: a word where a port number goes, a condition with an unknown key. */
    @Test
    void aValueOfTheWrongKindIsRefusedByBoth() throws Exception {
        String shipped = Files.readString(ROOT.resolve("conf/gateway.yaml"));
        String wrong = shipped.replace("port: ${TOLLGATE_ADMIN_PORT:-9090}", "port: ninety");
        assertThat(wrong).isNotEqualTo(shipped);
        assertThat(new SchemaValidator(ConfigSchema.generate().checked()).validateYaml(wrong))
                .anySatisfy(error -> assertThat(error).contains("/admin/port"));
        assertThatThrownBy(() -> ConfigLoader.parse(wrong, "gateway.yaml", Map.of(), ROOT.resolve("conf")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.port");

        String policyText = Files.readString(ROOT.resolve("conf/policies/default.yaml"));
        String unknownCondition = policyText.replace("condition: {method: sampling/createMessage}", "condition: {methods: sampling/createMessage}");
        assertThat(unknownCondition).isNotEqualTo(policyText);
        assertThat(new SchemaValidator(PolicySchema.generate().checked()).validateYaml(unknownCondition))
                .anySatisfy(error -> assertThat(error).contains("methods"));
        assertThatThrownBy(() -> PolicyLoader.parse(unknownCondition, "default.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("methods");
    }

    /** The shipped files tell editors where their schema is, and the path they give reaches the committed file. */
    @Test
    void theShippedFilesNameTheirSchema() throws Exception {
        Map<Path, String> expected = Map.of(
                ROOT.resolve("conf/gateway.yaml"), ConfigSchema.FILE_NAME,
                ROOT.resolve("conf/policies/default.yaml"), PolicySchema.FILE_NAME);
        for (Map.Entry<Path, String> file : expected.entrySet()) {
            String first = Files.readAllLines(file.getKey()).get(0);
            Matcher m = Pattern.compile("^# yaml-language-server: \\$schema=(\\S+)$").matcher(first);
            assertThat(m.matches()).as("first line of %s: %s", file.getKey(), first).isTrue();
            Path schema = file.getKey().getParent().resolve(m.group(1)).normalize();
            assertThat(schema.getFileName().toString()).isEqualTo(file.getValue());
            assertThat(Files.exists(schema)).as("%s from %s", schema, file.getKey()).isTrue();
        }
    }

    private static List<Path> policyDocuments(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(SchemaTest::isPolicyDocument).sorted().toList();
        }
    }

    private static boolean isAgt(Path file) throws java.io.IOException {
        return dev.tollgate.policy.PolicyLoader.isAgtDocument(new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(file.toFile()));
    }

    private static boolean isPolicyDocument(Path file) {
        String name = file.getFileName().toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.endsWith(".tests.yaml") && !name.endsWith(".tests.yml");
    }

    private static List<String> matches(String text, Pattern pattern) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> constant(String className, String name) throws Exception {
        Field field = Class.forName(className).getDeclaredField(name);
        field.setAccessible(true);
        return Set.copyOf((Set<String>) field.get(null));
    }

    /** The property sets of every object in the schema that refuses other properties. */
    private static Set<Set<String>> closedObjects(JsonNode node) {
        Set<Set<String>> out = new HashSet<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, Set<Set<String>> out) {
        if (node.isObject() && node.has("properties") && node.path("additionalProperties").isBoolean()
                && !node.get("additionalProperties").booleanValue()) {
            Set<String> names = new HashSet<>();
            node.get("properties").fieldNames().forEachRemaining(names::add);
            out.add(Set.copyOf(names));
        }
        node.elements().forEachRemaining(child -> collect(child, out));
    }
}
