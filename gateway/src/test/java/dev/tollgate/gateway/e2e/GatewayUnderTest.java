package dev.tollgate.gateway.e2e;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real gateway, in-process on its own Vert.x, with one MCP route {@code /mcp} to an upstream URL, on ephemeral
 * loopback ports, with an allow-all policy (these tests are about the transport, and a route without a policy
 * denies every call). Close it in {@code @AfterAll}.
 */
public final class GatewayUnderTest implements AutoCloseable {

    private static final long START_STOP_TIMEOUT_SECONDS = 20;
    /**
     * One listener verticle: with more, {@code Gateway.start} cannot share a port-0 listener between deployments
     * (BindException, see {@link GatewayStartsOnEphemeralPortsTest}), and these tests need ephemeral ports.
     */
    static final int EVENT_LOOPS = 1;
    static final String ALLOW_ALL_POLICY = """
            name: e2e-allow-all
            defaults: {action: allow}
            rules: []
            """;

    private final Vertx vertx;
    private final Gateway gateway;
    private final Path policyDir;

    private GatewayUnderTest(Vertx vertx, Gateway gateway, Path policyDir) {
        this.vertx = vertx;
        this.gateway = gateway;
        this.policyDir = policyDir;
    }

    /** The YAML this helper starts the gateway with: listener and admin on port 0, route {@code /mcp}. */
    static String yaml(String upstreamUrl, Path policyDir) {
        return """
                listeners:
                  - name: public
                    host: 127.0.0.1
                    port: 0
                admin:
                  host: 127.0.0.1
                  port: 0
                policies:
                  directory: %s
                routes:
                  - name: fixture
                    path: /mcp
                    protocol: mcp
                    upstream: %s
                    policy: e2e-allow-all
                """.formatted(policyDir, upstreamUrl);
    }

    public static GatewayUnderTest start(String upstreamUrl) throws Exception {
        Path policyDir = Files.createTempDirectory("tollgate-e2e-policies");
        Files.writeString(policyDir.resolve("allow-all.yaml"), ALLOW_ALL_POLICY);
        GatewayConfig config = ConfigLoader.parse(yaml(upstreamUrl, policyDir), "e2e-gateway.yaml");
        Vertx vertx = Vertx.vertx();
        try {
            Gateway gateway = Gateway.start(vertx, config, EVENT_LOOPS).toCompletionStage().toCompletableFuture()
                    .get(START_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new GatewayUnderTest(vertx, gateway, policyDir);
        } catch (Exception e) {
            vertx.close().toCompletionStage().toCompletableFuture().get(START_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return gateway.port();
    }

    public int adminPort() {
        return gateway.adminPort();
    }

    /** Base URL on 127.0.0.1 (the Java SDK client takes base and endpoint apart). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The MCP endpoint on {@code localhost}: the name the conformance suite's DNS-rebinding scenario needs. */
    public String localhostUrl() {
        return "http://localhost:" + port() + "/mcp";
    }

    @Override
    public void close() throws Exception {
        try {
            gateway.close().toCompletionStage().toCompletableFuture().get(START_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(START_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            deleteQuietly(policyDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
