package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BU, finding 2: a {@code resource:}-scoped result rule (fix AL) holds on a resources/read answer relayed on the
 * POST's stream, but not on the same answer replayed when the client resumes that stream ({@code GET} with
 * {@code Last-Event-ID}, SEP-1699). The resumed answer's call is not known, so it is described as a tools/call result of
 * an unknown tool ({@code McpResultRules.answer} falls back to {@code CallDescription.mcpToolResult}); {@code tool:}
 * conditions are read fail-closed for such results, {@code resource:}, {@code prompt:} and {@code method:} are not.
 *
 * <p>Exact input: policy denying secrets in results of {@code resource: "file:///vault/*"}; a resumable upstream answers
 * {@code resources/read file:///vault/keys} with SSE events r1 (priming, empty) and r2 (the contents, an AWS key); the
 * client takes r1's id from the POST's stream and sends {@code GET, Last-Event-ID: <sealed r1>}; the server replays r2.
 * The gateway withholds the key on the POST, relays it on the GET.
 */
class ResumedResourceReadDodgesResourceRuleReviewBUTest {

    private static final String SESSION = TestSessions.sealed("upstream", "session-abc");
    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    private static final String CONTENTS = "{\"contents\":[{\"uri\":\"file:///vault/keys\",\"text\":\"key " + AWS_KEY + "\"}]}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final List<String> lastEventIds = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s)^\\{\"jsonrpc\":\"2.0\",\"id\":(\\d+).*", "$1");
            r.response().putHeader("Mcp-Session-Id", "session-abc");
            if (r.method() == HttpMethod.GET) {
                lastEventIds.add(r.getHeader("Last-Event-ID"));
                String replay = "r1".equals(r.getHeader("Last-Event-ID"))
                        ? "id: r2\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":" + CONTENTS + "}\n\n" : "";
                r.response().putHeader("Content-Type", "text/event-stream").end(replay);
            } else if (body.contains("resources/read")) {
                r.response().putHeader("Content-Type", "text/event-stream")
                        .end("id: r1\ndata: \n\nid: r2\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + CONTENTS + "}\n\n");
            } else {
                r.response().setStatusCode(202).end();
            }
        });
        Files.writeString(dir.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: vault-secrets
                    condition: {all: [{direction: result}, {resource: "file:///vault/*"}, {check: {name: secrets}}]}
                    action: deny
                """);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir, "p", TestSessions.YAML));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static List<String> ids(String stream) {
        List<String> ids = new ArrayList<>();
        stream.lines().filter(line -> line.startsWith("id: ")).forEach(line -> ids.add(line.substring(4)));
        return ids;
    }

    @Test
    void aResumedResourceReadAnswerIsStillThatResourcesAnswer() throws Exception {
        TestHttp.Reply read = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25"), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///vault/keys\"}}"));
        assertThat(read.body().toString()).as("withheld on the POST: " + read.body()).doesNotContain(AWS_KEY);
        List<String> readIds = ids(read.body().toString());
        assertThat(readIds).as("the POST's stream: " + read.body()).isNotEmpty();

        TestHttp.Reply replayed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("Mcp-Session-Id", SESSION)
                .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", readIds.get(0)), null);

        assertThat(lastEventIds).as("the server was asked to replay the resources/read stream").contains("r1");
        assertThat(replayed.body().toString()).as("the vault resource's contents, replayed: " + replayed.body()).doesNotContain(AWS_KEY);
    }
}
