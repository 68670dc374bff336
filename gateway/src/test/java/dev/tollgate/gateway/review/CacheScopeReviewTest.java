package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revD): MCP 2026-07-28 cache hints. The gateway makes a tools/list it filtered per caller {@code cacheScope:
 * private} (McpResponseFilter.privateCacheHint), but a resources/read it decided per caller is relayed with the
 * upstream's {@code cacheScope: public}. The v2 client (2.4.0, Client.readResource) stores a public result in the
 * store's shared partition ({@code [serverIdentity, '']}), which every principal sharing the store reads before any round
 * trip: globex, whom the gateway refuses file:///payroll, is served acme's copy from the cache and never reaches the
 * gateway.
 */
class CacheScopeReviewTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private TenantTokens tokens;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":"
                + "{\"resultType\":\"complete\",\"contents\":[{\"uri\":\"file:///payroll\",\"text\":\"salaries\"}],"
                + "\"ttlMs\":3600000,\"cacheScope\":\"public\"}}"));
        http = new TestHttp(vertx);
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: payroll-is-acmes
                    condition: {all: [{resource: "file:///payroll"}, {not: {claim: {name: tenant, eq: acme}}}]}
                    action: deny
                    message: only acme reads payroll
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p", tokens.identityYaml()));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aResourceReadDecidedPerCallerIsNeverMarkedShareable() throws Exception {
        String read = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///payroll\"}}";
        TestHttp.Reply globex = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", tokens.token("globex", "bot")),
                Buffer.buffer(read));
        assertThat(globex.body().toString()).as("globex is refused: " + globex.body()).contains("payroll-is-acmes").doesNotContain("salaries");

        TestHttp.Reply acme = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", tokens.token("acme", "bot")),
                Buffer.buffer(read));

        assertThat(acme.json().at("/result/contents/0/text").asText()).isEqualTo("salaries");
        assertThat(acme.json().at("/result/cacheScope").asText()).as("acme's copy must not be served to globex from a shared cache: "
                + acme.body()).isEqualTo("private");
    }
}
