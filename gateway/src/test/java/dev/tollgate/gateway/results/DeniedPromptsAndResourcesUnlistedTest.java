package dev.tollgate.gateway.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * prompts/list and resources/list answer only what the caller may get or read, as tools/list lists only the tools it may
 * call: a prompt or resource whose prompts/get or resources/read request policy denies whatever its arguments is left out
 * of the list (its name, URI and description never reach the model), while one a rule denies only for some arguments, and
 * every resource template, stays. A real TypeScript SDK server lists everything; the real Java SDK client reads the lists.
 */
class DeniedPromptsAndResourcesUnlistedTest {

    private static final String POLICY = """
            name: listing
            defaults: {action: allow}
            rules:
              - name: no-secret-file
                condition: {resource: "file:///secret.txt"}
                action: deny
                message: the secret file is not for agents
              - name: no-admin-prompts
                condition: {prompt: "admin-*"}
                action: deny
              - name: no-summary-of-salaries
                condition:
                  all:
                    - prompt: summarise
                    - arg: {path: /topic, matches: salar}
                action: deny
            """;

    private Vertx vertx;
    private NodeServer server;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void theServerListsEverythingDirectly() {
        try (McpSyncClient client = client(server.url(""))) {
            assertThat(uris(client)).containsExactlyInAnyOrder("file:///secret.txt", "file:///public.txt");
            assertThat(prompts(client)).containsExactlyInAnyOrder("summarise", "admin-runbook");
        }
    }

    @Test
    void aResourceOrPromptTheCallerCanNeverReachIsNotListed() {
        try (McpSyncClient client = client(gateway.url(""))) {
            assertThat(uris(client)).as("resources/list through the gateway").containsExactly("file:///public.txt");
            assertThat(prompts(client)).as("prompts/list: summarise is denied for some topics only, so it stays")
                    .containsExactly("summarise");
            assertThat(client.listResourceTemplates().resourceTemplates()).as("a template's reads depend on the URI filled in")
                    .extracting(McpSchema.ResourceTemplate::uriTemplate).containsExactly("file:///vault/{name}");
            // What the lists leave out is still refused when asked for by name.
            assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest("file:///secret.txt")))
                    .hasMessageContaining("the secret file is not for agents");
            assertThat(client.readResource(new McpSchema.ReadResourceRequest("file:///public.txt")).contents()).hasSize(1);
        }
    }

    private static McpSyncClient client(String base) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(base).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(20)).build();
        client.initialize();
        return client;
    }

    private static List<String> uris(McpSyncClient client) {
        return client.listResources().resources().stream().map(McpSchema.Resource::uri).toList();
    }

    private static List<String> prompts(McpSyncClient client) {
        return client.listPrompts().prompts().stream().map(McpSchema.Prompt::name).toList();
    }
}
