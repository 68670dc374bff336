package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AU, finding 3: the retry of the gateway's own ask-client question (a 2026-07-28 client's, its requestState sealed as
 * version 17) was taken whatever the serving rule said: after a reload turned {@code ask-client} off, the client's own yes
 * still let the call through, for as long as the approval had not timed out. It is refused {@code approval_superseded}
 * ({@code ask_client_off}) as a later round of an approved call is (fix AO), nothing forwarded, and the approval's listing
 * says so. The guards: with ask-client still on the yes lets the call through; an approver's yes given before the retry
 * answers any rule. Real peer: the TypeScript SDK v2 server (ts2-bt-resume-server.mjs, tool {@code deploy}, which asks
 * its own user to confirm: a call let through answers with that question), raw HTTP in the 2026-07-28 form.
 */
class AskClientRetryAfterReloadFixAUTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASKS_CLIENT = """
            name: p
            defaults: {action: allow}
            rules:
              - name: ask-before-deploy
                condition: {tool: deploy}
                action: approve
                message: deploying needs a person
                approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall], ask-client: true}
            """;
    private static final String APPROVERS_ONLY = ASKS_CLIENT.replace(", ask-client: true", "");

    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();
    private Path policies;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        policies = Files.createTempDirectory("tollgate-fixau-policies");
        Files.writeString(policies.resolve("p.yaml"), ASKS_CLIENT);
        gateway = RunningGateway.start(vertx, yaml());
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        Files.deleteIfExists(policies.resolve("p.yaml"));
        Files.deleteIfExists(policies);
    }

    @Test
    void theClientsYesAfterAReloadTurnedAskClientOffIsRefusedSuperseded() throws Exception {
        String question = askedInTheClient();

        reload(APPROVERS_ONLY);
        JsonNode retry = call(question, yes());

        assertThat(retry.at("/error/data/reason").asText()).as(retry.toString()).isEqualTo("approval_superseded");
        assertThat(retry.at("/error/data/superseded").asText()).as(retry.toString()).isEqualTo("ask_client_off");
        assertThat(retry.at("/result/inputRequests/confirm").isMissingNode()).as("not forwarded: " + retry).isTrue();
        JsonNode listed = listed();
        assertThat(listed.toString()).as("the listing says the call was not forwarded").contains("ask_client_off");
    }

    @Test
    void theClientsYesLetsTheCallThroughWhileAskClientIsOn() throws Exception {
        String question = askedInTheClient();

        reload(ASKS_CLIENT.replace("timeout: 30s", "timeout: 40s"));
        JsonNode retry = call(question, yes());

        assertThat(retry.at("/result/inputRequests/confirm").isObject()).as("forwarded, the tool asks its user: " + retry).isTrue();
    }

    @Test
    void anApproversYesBeforeTheRetryAnswersARuleWithoutAskClient() throws Exception {
        String question = askedInTheClient();
        Approvals approvals = gateway.gateway().services().approvals();
        String id = JSON.readTree(approvals.list().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toString())
                .path("pending").get(0).path("id").asText();
        approvals.decide(id, true, "alice", null).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        reload(APPROVERS_ONLY);
        JsonNode retry = call(question, yes());

        assertThat(retry.at("/result/inputRequests/confirm").isObject()).as("forwarded, the tool asks its user: " + retry).isTrue();
    }

    /** The held call answered with the gateway's question: its requestState (a version-17 state). */
    private String askedInTheClient() throws Exception {
        JsonNode asked = call(null, null);
        assertThat(asked.at("/result/inputRequests/tollgate-approval").isObject()).as(asked.toString()).isTrue();
        return asked.at("/result/requestState").asText();
    }

    private JsonNode listed() {
        Approvals approvals = gateway.gateway().services().approvals();
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> JSON.readTree(approvals.list().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toString()),
                l -> l.toString().contains("superseded"));
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return JSON.createObjectNode().set("tollgate-approval", yes);
    }

    private String yaml() {
        return RunningGateway.mcpYaml(server.url("/mcp"), policies, "p", null);
    }

    private void reload(String policy) throws Exception {
        Files.writeString(policies.resolve("p.yaml"), policy);
        gateway.gateway().swap(new SnapshotLoader(CheckRegistry.withDefaults()).compile(ConfigLoader.parse(yaml(), "test.yaml", Map.of())));
    }

    private JsonNode call(String state, JsonNode inputResponses) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("message", "hi");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "fix-au").put("version", "1");
        if (inputResponses != null) {
            params.set("inputResponses", inputResponses);
        }
        if (state != null) {
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "deploy")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
