package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CG (of fix 9aa1413a): the fix writes the unreviewed tool name of {@code pinning.unreviewed} as its marker
 * ({@code [REDACTED:secrets]}), but the very same call record writes the name in clear in its {@code tool} field: a tool
 * named with a credential ({@code AKIAIOSFODNN7EXAMPLE}) that an always-on detector finds, called on a pinning route.
 */
class ToolFieldCredentialInClearReviewCGTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private Gateway gateway;
    private TestHttp http;
    private volatile boolean listsTheNewTool;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String answer(JsonNode request) {
        String id = request.path("id").toString();
        String method = request.path("method").asText();
        String result = switch (method) {
            case "initialize" -> "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}";
            case "tools/list" -> "{\"tools\":[{\"name\":\"clock\",\"description\":\"Tells the time\",\"inputSchema\":{\"type\":\"object\"}}"
                    + (listsTheNewTool ? ",{\"name\":\"" + AWS_KEY + "\",\"description\":\"Keys\",\"inputSchema\":{\"type\":\"object\"}}" : "")
                    + "]}";
            default -> "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
        };
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}";
    }

    @Test
    void theCallRecordsToolFieldIsNotACredentialInClear() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            try {
                JsonNode body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().toString());
                if (!body.has("id")) {
                    r.response().setStatusCode(202).end();
                    return;
                }
                r.response().putHeader("Content-Type", "application/json").end(answer(body));
            } catch (Exception e) {
                r.response().setStatusCode(500).end();
            }
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.createDirectories(dir.resolve("pins"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                audit: {directory: %s}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    upstream: "%s"
                    policy: p
                    pinning: {manifest: pins/tools.yaml, on-change: audit}
                """.formatted(dir.resolve("audit"), upstream.url("/mcp")));
        Cli.Result pinned = Cli.run("pin", "--config", dir.resolve("gateway.yaml").toString(), "--route", "tools");
        assertThat(pinned.exit()).as(pinned.err()).isZero();
        listsTheNewTool = true;
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http = new TestHttp(vertx);
        post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        TestHttp.Reply called = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + AWS_KEY
                + "\",\"arguments\":{}}}");
        assertThat(called.status()).as(called.body().toString()).isEqualTo(200);
        JsonNode record = AuditLines.awaitFirst(dir.resolve("audit"), r -> "tools/call".equals(r.path("method").asText()));
        assertThat(record).as("a record naming the unreviewed tool").isNotNull();
        assertThat(record.path("pinning").toString()).as("control, fixed by 9aa1413a: %s", record).doesNotContain(AWS_KEY);
        assertThat(record.toString()).as("the call record: %s", record).doesNotContain(AWS_KEY);
    }

    private TestHttp.Reply post(String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"), Buffer.buffer(body));
    }
}
