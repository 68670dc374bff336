package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.AdminConfig;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.LimitsConfig;
import dev.tollgate.gateway.config.ListenerConfig;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.demo.DemoMcpServer;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate demo}: the gateway in front of a built-in demo MCP server, nothing else to install. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the gateway in front of a built-in demo MCP server and print a sample call.")
final class DemoCommand implements Callable<Integer> {

    private static final long START_TIMEOUT_SECONDS = 30;

    @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-port", defaultValue = "9090", description = "Admin port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Override
    public Integer call() throws Exception {
        Vertx vertx = GatewayVertx.create(GatewayVertx.Transport.NIO);
        int demoPort = new DemoMcpServer(vertx).start(0).toCompletionStage().toCompletableFuture()
                .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        GatewayConfig config = new GatewayConfig("demo",
                List.of(new ListenerConfig("public", "127.0.0.1", port, ListenerConfig.DEFAULT_ALLOWED_HOSTS,
                        ListenerConfig.DEFAULT_ALLOWED_ORIGINS, null)),
                new AdminConfig("127.0.0.1", adminPort),
                LimitsConfig.defaults(),
                List.of(new RouteConfig("demo", "/mcp", Protocol.MCP, URI.create("http://127.0.0.1:" + demoPort + "/mcp"),
                        RouteConfig.DEFAULT_CONNECT_TIMEOUT, RouteConfig.DEFAULT_RESPONSE_TIMEOUT,
                        RouteConfig.DEFAULT_MAX_CONNECTIONS, "demo", AxidMode.OFF, List.of())), null, TelemetryConfig.DEFAULT, AuditConfig.DISABLED, null);
        Gateway gateway;
        try {
            gateway = GatewayProcess.start(vertx, GatewaySnapshot.compile(config, PolicyBundle.of(demoPolicy())),
                    Runtime.getRuntime().availableProcessors(), () -> { }, "the demo's options (--port " + port + ", --admin-port " + adminPort + ")");
        } catch (GatewayProcess.StartFailed e) {
            System.err.println(e.getMessage());
            return 1;
        }
        String url = "http://127.0.0.1:" + gateway.port() + "/mcp";
        System.out.println("Tollgate demo is running.");
        System.out.println("  MCP endpoint (point your agent here): " + url);
        System.out.println("  demo MCP server behind it:            http://127.0.0.1:" + demoPort + "/mcp");
        System.out.println("  admin:                                http://127.0.0.1:" + gateway.adminPort() + "/metrics");
        System.out.println();
        System.out.println("Try it (initialize, then call the echo tool with the session id it returns):");
        System.out.println("  SID=$(curl -si " + url + " -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\");
        System.out.println("    -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}' \\");
        System.out.println("    | awk -F': ' 'tolower($1)==\"mcp-session-id\" {print $2}' | tr -d '\\r')");
        System.out.println("  curl -s " + url + " -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\");
        System.out.println("    -H \"Mcp-Session-Id: $SID\" -H 'MCP-Protocol-Version: 2025-11-25' \\");
        System.out.println("    -d '{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello through tollgate\"}}}'");
        System.out.println();
        System.out.println("The demo policy denies shouting: call echo with {\"text\":\"HELLO!\"} to see a denial, and");
        System.out.println("  curl -s http://127.0.0.1:" + gateway.adminPort() + "/explain -d '{\"route\":\"demo\",\"call\":{\"tool\":\"echo\",\"arguments\":{\"text\":\"HELLO!\"}}}'");
        System.out.println("to see why.");
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        return 0;
    }

    /** The demo's policy ships inside the jar: the demo needs no file beside it. */
    static CompiledPolicy demoPolicy() throws IOException, PolicyException {
        try (InputStream in = DemoMcpServer.class.getResourceAsStream("demo-policy.yaml")) {
            if (in == null) {
                throw new IOException("demo-policy.yaml missing from the jar");
            }
            return PolicyLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "demo-policy.yaml", CheckRegistry.withDefaults());
        }
    }
}
