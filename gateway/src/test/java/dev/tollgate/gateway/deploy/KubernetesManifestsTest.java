package dev.tollgate.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.tollgate.gateway.cli.TollgateCommand;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.ListenerConfig;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code deploy/kubernetes/}: no Kubernetes API server or kubeconform here, so the manifests are checked for what a
 * schema would catch (known kinds at their API versions, required fields, types) and for what no schema can: the
 * Service and the PodDisruptionBudget select the Deployment's pods, the probes reach /healthz and /readyz on the port
 * the gateway's admin listener uses, the containers' ports are the listeners' ports, the HPA scales this Deployment,
 * the SPIFFE CSI volume is mounted where SPIFFE_ENDPOINT_SOCKET points, every secret the configuration reads is in the
 * Secret, the container's arguments are a valid {@code tollgate run}, and the ConfigMap's gateway.yaml and policies load
 * with the gateway's own loaders.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** kind -> the apiVersion it must use (the stable one). */
    private static final Map<String, String> API_VERSIONS = Map.of("Deployment", "apps/v1", "Service", "v1", "ConfigMap", "v1",
            "Secret", "v1", "PodDisruptionBudget", "policy/v1", "HorizontalPodAutoscaler", "autoscaling/v2");
    private static final List<JsonNode> DOCS = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
                    Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
                    while (it.hasNext()) {
                        JsonNode doc = it.next();
                        ((ObjectNode) doc).put("__file", file.getFileName().toString());
                        DOCS.add(doc);
                    }
                }
            }
        }
    }

    @Test
    void everyManifestIsAKnownKindAtItsStableApiVersionWithNameAndLabels() {
        assertThat(DOCS).extracting(d -> d.path("kind").asText()).containsExactlyInAnyOrder("ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                "PodDisruptionBudget", "Secret", "Service", "Service");
        for (JsonNode doc : DOCS) {
            String kind = doc.path("kind").asText();
            assertThat(doc.path("apiVersion").asText()).as(kind).isEqualTo(API_VERSIONS.get(kind));
            assertThat(doc.path("metadata").path("name").asText()).as(kind).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
            assertThat(doc.path("metadata").path("labels").path("app.kubernetes.io/name").asText()).as(kind).isEqualTo("tollgate");
        }
    }

    @Test
    void theKustomizationListsEveryManifestButTheExampleSecret() throws IOException {
        JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new TreeSet<>();
        DOCS.forEach(d -> files.add(d.path("__file").asText()));
        files.remove("secret.example.yaml");
        assertThat(listed).isEqualTo(files);
        listed.forEach(f -> assertThat(DIR.resolve(f)).exists());
    }

    @Test
    void servicesPdbAndHpaPointAtTheDeploymentsPods() {
        JsonNode deployment = one("Deployment");
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        assertThat(deployment.path("spec").path("selector").path("matchLabels")).isEqualTo(podLabels);
        JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        Set<String> portNames = new TreeSet<>();
        container.path("ports").forEach(p -> portNames.add(p.path("name").asText()));
        for (JsonNode service : all("Service")) {
            assertThat(selects(service.path("spec").path("selector"), podLabels)).as(service.path("metadata").path("name").asText()).isTrue();
            service.path("spec").path("ports").forEach(p -> assertThat(portNames).contains(p.path("targetPort").asText()));
        }
        assertThat(selects(one("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), podLabels)).isTrue();
        assertThat(one("PodDisruptionBudget").path("spec").path("minAvailable").asInt())
                .isLessThan(deployment.path("spec").path("replicas").asInt());
        JsonNode target = one("HorizontalPodAutoscaler").path("spec").path("scaleTargetRef");
        assertThat(target.path("kind").asText()).isEqualTo("Deployment");
        assertThat(target.path("name").asText()).isEqualTo(deployment.path("metadata").path("name").asText());
        assertThat(one("HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt())
                .isGreaterThan(one("PodDisruptionBudget").path("spec").path("minAvailable").asInt());
    }

    @Test
    void probesPortsSocketAndSecretsMatchTheGatewayConfiguration(@TempDir Path dir) throws Exception {
        JsonNode pod = one("Deployment").path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        GatewayConfig config = loadConfigMap(dir);
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertThat(ports.get("admin")).isEqualTo(config.admin().port());
        for (ListenerConfig listener : config.listeners()) {
            assertThat(ports).containsValue(listener.port());
        }
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("admin");
        assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("admin");
        // The Workload API socket: the CSI volume is mounted at the directory SPIFFE_ENDPOINT_SOCKET names.
        String socket = env(container, "SPIFFE_ENDPOINT_SOCKET");
        assertThat(socket).startsWith("unix://");
        String socketDir = Path.of(socket.substring("unix://".length())).getParent().toString();
        String csiVolume = null;
        for (JsonNode volume : pod.path("volumes")) {
            if ("csi.spiffe.io".equals(volume.path("csi").path("driver").asText())) {
                csiVolume = volume.path("name").asText();
            }
        }
        assertThat(csiVolume).as("a csi.spiffe.io volume").isNotNull();
        String mounted = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("name").asText().equals(csiVolume)) {
                mounted = mount.path("mountPath").asText();
            }
        }
        assertThat(mounted).isEqualTo(socketDir);
        // Every ${VAR} the configuration reads is in the Secret the pod takes its environment from.
        String secretName = container.path("envFrom").get(0).path("secretRef").path("name").asText();
        JsonNode secret = all("Secret").stream().filter(s -> s.path("metadata").path("name").asText().equals(secretName)).findFirst().orElseThrow();
        Set<String> variables = new TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(one("ConfigMap").path("data").path("gateway.yaml").asText());
        while (m.find()) {
            variables.add(m.group(1));
        }
        Set<String> provided = new TreeSet<>();
        secret.path("stringData").fieldNames().forEachRemaining(provided::add);
        assertThat(provided).containsAll(variables);
        // The root filesystem is read-only: everything the gateway writes is a mounted volume.
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        Set<String> writable = new TreeSet<>();
        container.path("volumeMounts").forEach(v -> {
            if (!v.path("readOnly").asBoolean(false)) {
                writable.add(v.path("mountPath").asText());
            }
        });
        assertThat(writable).contains(config.audit().directory().toString(), "/tmp");
    }

    @Test
    void theContainerRunsAValidTollgateRun() {
        JsonNode container = one("Deployment").path("spec").path("template").path("spec").path("containers").get(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        CommandLine.ParseResult parsed = new CommandLine(new TollgateCommand()).parseArgs(args.toArray(String[]::new));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
        assertThat(args).containsSubsequence("--config", "/app/conf/gateway.yaml");
        // The ConfigMap's items land where the config expects them (policies/ beside gateway.yaml).
        Set<String> paths = new TreeSet<>();
        one("Deployment").path("spec").path("template").path("spec").path("volumes").forEach(v -> v.path("configMap").path("items")
                .forEach(i -> paths.add(i.path("path").asText())));
        assertThat(paths).contains("gateway.yaml", "policies/tools.yaml", "pricing.yaml");
    }

    /** Writes the ConfigMap's files as the Deployment mounts them and loads them with the gateway's loaders. */
    private GatewayConfig loadConfigMap(Path dir) throws Exception {
        JsonNode data = one("ConfigMap").path("data");
        Files.createDirectories(dir.resolve("policies"));
        for (JsonNode item : one("Deployment").path("spec").path("template").path("spec").path("volumes").get(0).path("configMap").path("items")) {
            Files.writeString(dir.resolve(item.path("path").asText()), data.path(item.path("key").asText()).asText());
        }
        Map<String, String> env = new HashMap<>();
        all("Secret").get(0).path("stringData").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        env.put("TOLLGATE_SESSION_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.put("TOLLGATE_SESSION_KEY_PREVIOUS", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.put("TOLLGATE_REDIS_URI", "redis://127.0.0.1:6379");
        GatewayConfig config = ConfigLoader.parse(Files.readString(dir.resolve("gateway.yaml")), "gateway.yaml", env, dir);
        assertThat(config.routes().get(0).upstreams().endpoints()).hasSize(2);
        assertThat(PolicyLoader.loadDirectory(config.policyDirectory(), CheckRegistry.withDefaults()).policy("tools")).isPresent();
        return config;
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        if (selector.isMissingNode() || selector.size() == 0) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().equals(labels.path(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    private static JsonNode one(String kind) {
        List<JsonNode> found = all(kind);
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static List<JsonNode> all(String kind) {
        return DOCS.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }
}
