package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
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
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviews N and O: where one caller reached or learnt another caller's A2A tasks through how a request is read: a '#' in
 * the target (Node drops the fragment before routing, Vert.x kept it), ListTasks' continuation token and totalSize,
 * GET /tasks' query contextId (with or without a body, on a /v1/ path), each shown against the real @a2a-js/sdk agent.
 * On tasks still working (tagged {@link #WORKING_TASK}): a '#' disguised a cancel or subscribe of another caller's task as
 * JSON-RPC (the agent cancelled it), and SubscribeToTask of another caller's task in every spelling stays refused (the
 * agent streams any task to anyone: the gateway is the only check).
 */
class A2aCrossCallerReadingsReviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WORKING_TASK = "working-task";

    @TempDir
    Path dir;

    private Vertx vertx;

    private NodeServer agent;

    private RunningGateway gateway;

    private TenantTokens tokens;

    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start(TestInfo test) throws Exception {
        // A test tagged WORKING_TASK needs a task still working when it acts: that agent steps every 4 s, the others at once.
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", test.getTags().contains(WORKING_TASK) ? "4000" : "5"));
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

    @Test
    void aFragmentDoesNotHideAnotherCallersTaskId() throws Exception {
        String id = acmeTask(null, 1)[0];
        String base = "/agents/echo/a2a/rest";
        java.util.List<String> reached = new java.util.ArrayList<>();
        String[][] tries = {
                {"GET", base + "/tasks/" + id + "#x"},
                {"GET", base + "/tasks/" + id + "#:subscribe"},
                {"POST", base + "/tasks/" + id + "#:subscribe"},
                {"POST", base + "/tasks/" + id + "#x:cancel"},
                {"GET", base + "/tasks/" + id + "#/pushNotificationConfigs"},
                {"GET", base + "/tasks/" + id + "/pushNotificationConfigs#x"},
                {"GET", base + "/v1/tasks/" + id + "#x"},
        };
        for (String[] t : tries) {
            String answer = raw(t[0], t[1]);
            if (answer.contains(id) || answer.startsWith("HTTP/1.1 200") || answer.startsWith("TIMEOUT")) {
                reached.add(t[0] + " " + t[1] + " -> " + answer.replaceAll("\\s+", " ").substring(0, Math.min(300, answer.length())));
            }
        }
        assertThat(reached).as("globex reached acme's task through a fragment").isEmpty();
    }

    @Test
    void theAgentItselfNamesTheLastListedTaskInItsPageToken() throws Exception {
        String task = acmeTask(null, 1)[0];
        acmeTask(null, 2);
        JsonNode page = JSON.readTree(client.send(rpc(agent.url("/a2a/jsonrpc"), null, "ListTasks", "{\"pageSize\":1}"),
                HttpResponse.BodyHandlers.ofString()).body());
        String token = new String(Base64.getDecoder().decode(page.at("/result/nextPageToken").asText()), StandardCharsets.UTF_8);
        // Newest first: the second task is on the page, the token names it; either way it names one of acme's.
        assertThat(token).as(page.toString()).matches(".*\\|[0-9a-f-]{36}");
        assertThat(task).isNotEmpty();
    }

    @Test
    void anotherCallersListingDoesNotNameAcmesTasks() throws Exception {
        String first = acmeTask(null, 1)[0];
        String second = acmeTask(null, 2)[0];
        String body = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks", "{\"pageSize\":1}"),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode page = JSON.readTree(body);
        String token = page.at("/result/nextPageToken").asText("");
        // The gateway's own tokens are sealed (base64url, review AD): read in clear only when they are the agent's.
        String decoded = token.isEmpty() || !token.matches("[A-Za-z0-9+/]*=*") ? "" : new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);

        assertThat(page.at("/result/tasks").size()).as(body).isZero();
        assertThat(decoded).as("globex's ListTasks (pageSize 1) hands it acme's task id in nextPageToken: " + body)
                .doesNotContain(first).doesNotContain(second);
        assertThat(page.at("/result/totalSize").asInt()).as("globex holds no task; totalSize counts acme's: " + body).isZero();
    }

    @Test
    void restListTasksOfAnotherCallersContextIsRefusedAsOverJsonRpc() throws Exception {
        String[] acme = acmeTask("ctx-acme-3b1f", 1);
        acmeTask("ctx-acme-3b1f", 2);
        acmeTask("ctx-acme-3b1f", 3);
        HttpResponse<String> rpc = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks",
                "{\"contextId\":\"" + acme[1] + "\"}"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> rest = client.send(HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/rest/tasks?pageSize=1&contextId="
                        + URLEncoder.encode(acme[1], StandardCharsets.UTF_8)))).timeout(Duration.ofSeconds(30))
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token("globex", "a")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(rpc.statusCode()).as("JSON-RPC ListTasks of acme's context: " + rpc.body()).isEqualTo(404);
        assertThat(rest.statusCode()).as("REST GET /tasks?contextId=<acme's> (the SDK filters on the query's contextId): "
                + rest.body()).isEqualTo(404);
    }

    @Test
    void aLegacyPathListTasksListsNoOtherCallersTasks() throws Exception {
        String[] acme = acmeTask(null, 1);
        acmeTask(null, 2);
        for (String version : new String[] {null, "0.3", "1.0"}) {
            for (String query : new String[] {"", "?contextId=" + URLEncoder.encode(acme[1], StandardCharsets.UTF_8)}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/rest/v1/tasks" + query)))
                        .timeout(Duration.ofSeconds(30)).header("X-Waxell-AXID", tokens.token("globex", "a")).GET();
                if (version != null) {
                    b.header("A2A-Version", version);
                }
                HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).as("GET /v1/tasks" + query + " A2A-Version " + version + " -> " + r.statusCode() + " " + r.body())
                        .doesNotContain(acme[0]).doesNotContain("acme merger plan");
                if (r.statusCode() == 200) {
                    assertThat(JSON.readTree(r.body()).path("totalSize").asInt(0)).as(r.body()).isZero();
                }
            }
        }
    }

    @Test
    void aGetBodyDoesNotHideTheQuerysContextId() throws Exception {
        String[] acme = acmeTask("ctx-acme-77", 1);
        acmeTask("ctx-acme-77", 2);
        String url = gateway.url("/agents/echo/a2a/rest/tasks?pageSize=1&contextId=" + URLEncoder.encode(acme[1], StandardCharsets.UTF_8));
        HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("A2A-Version", "1.0").header("X-Waxell-AXID", tokens.token("globex", "a")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> withBody = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("A2A-Version", "1.0").header("Content-Type", "application/json").header("X-Waxell-AXID", tokens.token("globex", "a"))
                .method("GET", HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(plain.statusCode()).as("without a body (review N's fix): " + plain.body()).isEqualTo(404);
        assertThat(withBody.statusCode()).as("GET /tasks?contextId=<acme's> with a {} body: " + withBody.body()).isEqualTo(404);
    }

    @Test
    void aPageOfOnlyTheCallersOwnTasksDoesNotCountAnotherCallersTasks() throws Exception {
        acmeTask(null, 1);
        acmeTask(null, 2);
        acmeTask(null, 3);
        Thread.sleep(50);
        JsonNode mine = JSON.readTree(client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "SendMessage",
                "{\"message\":{\"messageId\":\"m-globex-1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"globex\"}]}}"),
                HttpResponse.BodyHandlers.ofString()).body());
        Thread.sleep(200);
        String body = client.send(rpc(gateway.url("/agents/echo/a2a/jsonrpc"), "globex", "ListTasks", "{\"pageSize\":1}"),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode page = JSON.readTree(body);

        assertThat(page.at("/result/tasks").size()).as(body).isEqualTo(1);
        assertThat(page.at("/result/tasks/0/id").asText()).as(body).isEqualTo(mine.at("/result/task/id").asText());
        assertThat(page.at("/result/totalSize").asInt(0)).as("globex holds one task; totalSize counts acme's three: " + body)
                .isLessThanOrEqualTo(1);
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

    @Test
    @Tag(WORKING_TASK)
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
    @Tag(WORKING_TASK)
    void aFragmentDoesNotDisguiseASubscribeToAnotherCallersTaskAsJsonRpc() throws Exception {
        String id = workingAcmeTask();
        String answer = rawPost("/agents/echo/a2a/rest/tasks/" + id + ":subscribe#/x", ALLOWED_RPC, 4000);
        assertThat(answer).as("globex's POST .../tasks/<acme's>:subscribe#/x").doesNotContain(id).doesNotContain("acme merger plan");
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
    @Tag(WORKING_TASK)
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
