package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
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
 * Review AV (medium): a 2026-07-28 client's approved retry is never checked against the configuration its call was held (and
 * asked about) in. {@code ApprovalRecheck.check} compares the exchange's own snapshot with the serving one; for the retry
 * that carries the user's answer ({@code ApprovalStage.answeredInClient}) the exchange is the retry, which began under
 * the configuration serving now, so a reload between the question and the retry never supersedes the approval:
 *
 * <ul>
 *   <li>the route's upstream moved by a reload (staging to production, say): a 2025 client's held call is refused
 *       {@code approval_superseded / upstream_changed} (review AO), the 2026 retry is forwarded to the new upstream on
 *       the yes given for a call to the old one;</li>
 *   <li>the reloaded policy denies the call: the 2026 retry is refused by the policy, but the approval's listing (the
 *       change 36e4d42c: "the history no longer reads 'approved' for a call that was never forwarded") still reads
 *       approved with no {@code superseded}, where the 2025 path lists {@code superseded: policy_denies}.</li>
 * </ul>
 *
 * <p>Likewise the retry is decided anew by PolicyStage after AskClientRetryStage has released the approval: a rate token the
 * asking request took is taken a second time, and under a tight limit the approved call is refused by its own token with
 * the release spent (lost: its retry is 409 afterwards), where a 2025 client's held call is forwarded (README: rate
 * tokens "were secured once, when it was held").
 *
 * <p>Fix: seal (or keep with the approval) what the call was held under (route, endpoints, admission) and recheck the
 * retry against it, noting {@code approvals.overruled} when it no longer stands; and note the supersession when an
 * approved retry is refused by the serving policy.
 */
class AskClient2026RetryReviewAVTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
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
    private static final String EMERGENCY_DENY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: emergency-no-deploy
                condition: {tool: deploy}
                action: deny
                message: deploys are withdrawn
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream staging;
    private RecordingUpstream production;
    private TestHttp http;
    private Gateway gateway;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        staging = answering();
        production = answering();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), ASK);
        config(staging.url("/mcp"));
        gateway = Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        staging.close();
        production.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anApprovedRetryAfterTheRouteMovedUpstreamIsNotForwardedToTheNewUpstream() throws Exception {
        JsonNode asked = call(null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String id = pendingId();

        config(production.url("/mcp")); // same route name and policy, another server
        assertThat(gateway.swap(load())).isEmpty();
        JsonNode answer = call(asked.at("/result/requestState").asText(), yes());

        assertThat(staging.received()).as("the old upstream sees nothing").isEmpty();
        assertThat(production.received())
                .as("the user's yes was for a deploy held for route 'tools' -> staging; a reload moved the route to production and the"
                        + " approved retry was forwarded there (a 2025 client's held call is refused upstream_changed); answer: " + answer)
                .isEmpty();
        assertThat(answer.at("/error/data/reason").asText()).as(answer.toString()).isEqualTo("approval_superseded");
        assertThat(listed(id).path("superseded").path("cause").asText()).isEqualTo("upstream_changed");
    }

    @Test
    void anApprovedRetryTheReloadedPolicyRefusesIsListedAsSuperseded() throws Exception {
        JsonNode asked = call(null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String id = pendingId();

        Files.writeString(dir.resolve("policies/p.yaml"), EMERGENCY_DENY);
        assertThat(gateway.swap(load())).isEmpty();
        JsonNode answer = call(asked.at("/result/requestState").asText(), yes());

        assertThat(answer.has("error")).as("control: the serving policy refuses the call: " + answer).isTrue();
        assertThat(staging.received()).as("control: nothing forwarded").isEmpty();
        JsonNode listed = listed(id);
        assertThat(listed.path("state").asText()).as(listed.toString()).isEqualTo("approved");
        assertThat(listed.has("superseded"))
                .as("the approval reads 'approved' with no 'superseded' for a call a reload refused and that was never forwarded: " + listed)
                .isTrue();
    }

    /**
     * The rate token the asking request took is taken again by the retry (AskClientRetryStage releases the approval, then
     * PolicyStage evaluates the rate_limit check anew): under a one-an-hour limit the approved call is refused by its own
     * token, and the release is spent, so the approved call can never go through (a retry after the hour is 409
     * "already let its call through"). README: "Budget and rate-limit rules the call was held under are not judged
     * again: its ... rate tokens were secured once, when it was held" (a 2025 client's held call is forwarded).
     */
    @Test
    void anApprovedRetryIsNotRefusedByTheRateTokenItsQuestionTook() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: deploy-rate
                    condition: {all: [{tool: deploy}, {check: {name: rate_limit, args: {rate: 1, period: 1h, burst: 1}}}]}
                    action: deny
                    message: one deploy an hour
                  - name: deploys-need-a-yes
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 30s, on-timeout: deny, ask-client: true}
                """);
        assertThat(gateway.swap(load())).isEmpty();
        JsonNode asked = call(null, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");

        JsonNode answer = call(asked.at("/result/requestState").asText(), yes());

        assertThat(answer.at("/result/content/0/text").asText())
                .as("the user's yes to a call held under a one-an-hour limit: the retry was refused by the token the question itself took: "
                        + answer)
                .isEqualTo("deployed");
        assertThat(staging.received()).hasSize(1);
    }

    private JsonNode listed(String id) throws Exception {
        return await().atMost(Duration.ofSeconds(5)).until(() -> admin("/approvals/" + id).json(), j -> !"pending".equals(j.path("state").asText()));
    }

    private String pendingId() {
        return await().atMost(Duration.ofSeconds(5)).until(() -> admin("/approvals").json().path("pending"), list -> list.size() == 1)
                .get(0).path("id").asText();
    }

    private RecordingUpstream answering() throws Exception {
        RecordingUpstream up = new RecordingUpstream(vertx);
        up.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        return up;
    }

    private static ObjectNode yes() {
        ObjectNode yes = JSON.createObjectNode().put("action", "accept");
        yes.putObject("content").put("approve", true);
        return yes;
    }

    private JsonNode call(String state, JsonNode answer) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("env", "prod");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            params.putObject("inputResponses").set("tollgate-approval", answer);
            params.put("requestState", state);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 5).put("method", "tools/call");
        body.set("params", params);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", "tools/call").header("Mcp-Name", "deploy")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String text = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private void config(String upstream) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, upstream));
    }

    private TestHttp.Reply admin(String path) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), (Buffer) null);
    }
}
