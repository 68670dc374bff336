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
 * Review O: the SDK's InMemoryTaskStore.list computes totalSize over every matching task of its one bucket before the
 * page token is applied, and a token naming no task gives an empty page (server/index.js list: {@code totalSize =
 * tasks.length}; cursorIndex -1 -> {@code tasks = []}). An empty page has nothing for A2aTaskListFilter to take out, so
 * {@code removed == 0} relays totalSize untouched: any caller, holding no task, learns how many tasks all callers hold
 * (per status / statusTimestampAfter filter). Over REST, a request target ending in a fragment ({@code contextId=<acme's>#})
 * is read by the gateway as context "<acme's>#" (no owner: allowed) while Node drops the fragment and filters on acme's
 * context: the count of acme's context, which review N's contextId check was meant to refuse.
 */
class A2aListTasksCountOracleReviewOTest {

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

    private static final String NO_TASK_TOKEN = Base64.getEncoder().encodeToString("x|y".getBytes(StandardCharsets.UTF_8));

    @Test
    void aTokenNamingNoTaskDoesNotHandOutEveryCallersCount() throws Exception {
        acmeTask(null, 1);
        acmeTask(null, 2);
        acmeTask(null, 3);
        String body = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks",
                "{\"pageToken\":\"" + NO_TASK_TOKEN + "\",\"status\":\"TASK_STATE_COMPLETED\"}"), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(JSON.readTree(body).at("/result/totalSize").asInt(0)).as("globex holds no task; totalSize counts acme's three: " + body).isZero();
    }

    @Test
    void aFragmentDoesNotHideAnotherCallersContextFromTheCheck() throws Exception {
        String[] acme = acmeTask("ctx-acme-91", 1);
        acmeTask("ctx-acme-91", 2);
        URI g = URI.create(gateway.url("/"));
        String target = "/agents/echo/a2a/rest/tasks?pageToken=" + NO_TASK_TOKEN + "&contextId=" + acme[1] + "#f";
        String answer;
        try (Socket s = new Socket(g.getHost(), g.getPort())) {
            s.setSoTimeout(30000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + g.getHost() + "\r\nA2A-Version: 1.0\r\nX-Waxell-AXID: "
                    + tokens.token("globex", "a") + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        String status = answer.substring(0, answer.indexOf('\r'));
        String json = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        if (status.contains(" 200 ")) {
            assertThat(json).as("GET /tasks?contextId=<acme's>#f: " + answer).doesNotContain("\"totalSize\":2");
        }
        // Refused: any target holding a '#' is (400 invalid_path), as the server would read another one.
        assertThat(status).as("GET /tasks?contextId=<acme's>#f is refused: " + answer).contains(" 400 ");
        assertThat(json).contains("invalid_path").doesNotContain("totalSize");
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
