package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BT (MCP 2026-07-28, SDK v2 server): a {@code requestState} relayed for a {@code resources/read} of one uri
 * resumes a read of another uri when the request also carries a {@code params.name}.
 *
 * <p>The gateway seals each upstream requestState to the call it answers ({@code RequestStateCall}: method, "the tool name
 * or {@code uri}", arguments) so that a server trusting its state cannot be made to act on a reading policy did not
 * decide. But {@code RequestStateCall.of} takes {@code params.name} whenever it is a string and looks at {@code uri} only
 * when there is no name: a {@code resources/read} carrying a stray {@code name} (which the SDK server ignores; the gateway's
 * {@code Mcp-Name} check reads {@code uri} for this method) is bound to that name, not to its uri. So a caller reads
 * {@code file:///reports/q3} once (answered input_required, state naming q3), then retries naming
 * {@code file:///reports/public} with the same name and state: the gateway opens the state, decides and polices the retry
 * as a read of {@code public} (policy, rate limits, approvals, audit record, price: all of {@code public}), and the SDK
 * server (resources/read is a multi-round-trip method) serves q3 from its state: the leg that actually serves q3 was never
 * decided as a read of q3. Without the stray name the same swap is refused (control test), as a tools/call with other
 * arguments is.
 */
class ResourceStateNameReviewBTTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String Q3 = "file:///reports/q3";
    private static final String PUBLIC = "file:///reports/public";
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: audit-q3-reads
                condition: {resource: "file:///reports/q3"}
                action: audit
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private NodeServer server;
    private TenantTokens tokens;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-bt-resume-server.mjs", Map.of());
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: reports, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(policies, tokens.identityYaml().strip(), server.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void withoutANameAStateForQ3DoesNotResumeAReadOfAnotherUri() throws Exception {
        String axid = tokens.token("acme", "planner");
        JsonNode first = read(axid, 1, Q3, null, null);
        int mark = server.markAfterPosting("/marker");

        JsonNode swapped = read(axid, 2, PUBLIC, null, first.at("/result/requestState").asText());

        assertThat(swapped.at("/error/code").asInt()).as(swapped.toString()).isEqualTo(-32602);
        assertThat(server.printedSince(mark, "/marker")).doesNotContain("RECEIVED");
    }

    @Test
    void aStrayNameDoesNotLetAStateForQ3ResumeAReadOfAnotherUri() throws Exception {
        String axid = tokens.token("acme", "planner");
        JsonNode first = read(axid, 1, Q3, "r", null);
        assertThat(first.at("/result/resultType").asText()).as(first.toString()).isEqualTo("input_required");
        int mark = server.markAfterPosting("/marker");

        JsonNode swapped = read(axid, 2, PUBLIC, "r", first.at("/result/requestState").asText());

        assertThat(server.printedSince(mark, "/marker")).as("the server resumed q3 for a retry naming " + PUBLIC + ": " + swapped)
                .doesNotContain("SERVED");
        assertThat(swapped.at("/error/code").asInt()).as(swapped.toString()).isEqualTo(-32602);
    }

    /** A 2026-07-28 resources/read as a client sends it (a retry when requestState is given), with a stray name if given. */
    private JsonNode read(String axid, int id, String uri, String name, String requestState) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "resources/read");
        ObjectNode params = body.putObject("params").put("uri", uri);
        if (name != null) {
            params.put("name", name);
        }
        if (requestState != null) {
            params.put("requestState", requestState);
            params.putObject("inputResponses");
        }
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "review-bt").put("version", "1");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "resources/read").header("Mcp-Name", uri)
                .header("X-Waxell-AXID", axid)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        String text = response.body();
        if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            for (String line : text.split("\n")) {
                if (line.startsWith("data:") && !line.substring(5).isBlank() && JSON.readTree(line.substring(5)).has("id")) {
                    return JSON.readTree(line.substring(5));
                }
            }
            throw new AssertionError("no response on the stream: " + text);
        }
        return JSON.readTree(text);
    }
}
