package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
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
 * Fix FX2 (review CJ finding 3, the 2026 path): a 2026-07-28 client's approved retry is a new request the policy stage
 * decides on the serving configuration, its tool call as sent and as the tool fills the defaults its listed schema gives.
 * The call is asked about leaving out {@code mode} (the listed schema's default is DESTROY); a reload then denies
 * {@code /mode eq DESTROY}; the user's yes does not let it through: the filled reading is refused as for a held 2025 call.
 */
class AskClientRetryDefaultsFX2Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK = """
            name: p
            defaults: {action: allow}
            rules:
              - name: deploys-need-a-yes
                condition: {tool: deploy}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, ask-client: true}
            """;
    private static final String NO_DESTROY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {all: [{tool: deploy}, {arg: {path: /mode, eq: DESTROY}}]}
                action: deny
                message: No destroying deploys.
              - name: deploys-need-a-yes
                condition: {tool: deploy}
                action: approve
                approval: {timeout: 30s, on-timeout: deny, ask-client: true}
            """;
    private static final String TOOLS = "{\"tools\":[{\"name\":\"deploy\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
            + "\"env\":{\"type\":\"string\"},\"mode\":{\"type\":\"string\",\"enum\":[\"SAFE\",\"DESTROY\"],\"default\":\"DESTROY\"}},"
            + "\"required\":[\"env\"]}}]}";

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
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String result = body.contains("\"tools/list\"") ? TOOLS
                    : "{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}";
            r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":" + result + "}");
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ASK);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "approvals-admin-token-0123456789"}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(upstream.url("/mcp")));
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anApprovedRetryLeavingOutAModeAReloadDeniesByDefaultIsRefused() throws Exception {
        JsonNode listed = send("tools/list", null, JSON.createObjectNode());
        assertThat(listed.at("/result/tools/0/name").asText()).as(listed.toString()).isEqualTo("deploy");
        JsonNode asked = call(null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");

        Files.writeString(dir.resolve("policies/p.yaml"), NO_DESTROY);
        assertThat(gateway.swap(load())).isEmpty();
        JsonNode answer = call(asked.at("/result/requestState").asText(), yes());

        assertThat(answer.at("/error/data/rule").asText()).as("the tool reads mode DESTROY, which the serving policy denies: " + answer)
                .isEqualTo("no-destroy");
        assertThat(upstream.received()).as("only the listing reached the tool").hasSize(1);
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    private JsonNode call(String state, JsonNode answer) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("env", "prod");
        if (state != null) {
            params.putObject("inputResponses").set("tollgate-approval", answer);
            params.put("requestState", state);
        }
        return send("tools/call", "deploy", params);
    }

    private JsonNode send(String method, String name, ObjectNode params) throws Exception {
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", method);
        body.set("params", params);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method);
        if (name != null) {
            request.header("Mcp-Name", name);
        }
        String text = client.send(request.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }
}
