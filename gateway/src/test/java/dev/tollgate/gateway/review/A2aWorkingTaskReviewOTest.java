package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review O, on tasks still working (the agent steps every 4 s): a '#' in the target disguised a cancel or subscribe of
 * another caller's task as JSON-RPC (the agent cancelled it), and SubscribeToTask of another caller's task in every
 * spelling stays refused (the agent itself streams any task to anyone: the gateway is the only check).
 */
class A2aWorkingTaskReviewOTest {

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
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "4000"));
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
    void aFragmentDoesNotDisguiseACancelOfAnotherCallersTaskAsJsonRpc() throws Exception {
        String id = workingAcmeTask();
        String answer = rawPost("/agents/echo/a2a/rest/tasks/" + id + ":cancel#/x", ALLOWED_RPC, 3000);
        JsonNode task = JSON.readTree(client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "acme", "GetTask", "{\"id\":\"" + id + "\"}"),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(task.at("/result/status/state").asText()).as("globex's POST .../tasks/<acme's>:cancel#/x -> " + answer)
                .isNotEqualTo("TASK_STATE_CANCELED");
        assertThat(answer).doesNotContain(id);
    }

    @Test
    void aFragmentDoesNotDisguiseASubscribeToAnotherCallersTaskAsJsonRpc() throws Exception {
        String id = workingAcmeTask();
        String answer = rawPost("/agents/echo/a2a/rest/tasks/" + id + ":subscribe#/x", ALLOWED_RPC, 4000);
        assertThat(answer).as("globex's POST .../tasks/<acme's>:subscribe#/x").doesNotContain(id).doesNotContain("acme merger plan");
    }

    private HttpRequest rpc(String url, String tenant, String method, String params) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json, text/event-stream");
        if (tenant != null) {
            b.header("X-Waxell-AXID", tokens.token(tenant, "a"));
        }
        return b.POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}")).build();
    }

    private String attempt(String label, HttpRequest request) throws Exception {
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        byte[] head = new byte[300];
        int n = 0;
        if (r.statusCode() != 200) {
            n = Math.max(0, r.body().readNBytes(head, 0, head.length));
        }
        r.body().close();
        return r.statusCode() == 200 ? label + " -> 200 " + r.headers().firstValue("content-type").orElse("") : null;
    }

    @Test
    void globexCannotSubscribeToAcmesTaskInAnySpelling() throws Exception {
        String id = workingAcmeTask();
        // The peer itself streams it to anyone: resubscribe is the one way to read acme's task events.
        HttpResponse<InputStream> direct = client.send(HttpRequest.newBuilder(URI.create(agent.url("/a2a/rest/tasks/" + id + ":subscribe")))
                .header("A2A-Version", "1.0").timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        direct.body().close();
        assertThat(direct.statusCode()).isEqualTo(200);
        String enc = id.chars().mapToObj(c -> String.format("%%%02X", c)).reduce("", String::concat);
        String base = gateway.url("/agents/echo/a2a/rest");
        String token = tokens.token("globex", "a");
        List<String> passed = new ArrayList<>();
        String[][] rest = {
                {"GET", base + "/tasks/" + id + ":subscribe", "1.0"},
                {"POST", base + "/tasks/" + id + ":subscribe", "1.0"},
                {"GET", base + "/globex/tasks/" + id + ":subscribe", "1.0"},
                {"GET", base + "/tasks/" + id + ":SUBSCRIBE", "1.0"},
                {"GET", base + "/Tasks/" + enc + ":Subscribe", "1.0"},
                {"GET", base + "/tasks/" + id + ":subscribe/", "1.0"},
                {"GET", base + "/v1/tasks/" + id + ":subscribe", null},
                {"POST", base + "/v1/tasks/" + id + ":subscribe", "0.3"},
        };
        for (String[] r : rest) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(r[1])).timeout(Duration.ofSeconds(10)).header("X-Waxell-AXID", token)
                    .header("Accept", "text/event-stream, application/json");
            if (r[2] != null) {
                b.header("A2A-Version", r[2]);
            }
            b = r[0].equals("GET") ? b.GET() : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
            String p = attempt(r[0] + " " + r[1], b.build());
            if (p != null) {
                passed.add(p);
            }
        }
        String p1 = attempt("JSON-RPC SubscribeToTask", rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "SubscribeToTask", "{\"id\":\"" + id + "\"}"));
        if (p1 != null) {
            passed.add(p1);
        }
        HttpRequest legacy = HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("X-Waxell-AXID", token).header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/resubscribe\",\"params\":{\"id\":\"" + id + "\"}}")).build();
        String p2 = attempt("JSON-RPC tasks/resubscribe", legacy);
        if (p2 != null) {
            passed.add(p2);
        }
        assertThat(passed).as("globex reached acme's WORKING task's stream").isEmpty();
    }
}
