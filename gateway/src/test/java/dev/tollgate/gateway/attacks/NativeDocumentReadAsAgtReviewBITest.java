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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review BI: a native document that carries one of the top-level keys the loader takes as AGT-only ({@code metadata},
 * {@code scope}, {@code disclaimer}, {@code inherit}...) is silently read as an AGT document
 * (AgtDocumentLoader.looksLikeAgt). Its native {@code condition: {tool: "shell_*"}} rules then load in AGT's
 * integration-guide form, where {@code tool} is compared as an exact name: the glob the author wrote never matches, the
 * deny rule is dead, and nothing says so (no error, no warning). Either the document is refused loudly or the rule must
 * still deny {@code shell_exec}.
 *
 * <p>Real upstream: the official Java MCP SDK server (Tomcat) with a {@code shell_exec} tool.
 */
class NativeDocumentReadAsAgtReviewBITest {

    /** A native document (README's format) with a metadata block a security team keeps with its policies. */
    static final String DOCUMENT = """
            name: native
            version: "3"
            metadata: {owner: security-team, ticket: SEC-1234}
            defaults: {action: allow}
            rules:
              - name: no-shell-tools
                condition: {tool: "shell_*"}
                action: deny
                message: Shell tools are blocked by policy.
            """;

    private static final Map<String, Object> ANY_ARGS = Map.of("type", "object", "properties", Map.of());
    private static final List<String> RAN = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static Tomcat tomcat;
    private static RunningGateway gateway;
    private static Exception loadRefused;

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
        Files.writeString(policies.resolve("native.yaml"), DOCUMENT);
        try {
            gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: native, path: /native, protocol: mcp, upstream: "http://127.0.0.1:%d/shell", policy: native}
                """.formatted(policies, port));
        } catch (Exception refused) {
            loadRefused = refused; // refusing the document loudly is a correct outcome too
        }
    }

    private static HttpServletStreamableServerTransportProvider server() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        SyncToolSpecification spec = SyncToolSpecification.builder()
                .tool(Tool.builder("shell_exec", ANY_ARGS).description("runs a shell command").build())
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
        if (gateway != null) {
            gateway.close();
        }
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
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\",\"arguments\":{\"command\":"
                        + commandJson + "}}}");
    }

    /** Control: the same document without its metadata block denies shell_exec (read as native, the glob holds). */
    @Test
    void controlWithoutMetadataTheGlobDenies() throws Exception {
        dev.tollgate.policy.CompiledPolicy policy = dev.tollgate.policy.PolicyLoader.parse(
                DOCUMENT.replace("metadata: {owner: security-team, ticket: SEC-1234}\n", ""), "native.yaml",
                dev.tollgate.policy.check.CheckRegistry.withDefaults());
        dev.tollgate.policy.Decision decision = policy.evaluate(new dev.tollgate.policy.PolicyRequest(
                dev.tollgate.policy.CallDescription.mcpToolCall("r", "shell_exec",
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()),
                dev.tollgate.policy.Identity.ANONYMOUS, java.time.Instant.now()));
        assertThat(decision.enforcedDeny()).as(decision.toString()).isTrue();
    }

    /** The document as the loader reads it: refused, or the rule denies shell_exec as its author wrote it. */
    @Test
    void theLoaderRefusesTheDocumentOrItsGlobStillDenies() {
        dev.tollgate.policy.CompiledPolicy policy;
        try {
            policy = dev.tollgate.policy.PolicyLoader.parse(DOCUMENT, "native.yaml", dev.tollgate.policy.check.CheckRegistry.withDefaults());
        } catch (dev.tollgate.policy.PolicyException refused) {
            return; // loud: correct
        }
        dev.tollgate.policy.Decision decision = policy.evaluate(new dev.tollgate.policy.PolicyRequest(
                dev.tollgate.policy.CallDescription.mcpToolCall("r", "shell_exec",
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()),
                dev.tollgate.policy.Identity.ANONYMOUS, java.time.Instant.now()));
        assertThat(decision.enforcedDeny()).as("shell_exec under " + decision).isTrue();
    }

    /** Through the gateway: shell_exec must not run. */
    @Test
    void shellExecDoesNotRunThroughTheGateway() throws Exception {
        if (loadRefused != null) {
            return; // the gateway refused the document at start: loud, correct
        }
        String answer = call("native", "\"id\"");

        assertThat(RAN).as("what the upstream ran").isEmpty();
        assertThat(answer).contains("-32010");
    }
}
