package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AW (low, record): ApprovalStage.noteRetryDenied notes an approved 2026 ask-client approval "superseded
 * (policy_denies)" as soon as one retry of it is refused by the serving policy, in the holder's history and in Redis,
 * although since AskClientReleaseStage a refused retry spends nothing and the same retry sent again may go on (a freeze
 * reloaded, then lifted). The call is forwarded, yet GET /approvals lists the approval as approved and then refused
 * after all: the approvals' record says the opposite of what happened (the note is set once, compareAndSet, and never
 * cleared by the forwarded retry).
 */
class RetryRefusedThenForwardedListedSupersededReviewAWTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK = """
              - name: deploys-need-a-yes
                condition: {tool: deploy}
                action: approve
                approval: {timeout: 10m, on-timeout: deny, ask-client: true}
            """;
    private static final String FREEZE = """
              - name: change-freeze
                condition: {tool: deploy}
                action: deny
                message: change freeze
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        Files.createDirectories(dir.resolve("policies"));
        policy(ASK);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(upstream.url("/mcp")));
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void policy(String rules) throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules:\n" + rules);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anApprovalWhoseCallWentOnIsNotListedSuperseded() throws Exception {
        JsonNode asked = call(null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();

        // A change freeze is reloaded before the user's yes comes: the approved retry is refused by the policy.
        policy(FREEZE + ASK);
        gateway.swap(load());
        JsonNode frozen = call(state);
        assertThat(frozen.at("/error/data/reason").asText()).as("the freeze refuses the approved retry: %s", frozen).isEqualTo("policy_denied");
        assertThat(upstream.received()).isEmpty();

        // The freeze is lifted: the same retry, sent again, goes on once, and once only.
        policy(ASK);
        gateway.swap(load());
        JsonNode done = call(state);
        assertThat(done.at("/result/content/0/text").asText()).as("the refused retry spent nothing: %s", done).isEqualTo("deployed");
        assertThat(upstream.received()).as("control: the approved call reached the upstream").hasSize(1);

        JsonNode listed = JSON.valueToTree(gateway.services().approvals().list().toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS));
        JsonNode approval = listed.at("/recent/0");
        assertThat(approval.path("state").asText()).as("control: %s", listed).isEqualTo("approved");
        assertThat(approval.has("superseded"))
                .as("the approved call was forwarded (the retry sent again after the freeze was lifted); the approval must not be"
                        + " listed as refused after all: %s", approval)
                .isFalse();
    }

    private dev.tollgate.gateway.pipeline.GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private JsonNode call(String state) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("env", "prod");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            ObjectNode yes = params.putObject("inputResponses").putObject("tollgate-approval").put("action", "accept");
            yes.putObject("content").put("approve", true);
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "deploy")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
