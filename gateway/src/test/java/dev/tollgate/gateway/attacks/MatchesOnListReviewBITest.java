package dev.tollgate.gateway.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TomcatServlets;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BI: a {@code matches} rule is decided on a string value only. The same value sent as a list (or any other
 * non-string) is "not matched" by a native {@code matches} (ValueTest: {@code value.isValueNode() && ...}), while an upstream that reads the argument as a string
 * ({@code String.valueOf} of the Java SDK's argument map here, JavaScript's {@code String()} / a template string, zod's
 * {@code z.coerce.string()}) acts on the text the rule was written to stop. The project already decides {@code eq},
 * {@code in} and {@code contains} of strings on these readings (TextReadings: {@code ["42"]} against {@code contains:
 * "42"} denies with number_readings_disagree); {@code matches} was left out.
 *
 * <p>Real upstream: the official Java MCP SDK server (Tomcat), a {@code run_command} tool whose handler reads its
 * {@code command} as {@code String.valueOf(arguments.get("command"))}.
 */
class MatchesOnListReviewBITest {

    private static final Map<String, Object> ANY_ARGS = Map.of("type", "object", "properties", Map.of());
    private static final List<String> RAN = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static Tomcat tomcat;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("bi-tomcat").toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getConnector().setPort(0);
        Context context = tomcat.addContext("", tomcat.getServer().getCatalinaBase().getAbsolutePath());
        TomcatServlets.mount(context, "shell", server(), "/shell/*");
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();

        Path policies = Files.createTempDirectory("bi-policies");
        // Native: the README's own example rule.
        Files.writeString(policies.resolve("native.yaml"), """
                name: native
                defaults: {action: allow}
                rules:
                  - name: block-destructive-shell
                    condition:
                      all:
                        - tool: "run_*"
                        - arg: {path: /command, matches: "\\\\brm\\\\s+-[a-z]*[rf]"}
                    action: deny
                    message: Destructive shell commands are blocked by policy.
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: native, path: /native, protocol: mcp, upstream: "http://127.0.0.1:%d/shell", policy: native}
                """.formatted(policies, port));
    }

    private static HttpServletStreamableServerTransportProvider server() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        SyncToolSpecification spec = SyncToolSpecification.builder()
                .tool(Tool.builder("run_command", ANY_ARGS).description("runs a shell command").build())
                .callHandler((exchange, request) -> {
                    // What a lenient handler reads: the command as text.
                    String command = String.valueOf(request.arguments().get("command"));
                    RAN.add(command);
                    return CallToolResult.builder().content(List.of(TextContent.builder("ran " + command).build())).build();
                }).build();
        McpSyncServer unused = McpServer.sync(transport).serverInfo("bi-shell", "1.0.0")
                .capabilities(ServerCapabilities.builder().tools(false).build()).tools(List.of(spec)).build();
        return transport;
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        tomcat.stop();
        tomcat.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clear() {
        RAN.clear();
    }

    private static String post(int port, String target, String sessionId, String json) throws Exception {
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return PathReadingsThroughGatewayTest.exchange(port, "POST " + target + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\n"
                + "MCP-Protocol-Version: 2025-06-18\r\n"
                + (sessionId == null ? "" : "Mcp-Session-Id: " + sessionId + "\r\n")
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n" + json);
    }

    private static String call(String route, String commandJson) throws Exception {
        String target = "/" + route + "/mcp";
        int port = gateway.port();
        String init = post(port, target, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},\
                "clientInfo":{"name":"bi","version":"1"}}}""");
        assertThat(init).startsWith("HTTP/1.1 200");
        String session = PathReadingsThroughGatewayTest.sessionOf(init);
        post(port, target, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return post(port, target, session,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"run_command\",\"arguments\":{\"command\":"
                        + commandJson + "}}}");
    }

    /** Control: the string is denied and never runs. */
    @Test
    void controlTheStringIsDenied() throws Exception {
        assertThat(call("native", "\"rm -rf /var/data\"").toLowerCase(Locale.ROOT)).contains("-32010");
        assertThat(RAN).isEmpty();
    }

    /** Control: a harmless command still runs (the upstream works through the gateway). */
    @Test
    void controlAHarmlessCommandRuns() throws Exception {
        assertThat(call("native", "\"ls /var/data\"")).contains("ran ls /var/data");
        assertThat(RAN).containsExactly("ls /var/data");
    }

    /**
     * The README's own "block-destructive-shell" rule: the command sent as a one-element list is not matched (a list is
     * no value node), the call is allowed, and the upstream reads "[rm -rf /var/data]" and runs it.
     */
    @Test
    void aNativeMatchesDenyIsNotPassedByTheCommandAsAList() throws Exception {
        String answer = call("native", "[\"rm -rf /var/data\"]");

        assertThat(RAN).as("what the upstream ran").noneMatch(c -> c.contains("rm -rf"));
        assertThat(answer).contains("-32010");
    }
}
