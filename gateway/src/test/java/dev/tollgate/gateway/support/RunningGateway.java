package dev.tollgate.gateway.support;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts the real gateway in-process on ephemeral ports for a test, from YAML text. */
public final class RunningGateway implements AutoCloseable {

    private final Gateway gateway;
    /** A policy directory this class made for the gateway (deleted on close), or null. */
    private final java.nio.file.Path ownPolicies;

    private RunningGateway(Gateway gateway) {
        this(gateway, null);
    }

    private RunningGateway(Gateway gateway, java.nio.file.Path ownPolicies) {
        this.gateway = gateway;
        this.ownPolicies = ownPolicies;
    }

    /** Starts from YAML with the given services (an in-memory span exporter, say). */
    public static RunningGateway start(Vertx vertx, String yaml, dev.tollgate.gateway.GatewayServices services) throws Exception {
        var snapshot = new dev.tollgate.gateway.reload.SnapshotLoader(dev.tollgate.policy.check.CheckRegistry.withDefaults())
                .compile(ConfigLoader.parse(yaml, "test.yaml", Map.of()));
        Gateway gateway = Gateway.start(vertx, snapshot, 1, services).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new RunningGateway(gateway);
    }

    /** YAML for one MCP route to the upstream decided by the policy in the given directory. */
    public static String mcpYaml(String upstreamUrl, Path policies, String policyName, String extraTopLevel) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: %s}
                """.formatted(policies, extraTopLevel == null ? "" : extraTopLevel, upstreamUrl, policyName);
    }

    public static RunningGateway start(Vertx vertx, String yaml) throws Exception {
        Gateway gateway = Gateway.start(vertx, ConfigLoader.parse(yaml, "test.yaml", Map.of()), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new RunningGateway(gateway);
    }

    /** A policy that allows everything, for tests about transport rather than policy. */
    public static final String ALLOW_ALL = "name: allow-all\ndefaults: {action: allow}\nrules: []\n";

    /** A gateway with one MCP route {@code /mcp} to the given upstream, an allow-all policy, and extra settings. */
    public static RunningGateway mcp(Vertx vertx, String upstreamUrl, String extraRouteYaml, String limitsYaml) throws Exception {
        return mcpWithPolicy(vertx, upstreamUrl, ALLOW_ALL, extraRouteYaml, limitsYaml);
    }

    /** A gateway whose {@code /mcp} route is decided by the given policy document (its name is read from it). */
    public static RunningGateway mcpWithPolicy(Vertx vertx, String upstreamUrl, String policyYaml, String extraRouteYaml,
                                               String limitsYaml) throws Exception {
        Path policies = Files.createTempDirectory("tollgate-policies");
        Files.writeString(policies.resolve("policy.yaml"), policyYaml);
        String policyName = policyYaml.lines().filter(l -> l.startsWith("name:")).findFirst()
                .orElseThrow().substring("name:".length()).trim();
        RunningGateway started = start(vertx, """
                listeners:
                  - name: public
                    host: 127.0.0.1
                    port: 0
                admin:
                  host: 127.0.0.1
                  port: 0
                policies:
                  directory: %s
                %s
                routes:
                  - name: upstream
                    path: /mcp
                    protocol: mcp
                    upstream: %s
                    policy: %s
                %s
                """.formatted(policies, limitsYaml == null ? "" : limitsYaml, upstreamUrl, policyName,
                extraRouteYaml == null ? "" : extraRouteYaml.indent(4)));
        return new RunningGateway(started.gateway, policies);
    }

    public Gateway gateway() {
        return gateway;
    }

    public int port() {
        return gateway.port();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() throws Exception {
        try {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            TempDirs.delete(ownPolicies);
        }
    }
}
