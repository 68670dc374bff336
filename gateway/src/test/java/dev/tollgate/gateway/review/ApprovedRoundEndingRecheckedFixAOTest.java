package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.Approvals;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fix AO (review BZ, finding 2, the on-timeout variant): a round of an approved call (the requestState relayed on the
 * tool's own {@code input_required} answer) carries how its approval ended, and its retry is refused
 * {@code approval_superseded} once the serving rule would no longer accept that ending: here a call nobody approved,
 * let through by {@code on-timeout: allow}, after a reload sets {@code on-timeout: deny}. The guards: the same chain
 * goes on when the reload keeps {@code on-timeout: allow}; a round after the first carries the ending on (a call its
 * client approved, refused two rounds on once {@code ask-client} is off); and a call an approver approved goes on after a reload turns
 * {@code ask-client} off (an approver's yes answers any rule). Real peer: the TypeScript SDK v2 server
 * (ts2-bt-resume-server.mjs, tool {@code deploy}, which asks its user to confirm), raw HTTP in the 2026-07-28 form.
 */
class ApprovedRoundEndingRecheckedFixAOTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nobody is asked in the client; the approvers do not answer, and the call goes on when the approval times out. */
    private static final String TIMEOUT_ALLOWS = """
            name: p
            defaults: {action: allow}
            rules:
              - name: ask-before-deploy
                condition: {tool: deploy}
                action: approve
                message: deploying needs a person
                approval: {timeout: 1s, on-timeout: allow, approvers: [ops-oncall]}
            """;

    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();
    private Path policies;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        policies = Files.createTempDirectory("tollgate-fixao-policies");
        Files.writeString(policies.resolve("p.yaml"), TIMEOUT_ALLOWS);
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
    void aRoundOfACallItsTimeoutLetThroughIsRefusedOnceTheRuleDeniesOnTimeout() throws Exception {
        String round = roundOfATimedOutCall();

        reload(TIMEOUT_ALLOWS.replace("on-timeout: allow", "on-timeout: deny"));
        JsonNode retry = call("hi", round, confirm());

        assertThat(retry.at("/error/data/reason").asText()).as(retry.toString()).isEqualTo("approval_superseded");
        assertThat(retry.at("/error/data/superseded").asText()).as(retry.toString()).isEqualTo("on_timeout_deny");
        assertThat(server.output()).as("nobody approved, and the rule serving now denies on timeout: " + retry).doesNotContain("DEPLOYED");
    }

    @Test
    void aRoundOfACallItsTimeoutLetThroughGoesOnWhileTheRuleStillAllowsOnTimeout() throws Exception {
        String round = roundOfATimedOutCall();

        reload(TIMEOUT_ALLOWS.replace("timeout: 1s", "timeout: 2s"));
        JsonNode done = call("hi", round, confirm());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed hi");
    }

    @Test
    void aRoundOfACallAnApproverApprovedGoesOnAfterAskClientIsTurnedOff() throws Exception {
        String approvedByAnApprover = """
                name: p
                defaults: {action: allow}
                rules:
                  - name: ask-before-deploy
                    condition: {tool: deploy}
                    action: approve
                    message: deploying needs a person
                    approval: {timeout: 20s, on-timeout: deny, approvers: [ops-oncall]}
                """;
        reload(approvedByAnApprover);
        CompletableFuture<JsonNode> held = CompletableFuture.supplyAsync(() -> callUnchecked("hi", null, null));
        Approvals approvals = gateway.gateway().services().approvals();
        String id = await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode pending = JSON.readTree(approvals.list().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).toString())
                    .path("pending");
            return pending.isEmpty() ? null : pending.get(0).path("id").asText();
        }, found -> found != null);
        approvals.decide(id, true, "alice", null).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        JsonNode toolAsks = held.get(15, TimeUnit.SECONDS);
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        String round = toolAsks.at("/result/requestState").asText();

        reload(approvedByAnApprover.replace("approvers: [ops-oncall]", "approvers: [ops-oncall], ask-client: false"));
        JsonNode done = call("hi", round, confirm());

        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed hi");
    }

    @Test
    void aLaterRoundOfACallItsClientApprovedIsRefusedOnceAskClientIsOff() throws Exception {
        String selfApproved = """
                name: p
                defaults: {action: allow}
                rules:
                  - name: ask-before-deploy
                    condition: {tool: deploy}
                    action: approve
                    message: deploying needs a person
                    approval: {timeout: 20s, on-timeout: deny, ask-client: true}
                """;
        reload(selfApproved);
        JsonNode asked = call("hi", null, null);
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        JsonNode toolAsks = call("hi", asked.at("/result/requestState").asText(), JSON.createObjectNode().set("tollgate-approval", yes));
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        // Not yet: the tool asks again, and its second round's state is sealed by the carried-on call, not by the approval.
        ObjectNode notYet = JSON.createObjectNode();
        notYet.putObject("confirm").put("action", "accept").putObject("content").put("approve", false);
        JsonNode asksAgain = call("hi", toolAsks.at("/result/requestState").asText(), notYet);
        assertThat(asksAgain.at("/result/inputRequests/confirm").isObject()).as(asksAgain.toString()).isTrue();

        reload(selfApproved.replace("ask-client: true", "approvers: [ops-oncall]"));
        JsonNode retry = call("hi", asksAgain.at("/result/requestState").asText(), confirm());

        assertThat(retry.at("/error/data/reason").asText()).as(retry.toString()).isEqualTo("approval_superseded");
        assertThat(retry.at("/error/data/superseded").asText()).as(retry.toString()).isEqualTo("ask_client_off");
        assertThat(server.output()).as("the client's own yes, two rounds on, after the rule came to want approvers: " + retry)
                .doesNotContain("DEPLOYED");
    }

    /** A call held for approvers nobody answers, let through by its timeout, whose tool asks its user: the round's state. */
    private String roundOfATimedOutCall() throws Exception {
        JsonNode toolAsks = call("hi", null, null); // held 1 s, then let through: on-timeout allow
        assertThat(toolAsks.at("/result/inputRequests/confirm").isObject()).as(toolAsks.toString()).isTrue();
        return toolAsks.at("/result/requestState").asText();
    }

    private String yaml() {
        return RunningGateway.mcpYaml(server.url("/mcp"), policies, "p", null);
    }

    private void reload(String policy) throws Exception {
        Files.writeString(policies.resolve("p.yaml"), policy);
        gateway.gateway().swap(new SnapshotLoader(CheckRegistry.withDefaults()).compile(ConfigLoader.parse(yaml(), "test.yaml", Map.of())));
    }

    private static ObjectNode confirm() {
        ObjectNode confirm = JSON.createObjectNode();
        ObjectNode answer = confirm.putObject("confirm").put("action", "accept");
        answer.putObject("content").put("approve", true);
        return confirm;
    }

    private JsonNode callUnchecked(String message, String state, JsonNode inputResponses) {
        try {
            return call(message, state, inputResponses);
        } catch (Exception e) {
            return JSON.createObjectNode().put("failed", e.toString());
        }
    }

    private JsonNode call(String message, String state, JsonNode inputResponses) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "fix-ao").put("version", "1");
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
