package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AG (denial of service): a held call counts against its caller's concurrency limit only while its HTTP request
 * is open. A 2026-07-28 {@code ask-client} call is answered at once with the gateway's question, and its approval stays
 * pending (a timer, a webhook delivery, a row in every approver's list, a bounded view of the arguments) until its
 * timeout: nothing bounds how many one caller holds. One tenant sends tools/calls in the 2026 envelope in a loop and
 * never retries; each is a pending approval for the rule's whole timeout, so the approvers' queue, the webhook and the
 * heap fill with one caller's calls, while the same caller could hold only {@code max-concurrent-calls-per-caller}
 * calls the 2025 way.
 */
class PendingApprovalsFloodReviewAGTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_CALLER = 4;
    private static final int FLOOD = 40;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: ask-before-echo
                    condition: {tool: echo}
                    action: approve
                    approval: {timeout: 10m, on-timeout: deny, ask-client: true}
                  - name: approve-deploy
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 10m, on-timeout: deny}
                """);
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:%d/mcp", policy: p, max-concurrent-calls: 16, max-concurrent-calls-per-caller: %d}
                """.formatted(policies, tokens.identityYaml().strip(), upstream.port(), PER_CALLER);
        gateway = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * The defect: forty 2026 calls of one caller, sent one after another, are forty pending approvals (ten times the
     * caller's limit of four), and the caller is never refused. Expected: a caller holds at most as many pending approvals
     * as it may hold calls (or another per-caller bound), the rest refused 429.
     */
    @Test
    void oneCallerHoldsAsManyPendingApprovalsAsItSendsWith2026AskClientCalls() throws Exception {
        int asked = 0;
        int refused = 0;
        for (int i = 0; i < FLOOD; i++) {
            HttpResponse<String> answer = send2026("acme", "echo", "flood " + i);
            if (answer.statusCode() == 429) {
                refused++;
            } else if (answer.body().contains("input_required")) {
                asked++;
            }
        }
        assertThat(upstream.received()).as("nothing was forwarded").isEmpty();

        double pending = pendingApprovals();
        assertThat(pending)
                .as("pending approvals held by ONE caller (limit %d calls in flight): %d asked, %d refused with 429", PER_CALLER, asked, refused)
                .isLessThanOrEqualTo(PER_CALLER);
    }

    /** Control: a held 2025 call keeps its request open, so it holds a slot; the fifth is refused 429 and nothing more is held. */
    @Test
    void heldCallsWithoutAskClientCountAgainstTheCallersLimit() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < PER_CALLER; i++) {
            held.add(http.sendAsync(request2025("acme", "deploy", i), HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pendingApprovals() < PER_CALLER && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(pendingApprovals()).isEqualTo(PER_CALLER);

        HttpResponse<String> fifth = http.send(request2025("acme", "deploy", 99), HttpResponse.BodyHandlers.ofString());

        assertThat(fifth.statusCode()).as(fifth.body()).isEqualTo(429);
        assertThat(fifth.body()).contains("caller_concurrency_limit");
        assertThat(pendingApprovals()).isEqualTo(PER_CALLER);
        held.forEach(f -> f.cancel(true));
    }

    private double pendingApprovals() {
        Matcher m = Pattern.compile("(?m)^tollgate_approvals_pending ([0-9.]+)$").matcher(gateway.gateway().metrics().scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private HttpRequest request2025(String tenant, String tool, int id) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call");
        ObjectNode params = body.putObject("params").put("name", tool);
        params.putObject("arguments").put("target", "prod-" + id);
        return HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25")
                .header("X-Waxell-AXID", tokens.token(tenant, "a")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private HttpResponse<String> send2026(String tenant, String tool, String message) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "tools/call");
        ObjectNode params = body.putObject("params").put("name", tool);
        params.putObject("arguments").put("message", message);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "flood").put("version", "1");
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", tool)
                .header("X-Waxell-AXID", tokens.token(tenant, "a")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
