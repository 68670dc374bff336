package dev.tollgate.gateway.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.policy.check.CheckRegistry;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AF (1ad1b73): a list answered through any route is held against the manifests of every pinning route with the
 * same task scope, and the task scope is the upstream's origin (scheme, host, port), paths ignored. Two different MCP
 * servers behind one origin (an MCP hub or ingress serving {@code /a/mcp} and {@code /b/mcp}, a common layout) are
 * therefore one "server": when B, a server the operator never reviewed (a tenant's own, say), lists a tool whose name
 * a pinned tool of A also has, A's pinned tool is marked changed, and PinWatch keeps it unreviewed until A's manifest is
 * renewed: A's own, unchanged list still shows it, and every call of it through A is refused as "changed since it was
 * pinned" (-32010 tool_not_pinned), for every caller of A, until an operator pins again; with {@code on-change: audit}
 * every call of it is recorded as a rug pull that never happened. Whoever can have
 * a tool listed through B switches off (or floods with false findings) A's reviewed tools.
 *
 * <p>Two Java MCP SDK fixture servers (A unchanged; B's echo described otherwise) behind one Vert.x proxy origin.
 */
class SharedOriginPinningNeighboursReviewAFTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private McpFixtureServer serverA;
    private McpFixtureServer serverB;
    private HttpServer proxy;
    private Gateway gateway;
    private McpSyncClient clientA;
    private McpSyncClient clientB;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        serverA = McpFixtureServer.start(0);
        serverB = McpFixtureServer.start(0);
        serverB.redescribe("echo", "Echo for the B team: repeats what it is given, in upper case.");
        HttpClient client = vertx.createHttpClient();
        proxy = vertx.createHttpServer().requestHandler(req -> {
            int port = req.path().startsWith("/a/") ? serverA.port() : serverB.port();
            req.pause();
            RequestOptions options = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(port).setURI("/mcp");
            req.headers().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("host")) {
                    options.addHeader(k, v);
                }
            });
            client.request(options).compose(up -> up.send(req)).onSuccess(resp -> {
                req.response().setStatusCode(resp.statusCode());
                resp.headers().forEach((k, v) -> {
                    if (!k.equalsIgnoreCase("transfer-encoding")) {
                        req.response().headers().add(k, v);
                    }
                });
                if (!resp.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                    req.response().setChunked(true);
                }
                resp.pipeTo(req.response());
            }).onFailure(e -> req.response().setStatusCode(502).end());
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String origin = "http://127.0.0.1:" + proxy.actualPort();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%1$s/a/mcp", policy: p, pinning: {manifest: pins/tools.yaml, on-change: hide}}
                  - {name: team-b, path: /b, protocol: mcp, upstream: "%1$s/b/mcp", policy: p}
                """.formatted(origin));
    }

    @AfterEach
    void stop() throws Exception {
        for (McpSyncClient client : new McpSyncClient[] {clientA, clientB}) {
            if (client != null) {
                client.closeGracefully();
            }
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        serverA.close();
        serverB.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private McpSyncClient client(String path) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port()).endpoint(path).build())
                .requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    @Test
    void anotherServerOnTheSameOriginListingASameNamedToolLeavesThePinnedServersToolAlone() throws Exception {
        Cli.Result pinning = Cli.run("pin", "--config", dir.resolve("gateway.yaml").toString(), "--route", "tools");
        assertThat(pinning.exit()).as(pinning.err()).isZero();
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        clientA = client("/mcp");
        assertThat(clientA.listTools().tools()).extracting(McpSchema.Tool::name).contains("echo");

        // Team B's server (another server, same origin) lists its own echo.
        clientB = client("/b");
        assertThat(clientB.listTools().tools()).extracting(McpSchema.Tool::name).contains("echo");

        // A has not changed: its own list and its echo are what was reviewed.
        assertThat(clientA.listTools().tools()).extracting(McpSchema.Tool::name)
                .as("A's unchanged echo, after B's server listed a tool of the same name").contains("echo");
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                () -> clientA.callTool(McpSchema.CallToolRequest.builder("echo").arguments(Map.of("text", "hi")).build()));
        assertThat(refused).as("A's reviewed, unchanged echo called through the pinning route").isNull();
        assertThat(serverA.toolCalls()).contains("echo");
    }
}
