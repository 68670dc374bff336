package dev.tollgate.gateway.a2a;

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
 * A client may choose its conversation's context id. The real @a2a-js/sdk agent (echo-agent.mjs, its steps slowed) keeps
 * the conversation under that id from the moment the message arrives, while a blocking SendMessage is answered only when
 * its task is done: a context bound by the answer left that whole window open to another caller who knew the id (the
 * review's residual). The message now claims the context before it is forwarded.
 */
class ClientChosenContextInFlightTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTEXT = "ctx-acme-chosen-7f3a";
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
    void anotherCallerCannotJoinAClientChosenContextWhileItsFirstMessageIsInFlight() throws Exception {
        CompletableFuture<HttpResponse<String>> acme = client.sendAsync(send("acme", "m-acme", "acme merger plan", true),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(700); // the agent holds the conversation; acme's answer comes when its task completes (seconds later)

        HttpResponse<String> joined = client.send(send("globex", "m-globex", "globex here", false), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> own = acme.get(30, TimeUnit.SECONDS);
        HttpResponse<String> again = client.send(send("acme", "m-acme-2", "and next", false), HttpResponse.BodyHandlers.ofString());

        JsonNode refused = JSON.readTree(joined.body());
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(404);
        assertThat(refused.at("/error/code").asInt()).isEqualTo(-32001);
        assertThat(refused.at("/error/data/reason").asText()).as(joined.body()).isEqualTo("a2a_context_not_found");
        assertThat(own.body()).as("acme's own call").contains("acme merger plan").doesNotContain("globex here");
        assertThat(JSON.readTree(own.body()).at("/result/task/contextId").asText()).isEqualTo(CONTEXT);
        assertThat(again.statusCode()).as("acme continues its own conversation: " + again.body()).isEqualTo(200);
    }

    private HttpRequest send(String tenant, String messageId, String text, boolean blocking) throws Exception {
        String params = "{\"message\":{\"messageId\":\"" + messageId + "\",\"contextId\":\"" + CONTEXT + "\",\"role\":\"ROLE_USER\","
                + "\"parts\":[{\"text\":\"" + text + "\"}]},\"configuration\":{\"" + (blocking ? "blocking\":true" : "returnImmediately\":true") + "}}";
        return HttpRequest.newBuilder(URI.create(gateway.url("/agents/echo/a2a/jsonrpc"))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("A2A-Version", "1.0").header("Accept", "application/json, text/event-stream")
                .header("X-Waxell-AXID", tokens.token(tenant, "a"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":" + params + "}"))
                .build();
    }
}
