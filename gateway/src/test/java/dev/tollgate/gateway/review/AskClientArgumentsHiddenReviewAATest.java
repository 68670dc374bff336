package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.policy.check.CheckRegistry;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: with {@code approval: {ask-client: true}} the gateway asks the calling client's user, by MCP elicitation,
 * whether a held {@code tools/call} may go on. The question names the tool and the rule and its form says "Call add
 * with the arguments shown", but the arguments are shown nowhere in the request (neither the message nor the
 * requested schema). The user approves a tool name, not a call: a prompt-injected agent asks "Allow deploy?" and the
 * user's yes releases {@code deploy} with whatever arguments the agent chose (target, image, amount...). The approval
 * is not bound, for the person deciding, to what is forwarded. Official MCP Java SDK client and server on either side.
 */
class AskClientArgumentsHiddenReviewAATest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private McpFixtureServer fixture;
    private Gateway gateway;
    private McpSyncClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
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
    void theUserAskedInTheClientSeesTheArgumentsOfTheCallTheyApprove() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: approve-add
                    condition: {tool: add}
                    action: approve
                    message: adding needs a person
                    approval: {timeout: 30s, on-timeout: deny, ask-client: true}
                """);
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "approvals-admin-token-0123456789"}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "http://127.0.0.1:%d/mcp"}
                """.formatted(fixture.port()));
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        List<String> shown = new CopyOnWriteArrayList<>();
        client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port()).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
                .elicitation(request -> {
                    // Everything the client's UI can put in front of its user: the message and the form.
                    shown.add(request.message() + " " + request.requestedSchema());
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("approve", true));
                }).build();
        client.initialize();

        McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 4242, "b", 1717)).build());
        assertThat(((McpSchema.TextContent) result.content().get(0)).text()).isEqualTo("5959.0");
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0)).as("the approval question shown to the user (it says 'with the arguments shown')").contains("add");
        assertThat(shown.get(0))
                .as("the user approving the held call must be shown its arguments; the elicitation names only the tool, so a yes"
                        + " approves any arguments the agent chose")
                .contains("4242").contains("1717");
    }
}
