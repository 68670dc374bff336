package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AV (low): the ask-client "let through once" mark ({@code RedisApprovals.releaseOnce}, 2d0fd793) is kept for
 * the requestState's validity as the releasing replica computed it then ({@code askedAt + sessions.max-age + 1 min}, see
 * {@code AskClientRetryStage.proceed}) plus an hour. The state, though, is opened against the max-age serving when the retry
 * comes ({@code SealedSessions.openApprovalState}), and the approval's hash, which answers the asker "ended: approved",
 * lives {@code approval timeout + 1 h} from the hold. After a reload raising {@code sessions.max-age}, once the mark's
 * own expiry passes (about an hour here) the same approved retry sent to another replica is released and forwarded again.
 *
 * <p>The mark's expiry is brought forward with PEXPIRE, standing for the hour passing; the test first checks that the mark
 * would indeed expire within about an hour while the state is valid for a day and the approval hash for hours more.
 *
 * <p>Fix: keep the mark as long as anything can still answer the retry (at least the approval hash's life), or record
 * the release on the approval's hash itself, so that both expire together.
 */
class ReleaseMarkAfterMaxAgeReloadReviewAVTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RedisServer redis;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Gateway holder;
    private Gateway other;
    private String prefix;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"resultType\":\"complete\",\"content\":[{\"type\":\"text\",\"text\":\"deployed\"}]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: deploys-need-a-yes
                    condition: {tool: deploy}
                    action: approve
                    approval: {timeout: 4h, on-timeout: deny, ask-client: true}
                """);
        prefix = "ask-release-av-" + System.nanoTime();
        config("30m");
        holder = replica();
        other = replica();
    }

    @AfterEach
    void stop() throws Exception {
        for (Gateway g : new Gateway[] {holder, other}) {
            if (g != null) {
                g.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void anApprovedRetryIsNotLetThroughAgainAfterAMaxAgeReload() throws Exception {
        JsonNode asked = call(holder, null);
        assertThat(asked.at("/result/resultType").asText()).as(asked.toString()).isEqualTo("input_required");
        String state = asked.at("/result/requestState").asText();
        JsonNode done = call(holder, state);
        assertThat(done.at("/result/content/0/text").asText()).as(done.toString()).isEqualTo("deployed");
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(holder, "/approvals").json().path("recent"), r -> r.size() == 1)
                .get(0).path("id").asText();
        assertThat(call(holder, state).at("/error/data/reason").asText()).as("control: a replay is refused").isEqualTo("approval_answer_not_taken");

        // An operator lengthens sessions.max-age on both replicas: the state handed out stays valid for a day.
        config("24h");
        assertThat(holder.swap(load())).isEmpty();
        assertThat(other.swap(load())).isEmpty();

        String mark = prefix + ":approval-released:" + id;
        long markMillis = Long.parseLong(redisCli("PTTL", mark));
        long hashMillis = Long.parseLong(redisCli("PTTL", prefix + ":approval:" + id));
        assertThat(markMillis).as("the mark outlives the old max-age by an hour only").isBetween(0L, Duration.ofMinutes(95).toMillis());
        assertThat(hashMillis).as("the approval's hash (answering 'ended: approved') lives for hours more: " + hashMillis)
                .isGreaterThan(markMillis + Duration.ofHours(1).toMillis());
        // The review brought the mark's expiry forward here and replayed at once: the state was then taken as valid for the
        // new day. Since fixN the state carries the expiry it was handed out with (30 minutes), whatever max-age serves
        // later, so the mark has only to outlive that: it does, by an hour. (A replay past the 30 minutes is refused as an
        // expired state: AskClientStateTest.)
        assertThat(markMillis).as("the mark outlives the state's own 30 minutes").isGreaterThan(Duration.ofMinutes(30).toMillis());

        JsonNode again = call(other, state);
        assertThat(upstream.received())
                .as("the approved deploy was forwarded a second time by replaying its retry after the mark expired: " + again)
                .hasSize(1);
    }

    private JsonNode call(Gateway gateway, String state) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", "deploy");
        params.putObject("arguments").put("env", "prod");
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation").putObject("form");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "ask-client-2026").put("version", "1");
        if (state != null) {
            ObjectNode yes = JSON.createObjectNode().put("action", "accept");
            yes.putObject("content").put("approve", true);
            params.putObject("inputResponses").set("tollgate-approval", yes);
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

    private void config(String maxAge) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                sessions: {keys: [{id: k1, secret: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}], max-age: %s}
                redis: {uri: "%s", key-prefix: "%s"}
                approvals: {store: redis}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, maxAge, redis.uri(), prefix, upstream.url("/mcp")));
    }

    private dev.tollgate.gateway.pipeline.GatewaySnapshot load() throws Exception {
        return new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml"));
    }

    private Gateway replica() throws Exception {
        return Gateway.start(vertx, load(), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(Gateway gateway, String path) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), (Buffer) null);
    }

    private String redisCli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(redis.port())));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(5, TimeUnit.SECONDS);
        return out;
    }
}
