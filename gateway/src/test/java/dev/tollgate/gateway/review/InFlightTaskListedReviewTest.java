package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revG, 5b06e28 / f26cd48): a task is bound to its creator only when the answer naming it reaches the gateway.
 * A blocking SendMessage is answered when the task is done, but the real @a2a-js/sdk 1.3.0 agent (echo-agent.mjs,
 * DefaultRequestHandler + InMemoryTaskStore) stores the task, with the caller's message in its history, as soon as the
 * executor publishes it. Meanwhile the task is "not seen created" and binds nobody: globex's ListTasks is handed acme's
 * task (A2aTaskListFilter keeps unknown tasks), with acme's message, and globex can GetTask, CancelTask or continue it
 * (TaskOwnershipStage: unknown is anyone's); a message of globex continuing it binds it to globex first, and acme's own
 * answer then cannot take it back (first binding wins).
 */
class InFlightTaskListedReviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHOSEN_CONTEXT = "ctx-acme-chosen-7f3a";
    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer agent;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "1500"));
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

    @Test
    void anotherTenantIsNotHandedATaskWhileItsCreatorsBlockingSendIsInFlight() throws Exception {
        CompletableFuture<HttpResponse<String>> acme = client.sendAsync(request("acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m-acme\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme merger plan\"}]},"
                        + "\"configuration\":{\"blocking\":true}}"), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1000); // the agent has stored the task; acme's answer comes when it completes (~7 s)

        HttpResponse<String> listed = client.send(request("globex", "ListTasks", "{}"), HttpResponse.BodyHandlers.ofString());
        JsonNode tasks = JSON.readTree(listed.body()).at("/result/tasks");
        String taskId = tasks.size() > 0 ? tasks.get(0).path("id").asText() : null;
        HttpResponse<String> get = taskId == null ? null
                : client.send(request("globex", "GetTask", "{\"id\":\"" + taskId + "\"}"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> own = acme.get(30, TimeUnit.SECONDS);

        assertThat(own.body()).as("acme's call").contains("acme merger plan");
        assertThat(listed.body()).as("globex is listed acme's in-flight task, with acme's message; globex's GetTask of it: "
                + (get == null ? "" : get.body())).doesNotContain("acme merger plan");
        assertThat(get == null ? 404 : JSON.readTree(get.body()).at("/error/code").asInt() == -32001 ? 404 : get.statusCode())
                .as("globex reads acme's task " + taskId + ": " + (get == null ? "" : get.body())).isEqualTo(404);
    }

    /** The same window taken further: globex joins acme's in-flight conversation first and keeps it; acme is locked out of its own. */
    @Test
    void anotherTenantCannotTakeOverAConversationWhileItsCreatorsBlockingSendIsInFlight() throws Exception {
        CompletableFuture<HttpResponse<String>> acme = client.sendAsync(request("acme", "SendMessage",
                "{\"message\":{\"messageId\":\"m-acme\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme merger plan\"}]}}"),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1000);
        HttpResponse<String> listed = client.send(request("globex", "ListTasks", "{}"), HttpResponse.BodyHandlers.ofString());
        String context = JSON.readTree(listed.body()).at("/result/tasks/0/contextId").asText();
        HttpResponse<String> joined = context.isEmpty() ? null
                : client.send(request("globex", "SendMessage", "{\"message\":{\"messageId\":\"m-globex\",\"contextId\":\""
                + context + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"globex here\"}]},\"configuration\":{\"returnImmediately\":true}}"),
                HttpResponse.BodyHandlers.ofString());
        String own = JSON.readTree(acme.get(30, TimeUnit.SECONDS).body()).at("/result/task/contextId").asText();

        HttpResponse<String> again = client.send(request("acme", "SendMessage", "{\"message\":{\"messageId\":\"m-acme-2\",\"contextId\":\""
                + own + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"and next\"}]},\"configuration\":{\"returnImmediately\":true}}"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(again.statusCode()).as("acme continues its own conversation " + own + " after globex tried to join it ("
                + (joined == null ? "globex was listed no context" : joined.statusCode() + " " + joined.body()) + "): " + again.body()).isEqualTo(200);
        assertThat(joined == null ? 404 : joined.statusCode()).as("globex joins acme's in-flight conversation: "
                + (joined == null ? "" : joined.body())).isEqualTo(404);
    }

    private HttpRequest request(String tenant, String method, String params) throws Exception {
        return HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc"))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json, text/event-stream")
                .header("X-Waxell-AXID", tokens.token(tenant, "a"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build();
    }

    /**
     * A client may choose its conversation's context id: the message claims it before it is forwarded, so another caller
     * who knows the id cannot join while the first blocking SendMessage is in flight (the agent keeps the conversation
     * under that id from the moment the message arrives).
     */
    @Test
    void anotherCallerCannotJoinAClientChosenContextWhileItsFirstMessageIsInFlight() throws Exception {
        CompletableFuture<HttpResponse<String>> acme = client.sendAsync(sendChosen("acme", "m-acme", "acme merger plan", true),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(700); // the agent holds the conversation; acme's answer comes when its task completes (seconds later)

        HttpResponse<String> joined = client.send(sendChosen("globex", "m-globex", "globex here", false), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> own = acme.get(30, TimeUnit.SECONDS);
        HttpResponse<String> again = client.send(sendChosen("acme", "m-acme-2", "and next", false), HttpResponse.BodyHandlers.ofString());

        JsonNode refused = JSON.readTree(joined.body());
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(404);
        assertThat(refused.at("/error/code").asInt()).isEqualTo(-32001);
        assertThat(refused.at("/error/data/reason").asText()).as(joined.body()).isEqualTo("a2a_context_not_found");
        assertThat(own.body()).as("acme's own call").contains("acme merger plan").doesNotContain("globex here");
        assertThat(JSON.readTree(own.body()).at("/result/task/contextId").asText()).isEqualTo(CHOSEN_CONTEXT);
        assertThat(again.statusCode()).as("acme continues its own conversation: " + again.body()).isEqualTo(200);
    }

    private HttpRequest sendChosen(String tenant, String messageId, String text, boolean blocking) throws Exception {
        String params = "{\"message\":{\"messageId\":\"" + messageId + "\",\"contextId\":\"" + CHOSEN_CONTEXT + "\",\"role\":\"ROLE_USER\","
                + "\"parts\":[{\"text\":\"" + text + "\"}]},\"configuration\":{\"" + (blocking ? "blocking\":true" : "returnImmediately\":true") + "}}";
        return HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc"))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json, text/event-stream")
                .header("X-Waxell-AXID", tokens.token(tenant, "a"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":" + params + "}"))
                .build();
    }
}
