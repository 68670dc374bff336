package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code ask-client: true}, a call whose arguments do not fit the approvers' view whole is not put to the client's
 * user: a yes would approve values nobody saw. It waits for the approvers, who see it listed with its cuts marked.
 */
class AskClientCutArgumentsTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private McpFixtureServer fixture;
    private Gateway gateway;
    private McpSyncClient client;
    private TestHttp http;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (http != null) {
            http.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (fixture != null) {
            fixture.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCallWhoseArgumentsAreCutIsLeftToTheApproversNotAskedOfTheUser() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        fixture = McpFixtureServer.start(0);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: approve-add
                    condition: {tool: add}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny, ask-client: true}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "http://127.0.0.1:%d/mcp"}
                """.formatted(TOKEN, fixture.port()));
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<String> asked = new CopyOnWriteArrayList<>();
        client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port()).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
                .elicitation(request -> {
                    asked.add(request.message());
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("approve", true));
                }).build();
        client.initialize();

        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(() -> client.callTool(
                McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 4242, "b", 1717, "notes", "x".repeat(70_000))).build()));
        var pending = await().atMost(Duration.ofSeconds(10)).until(() -> admin(HttpMethod.GET, "/approvals", null).json().path("pending"),
                l -> l.size() == 1).get(0);
        assertThat(pending.path("arguments_truncated").asBoolean()).isTrue();
        assertThat(pending.path("arguments").path("a").asInt()).isEqualTo(4242);
        assertThat(pending.path("arguments").path("notes").asText()).endsWith("…[cut: 70000 chars in all]");
        Thread.sleep(500);
        assertThat(asked).as("the user is never asked about values cut from view").isEmpty();

        admin(HttpMethod.POST, "/approvals/" + pending.path("id").asText(), "{\"decision\":\"deny\",\"by\":\"ops\"}");
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).hasMessageContaining("Denied by the approver");
        assertThat(asked).isEmpty();
    }

    private TestHttp.Reply admin(HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }
}
