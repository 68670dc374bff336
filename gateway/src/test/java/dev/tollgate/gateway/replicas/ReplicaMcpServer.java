package dev.tollgate.gateway.replicas;

import dev.tollgate.gateway.support.TomcatServlets;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * One MCP server instance on the official Java SDK (embedded Tomcat, loopback), named so that every answer
 * says which instance gave it. Two endpoints: {@code /mcp} (Streamable HTTP with sessions: {@code echo},
 * {@code progress}) and {@code /stateless} (the SDK's stateless transport: {@code echo}, {@code synthesize}).
 * A filter records, before anything else runs, the {@value #CALL_HEADER} header of every request that
 * reached the instance: what the instance received, whether or not it ever answered.
 */
final class ReplicaMcpServer implements AutoCloseable {

    static final String CALL_HEADER = "X-Test-Call";
    /** Tomcat's start/stop chatter and leak warnings hide the test's own output; kept referenced so the level holds. */
    private static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");

    static {
        TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
    }
    private static final Map<String, Object> TEXT_ARG = Map.of("type", "object", "properties", Map.of("text", Map.of("type", "string")));
    private static final Map<String, Object> NO_ARGS = Map.of("type", "object", "properties", Map.of());

    private final String name;
    private final Tomcat tomcat;
    private final McpSyncServer sessions;
    private final McpStatelessSyncServer stateless;
    /** Call ids (the test's header) that reached the instance's servlet container (a request it read). */
    final Set<String> receivedCalls = ConcurrentHashMap.newKeySet();
    /** Upstream session ids seen on requests to {@code /mcp} (this instance's own sessions). */
    final Set<String> sessionIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger toolCalls;
    /** What the gateway reaches this instance through; {@link #kill()} crashes it with the server. */
    private final CountingFront front;
    final AtomicInteger httpRequests = new AtomicInteger();
    private volatile boolean stopped;

    private ReplicaMcpServer(String name, Tomcat tomcat, McpSyncServer sessions, McpStatelessSyncServer stateless, AtomicInteger toolCalls)
            throws java.io.IOException {
        this.name = name;
        this.toolCalls = toolCalls;
        this.front = new CountingFront(tomcat.getConnector().getLocalPort());
        this.tomcat = tomcat;
        this.sessions = sessions;
        this.stateless = stateless;
    }

    static ReplicaMcpServer start(String name, Duration echoDelay) throws Exception {
        var streamable = HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
        AtomicInteger toolCalls = new AtomicInteger();
        McpSyncServer sessions = McpServer.sync(streamable)
                .serverInfo("replica-" + name, "1.0.0")
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .tools(List.of(
                        McpServerFeatures.SyncToolSpecification.builder().tool(Tool.builder("echo", TEXT_ARG).description("echo").build())
                                .callHandler((ex, req) -> {
                                    toolCalls.incrementAndGet();
                                    return text(name + ":" + req.arguments().get("text"));
                                }).build(),
                        McpServerFeatures.SyncToolSpecification.builder().tool(Tool.builder("progress", NO_ARGS).description("progress").build())
                                .callHandler((ex, req) -> {
                                    toolCalls.incrementAndGet();
                                    return progress(name, ex, req);
                                }).build()))
                .requestTimeout(Duration.ofSeconds(30))
                .build();
        var statelessTransport = HttpServletStatelessServerTransport.builder().messageEndpoint("/stateless").build();
        McpStatelessSyncServer stateless = McpServer.sync(statelessTransport)
                .serverInfo("replica-" + name, "1.0.0")
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .tools(List.of(
                        McpStatelessServerFeatures.SyncToolSpecification.builder().tool(Tool.builder("echo", TEXT_ARG).description("echo").build())
                                .callHandler((ctx, req) -> {
                                    toolCalls.incrementAndGet();
                                    sleep(echoDelay);
                                    return text(name + ":" + req.arguments().get("text"));
                                }).build(),
                        McpStatelessServerFeatures.SyncToolSpecification.builder().tool(Tool.builder("synthesize", NO_ARGS).description("costly").build())
                                .callHandler((ctx, req) -> {
                                    toolCalls.incrementAndGet();
                                    return text(name + ":synthesized");
                                }).build()))
                .requestTimeout(Duration.ofSeconds(30))
                .build();

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("replica-mcp-" + name).toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getConnector().setPort(0);
        tomcat.getConnector().setAsyncTimeout(60_000);
        Context context = tomcat.addContext("", tomcat.getServer().getCatalinaBase().getAbsolutePath());
        TomcatServlets.mount(context, "mcp", streamable, "/mcp", "/mcp/*");
        TomcatServlets.mount(context, "stateless", statelessTransport, "/stateless", "/stateless/*");
        Holder holder = new Holder();
        FilterDef recorder = new FilterDef();
        recorder.setFilterName("recorder");
        recorder.setFilter((request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            ReplicaMcpServer server = holder.server;
            server.httpRequests.incrementAndGet();
            String call = http.getHeader(CALL_HEADER);
            if (call != null) {
                server.receivedCalls.add(call);
            }
            String session = http.getHeader("Mcp-Session-Id");
            if (session != null && http.getRequestURI().startsWith("/mcp")) {
                server.sessionIds.add(session);
            }
            chain.doFilter(request, response);
        });
        recorder.setAsyncSupported("true");
        context.addFilterDef(recorder);
        FilterMap everything = new FilterMap();
        everything.setFilterName("recorder");
        everything.addURLPattern("/*");
        context.addFilterMap(everything);
        tomcat.start();
        holder.server = new ReplicaMcpServer(name, tomcat, sessions, stateless, toolCalls);
        return holder.server;
    }

    private static final class Holder {
        volatile ReplicaMcpServer server;
    }

    /** Tool calls this instance ran, on either endpoint. */
    int toolCalls() {
        return toolCalls.get();
    }

    private static CallToolResult progress(String name, McpSyncServerExchange exchange, CallToolRequest request) {
        Object token = request.meta() == null ? null : request.meta().get("progressToken");
        if (token != null) {
            for (double p : new double[]{0, 50, 100}) {
                exchange.progressNotification(ProgressNotification.builder(token, p).total(100.0).build());
            }
        }
        return text(name + ":progress-done");
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CallToolResult text(String text) {
        return CallToolResult.builder().content(List.of(TextContent.builder(text).build())).isError(false).build();
    }

    String name() {
        return name;
    }

    /** The instance's address as the gateway knows it (its front). */
    int port() {
        return front.port();
    }

    /** Call ids (the test's header) whose requests were sent to this instance's address, read by it or not. */
    Set<String> sentCalls() {
        return front.sent;
    }

    /** How many gateway connections were open, and reset, when the instance was killed. */
    int connectionsReset() {
        return front.connectionsReset;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    boolean stopped() {
        return stopped;
    }

    /** Stops the HTTP server: the instance is gone (connections refused from here on). */
    void kill() throws Exception {
        stopped = true;
        front.kill();
        tomcat.stop();
        tomcat.destroy();
    }

    @Override
    public void close() throws Exception {
        if (!stopped) {
            sessions.closeGracefully();
            stateless.closeGracefully();
            kill();
        }
    }
}
