package dev.tollgate.gateway.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
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
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attacker's catalog: paths the gateway and a real upstream could read as two different places (the ninth session's
 * review). One Tomcat serving two MCP servers (official Java SDK): {@code /open/*} and {@code /admin/*}; the gateway
 * routes {@code /open} (allow-all), {@code /admin} (denies delete_file) and {@code /} (allow-all, a catch-all). A2A on
 * the JavaScript SDK's echo agent (Express): task ids written so the router decodes them, its case-insensitive routes,
 * and ListTasks, across two tenants.
 */
class PathReadingsThroughGatewayTest {

    private static final Map<String, Object> NO_ARGS = Map.of("type", "object", "properties", Map.of());
    private static final List<String> ADMIN_RAN = new CopyOnWriteArrayList<>();

    private static Vertx vertx;
    private static Tomcat tomcat;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("paths-tomcat").toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getConnector().setPort(0);
        Context context = tomcat.addContext("", tomcat.getServer().getCatalinaBase().getAbsolutePath());
        TomcatServlets.mount(context, "open", server("echo", new CopyOnWriteArrayList<>()), "/open/*");
        TomcatServlets.mount(context, "admin", server("delete_file", ADMIN_RAN), "/admin/*");
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();

        Path policies = Files.createTempDirectory("paths-policies");
        Files.writeString(policies.resolve("open.yaml"), "name: open\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(policies.resolve("admin.yaml"), """
                name: admin
                defaults: {action: allow}
                rules:
                  - name: no-delete
                    condition: {tool: delete_file}
                    action: deny
                    message: deleting is off limits
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: open, path: /open, protocol: mcp, upstream: "http://127.0.0.1:%d/open", policy: open}
                  - {name: admin, path: /admin, protocol: mcp, upstream: "http://127.0.0.1:%d/admin", policy: admin}
                  - {name: rest, path: /, protocol: mcp, upstream: "http://127.0.0.1:%d", policy: open}
                """.formatted(policies, port, port, port));
    }

    private static HttpServletStreamableServerTransportProvider server(String tool, List<String> ran) {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        SyncToolSpecification spec = SyncToolSpecification.builder()
                .tool(Tool.builder(tool, NO_ARGS).description(tool).build())
                .callHandler((exchange, request) -> {
                    ran.add(request.name());
                    return CallToolResult.builder().content(List.of(TextContent.builder("ran " + tool).build())).build();
                }).build();
        McpSyncServer unused = McpServer.sync(transport).serverInfo("paths-" + tool, "1.0.0")
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

    // ---------------------------------------------------------------- raw HTTP

    static String exchange(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    all.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                // what came is what we have
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    static String post(String target, String sessionId, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return exchange(gateway.port(), "POST " + target + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\n"
                + "MCP-Protocol-Version: 2025-06-18\r\n"
                + (sessionId == null ? "" : "Mcp-Session-Id: " + sessionId + "\r\n")
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n" + json);
    }

    static String sessionOf(String answer) {
        Matcher m = Pattern.compile("(?im)^mcp-session-id:\\s*(\\S+)\\s*$").matcher(answer);
        assertThat(m.find()).as("session id in " + answer).isTrue();
        return m.group(1);
    }

    static String initialize(String target) throws Exception {
        String init = post(target, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},\
                "clientInfo":{"name":"paths","version":"1"}}}""");
        assertThat(init).startsWith("HTTP/1.1 200");
        String session = sessionOf(init);
        post(target, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return session;
    }

    static final String DELETE_CALL = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"delete_file\",\"arguments\":{}}}";

    // ---------------------------------------------------------------- findings

    /**
     * Servers parse the request target as a URL and drop a fragment before routing, while Vert.x keeps it in the path
     * and the query: an A2A agent served another caller's task for {@code /tasks/<id>#x}, whose id the gateway read as
     * {@code <id>#x} (review O). A '#' anywhere in the target is refused, on every route, before anything is forwarded.
     */
    @Test
    void aFragmentInTheTargetIsRefusedBeforeAnyRoute() throws Exception {
        ADMIN_RAN.clear();
        for (String target : new String[] {"/admin/mcp#x", "/open/mcp#/../../admin/mcp", "/open/mcp?x=1#frag"}) {
            String answer = post(target, null, DELETE_CALL);

            assertThat(answer).as(target).startsWith("HTTP/1.1 400").contains("invalid_path").contains("'#'");
        }
        assertThat(ADMIN_RAN).isEmpty();
    }

    /** Control: on its own route the call is denied and never runs. */
    @Test
    void controlAdminRouteDeniesDeleteFile() throws Exception {
        ADMIN_RAN.clear();
        String session = initialize("/admin/mcp");
        String answer = post("/admin/mcp", session, DELETE_CALL);
        assertThat(answer.toLowerCase(Locale.ROOT)).contains("policy_denied");
        assertThat(ADMIN_RAN).isEmpty();
    }

    /**
     * {@code /open/..;/admin/mcp}: Tomcat drops the path parameter ({@code ;}) before resolving dot-segments and serves
     * {@code /admin/mcp}, where the gateway had picked route /open (allow-all): delete_file ran on the admin server.
     */
    @Test
    void aPathParameterCannotTakeACallToAnotherRoute() throws Exception {
        ADMIN_RAN.clear();
        String target = "/open/..;/admin/mcp";
        String init = post(target, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},\
                "clientInfo":{"name":"paths","version":"1"}}}""");
        String call = "";
        if (init.startsWith("HTTP/1.1 200")) {
            String session = sessionOf(init);
            post(target, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            call = post(target, session, DELETE_CALL);
        }
        assertThat(ADMIN_RAN).as("tools the admin server ran").isEmpty();
        assertThat(init).as("gateway answer to " + target).startsWith("HTTP/1.1 400").contains("invalid_path");
    }

    /**
     * Express decodes its route parameters: {@code GET /tasks/%31%36...} is acme's task {@code 16...} to the agent, and
     * the gateway had looked up the task {@code "%31%36..."} (unknown, bound to nobody) and forwarded it. ListTasks
     * listed every tenant's tasks.
     */
    @Test
    void anotherTenantsTaskStaysHiddenHoweverItsIdIsWrittenOrListed() throws Exception {
        try (TwoTenantAgent a2a = TwoTenantAgent.start()) {
            String taskId = a2a.acmeTask();
            StringBuilder encoded = new StringBuilder();
            for (char c : taskId.toCharArray()) {
                encoded.append(String.format("%%%02X", (int) c));
            }
            String plain = a2a.rest("globex", "GET", "/tasks/" + taskId, null);
            String sneaky = a2a.rest("globex", "GET", "/tasks/" + encoded, null);
            String list = a2a.rest("globex", "GET", "/tasks", null);
            String cancel = a2a.rest("globex", "POST", "/tasks/" + encoded + ":cancel", "{}");
            String ownList = a2a.rest("acme", "GET", "/tasks", null);
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(plain).as("another tenant's GetTask").startsWith("HTTP/1.1 404");
            soft.assertThat(sneaky).as("another tenant's GetTask, id percent-encoded").startsWith("HTTP/1.1 400")
                    .contains("invalid_path").doesNotContain("secret of acme");
            soft.assertThat(cancel).as("another tenant's CancelTask, id percent-encoded: must not reach the agent")
                    .startsWith("HTTP/1.1 400").contains("invalid_path").doesNotContain(taskId);
            soft.assertThat(list).as("another tenant's ListTasks").startsWith("HTTP/1.1 200").doesNotContain("secret of acme");
            soft.assertThat(ownList).as("the owner's ListTasks").startsWith("HTTP/1.1 200").contains("secret of acme");
            soft.assertAll();
        }
    }

    /**
     * With a catch-all route ("/"), the gateway picked the route on the raw path while Tomcat maps the decoded,
     * slash-merged one: {@code //admin/mcp} and {@code /%61dmin/mcp} took the catch-all's policy and reached /admin/*.
     * Now refused (400). A route prefix is matched ignoring case (Express routes so): {@code /ADMIN/mcp} takes the
     * admin route and its policy.
     */
    @Test
    void noPathReachesTheAdminServerPastTheAdminRoutesPolicy() throws Exception {
        List<String> escaped = new java.util.ArrayList<>();
        for (String target : List.of("//admin/mcp", "/%61dmin/mcp", "/ADMIN/mcp", "/Admin/mcp", "/%2561dmin/mcp", "/%G1/../admin/mcp")) {
            ADMIN_RAN.clear();
            String init = post(target, null, """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},\
                    "clientInfo":{"name":"paths","version":"1"}}}""");
            String call = "";
            if (init.startsWith("HTTP/1.1 200")) {
                String session = sessionOf(init);
                post(target, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
                call = post(target, session, DELETE_CALL);
            }
            if (!ADMIN_RAN.isEmpty()) {
                escaped.add(target);
            }
            if (target.startsWith("/A")) {
                assertThat(call.toLowerCase(Locale.ROOT)).as("the admin route's policy decides " + target).contains("policy_denied");
            } else {
                assertThat(init).as(target).startsWith("HTTP/1.1 400").contains("invalid_path");
            }
        }
        assertThat(escaped).as("paths on which the admin server ran delete_file").isEmpty();
    }

    /**
     * Express routes ignore case. {@code POST /Tasks/{id}/pushNotificationConfigs} was "any other POST" to the gateway,
     * decided as JSON-RPC (a GetTask of an unknown task), while the JavaScript SDK created a push config on acme's task
     * (201): a write on another tenant's task, past task ownership, audited as GetTask. Now it is read as the
     * HTTP+JSON push-config path in either case (A2aPathsTest: CreateTaskPushNotificationConfig of that task, which
     * task ownership then checks), and this JSON-RPC body on it is refused as in lower case.
     */
    @Test
    void aRestPathInAnotherCaseIsReadAsTheAgentRoutesIt() throws Exception {
        try (TwoTenantAgent a2a = TwoTenantAgent.start()) {
            String taskId = a2a.acmeTask();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":\"cfg-1\",\"method\":\"GetTask\",\"params\":{\"id\":\"no-such-task\"}}";
            String results = "";
            for (String tasks : List.of("tasks", "Tasks")) {
                results += a2a.rest("globex", "POST", "/" + tasks + "/" + taskId + "/pushNotificationConfigs", body);
            }
            assertThat(results).as("globex's push config on acme's task (the agent's 201)").doesNotContain("201 Created");
            // Both spellings are now read as the HTTP+JSON path they are: a JSON-RPC body there is refused, never forwarded.
            assertThat(results.split("a JSON-RPC message sent to the HTTP\\+JSON path", -1)).as(results).hasSize(3);
        }
    }

    /** The JavaScript SDK's echo agent behind an allow-all A2A route at /agent, with AXID tenants acme and globex. */
    private record TwoTenantAgent(NodeServer agent, TenantTokens tokens, RunningGateway gateway) implements AutoCloseable {

        static TwoTenantAgent start() throws Exception {
            Path dir = Files.createTempDirectory("paths-a2a");
            NodeServer agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
            TenantTokens tokens = TenantTokens.in(dir);
            Path policies = Files.createDirectories(dir.resolve("policies"));
            Files.writeString(policies.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
            RunningGateway gateway = RunningGateway.start(vertx, """
                    listeners: [{name: public, host: 127.0.0.1, port: 0}]
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: %s}
                    %s
                    routes:
                      - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                    """.formatted(policies, tokens.identityYaml().strip(), agent.url("")));
            return new TwoTenantAgent(agent, tokens, gateway);
        }

        /** The id of a task acme's message creates; its text is "secret of acme". */
        String acmeTask() throws Exception {
            String created = rest("acme", "POST", "/message:send",
                    "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"secret of acme\"}]}}");
            Matcher id = Pattern.compile("\"task\":\\{\"id\":\"([^\"]+)\"").matcher(created);
            assertThat(id.find()).as(created).isTrue();
            return id.group(1);
        }

        /** The raw answer to an HTTP+JSON call below /agent/a2a/rest as the tenant, written byte for byte. */
        String rest(String tenant, String verb, String tail, String body) throws Exception {
            return exchange(gateway.port(), verb + " /agent/a2a/rest" + tail + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Waxell-AXID: " + tokens.token(tenant, "a") + "\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                    + "Connection: close\r\n\r\n" + (body == null ? "" : body));
        }

        @Override
        public void close() throws Exception {
            try {
                gateway.close();
            } finally {
                agent.close();
            }
        }
    }
}
