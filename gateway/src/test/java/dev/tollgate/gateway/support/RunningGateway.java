package dev.tollgate.gateway.support;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts the real gateway in-process on ephemeral ports for a test, from YAML text. */
public final class RunningGateway implements AutoCloseable {

    private final Gateway gateway;

    private RunningGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    public static RunningGateway start(Vertx vertx, String yaml) throws Exception {
        Gateway gateway = Gateway.start(vertx, ConfigLoader.parse(yaml, "test.yaml", Map.of()), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new RunningGateway(gateway);
    }

    /** A gateway with one MCP route {@code /mcp} to the given upstream URL and any extra route settings. */
    public static RunningGateway mcp(Vertx vertx, String upstreamUrl, String extraRouteYaml, String limitsYaml) throws Exception {
        return start(vertx, """
                listeners:
                  - name: public
                    host: 127.0.0.1
                    port: 0
                admin:
                  host: 127.0.0.1
                  port: 0
                %s
                routes:
                  - name: upstream
                    path: /mcp
                    protocol: mcp
                    upstream: %s
                %s
                """.formatted(limitsYaml == null ? "" : limitsYaml, upstreamUrl,
                extraRouteYaml == null ? "" : extraRouteYaml.indent(4)));
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
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
