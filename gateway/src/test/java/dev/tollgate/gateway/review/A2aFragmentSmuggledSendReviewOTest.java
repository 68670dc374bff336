package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.net.Socket;
import java.io.OutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review O: {@code POST .../message:send#/x} is decided by the gateway as JSON-RPC (its body's method, an allowed
 * ListTasks) while Node runs {@code POST /message:send}, reading the same body's top-level {@code message}: a send the
 * policy never saw.
 */
class A2aFragmentSmuggledSendReviewOTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer agent;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(policies, tokens.identityYaml().strip(), agent.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** acme's task (completed), through the gateway so it is bound to acme; its id and context id. */
    private String[] acmeTask(String contextId, int n) throws Exception {
        String context = contextId == null ? "" : ",\"contextId\":\"" + contextId + "\"";
        JsonNode sent = JSON.readTree(client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m-acme-" + n + "\"" + context + ",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme merger plan\"}]}}"),
                HttpResponse.BodyHandlers.ofString()).body());
        return new String[] {sent.at("/result/task/id").asText(), sent.at("/result/task/contextId").asText()};
    }

    private String raw(String verb, String target) throws Exception {
        URI g = URI.create(gateway.url("/"));
        try (Socket s = new Socket(g.getHost(), g.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((verb + " " + target + " HTTP/1.1\r\nHost: " + g.getHost() + "\r\nA2A-Version: 1.0\r\nAccept: text/event-stream, application/json\r\n"
                    + (verb.equals("POST") ? "Content-Type: application/json\r\nContent-Length: 2\r\n" : "")
                    + "X-Waxell-AXID: " + tokens.token("globex", "a") + "\r\nConnection: close\r\n\r\n" + (verb.equals("POST") ? "{}" : ""))
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] buf = new byte[4000];
            int n = s.getInputStream().readNBytes(buf, 0, 1200);
            return new String(buf, 0, Math.max(n, 0), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException e) {
            return "TIMEOUT (a stream held open)";
        }
    }

    private String rawPost(String target, String body, int max) throws Exception {
        URI g = URI.create(gateway.url("/"));
        try (Socket s = new Socket(g.getHost(), g.getPort())) {
            s.setSoTimeout(8000);
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST " + target + " HTTP/1.1\r\nHost: " + g.getHost() + "\r\nA2A-Version: 1.0\r\nAccept: text/event-stream, application/json\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\nX-Waxell-AXID: " + tokens.token("globex", "a")
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            byte[] buf = new byte[max];
            int n = 0;
            try {
                n = s.getInputStream().readNBytes(buf, 0, max);
            } catch (java.net.SocketTimeoutException e) {
                // a stream held open: what came so far
            }
            return new String(buf, 0, Math.max(n, 0), StandardCharsets.UTF_8);
        }
    }

    private String workingAcmeTask() throws Exception {
        JsonNode sent = JSON.readTree(client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m-acme-w\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme merger plan\"}]},"
                        + "\"configuration\":{\"returnImmediately\":true}}"), HttpResponse.BodyHandlers.ofString()).body());
        return sent.at("/result/task/id").asText();
    }

    private static final String ALLOWED_RPC = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ListTasks\",\"params\":{}}";

    @Test
    void aFragmentDoesNotSmuggleASendPastThePolicy() throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ListTasks\",\"params\":{},"
                + "\"message\":{\"messageId\":\"m-smuggled\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"smuggled past policy\"}]}}";
        String answer = rawPost("/agents/echo/a2a/rest/message:send#/x", body, 3000);
        String listed = client.send(rpc(agent.url("/a2a/jsonrpc"), null, "ListTasks", "{}"), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(listed).as("the gateway answered " + answer).doesNotContain("smuggled past policy");
    }

    private HttpRequest rpc(String url, String tenant, String method, String params) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json, text/event-stream");
        if (tenant != null) {
            b.header("X-Waxell-AXID", tokens.token(tenant, "a"));
        }
        return b.POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}")).build();
    }
}
