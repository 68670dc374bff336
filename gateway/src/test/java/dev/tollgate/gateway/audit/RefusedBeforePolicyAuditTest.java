package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call the gateway refused itself before any policy decided it (a body too large, a parse error, another caller's task,
 * a concurrency limit, a tools list it could not read) wrote no audit record: "what did agent X try", read from the audit
 * log, missed every probe the gateway refused early. An identified caller's refusal is now one record (rule
 * {@code refused_before_policy}, {@code outcome.error} the reason) in the sealed chain, which {@code tollgate replay} counts
 * as not re-decidable; an unauthenticated caller's is not recorded, so that it cannot fill the audit queue.
 */
class RefusedBeforePolicyAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 4096;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private TenantTokens tokens;
    private RunningGateway gateway;
    private Path audit;
    private Path key;
    private Path policies;
    /** Calls the upstream holds unanswered (a tool named {@code slow}), answered when the test lets them go. */
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        tokens = TenantTokens.in(dir);
        policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        audit = dir.resolve("audit");
        key = dir.resolve("audit.key");
        Files.writeString(key, "9f2c51d0a7b64e83c1f0d2a9b8e7c6d5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9\n");
    }

    @AfterEach
    void stop() throws Exception {
        held.forEach(request -> request.response().end());
        if (gateway != null) {
            gateway.close();
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachRefusalOfAnIdentifiedCallerBeforePolicyIsOneSealedRecordAndTheUpstreamSawNone() throws Exception {
        startGateway("max-concurrent-calls-per-caller: 1");
        upstream.answer(this::answerAsTaskServer);
        TestHttp.Reply anonymous = http.send(TestHttp.mcpPost(gateway.port(), "/mcp"), Buffer.buffer(toolCall(9, "report", "{}")));
        assertThat(anonymous.reason()).as("control: no AXID is refused before identity").isEqualTo("axid_missing");
        TestHttp.Reply forged = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", "not.a.token"),
                Buffer.buffer(toolCall(9, "report", "{}")));
        assertThat(forged.status()).as(forged.body().toString()).isEqualTo(401);

        String acme = initialize("acme");
        TestHttp.Reply created = send("acme", acme, toolCall(3, "report", "{}"));
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body().toString()).isEqualTo("job-1");
        String globex = initialize("globex");
        int forwardedBefore = upstream.received().size();

        TestHttp.Reply notOwned = send("globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");
        assertThat(notOwned.reason()).as(notOwned.body().toString()).isEqualTo("task_not_found");
        TestHttp.Reply tooLarge = send("globex", globex, toolCall(6, "upload", "{\"data\":\"" + "x".repeat(MAX_BODY_BYTES) + "\"}"));
        assertThat(tooLarge.reason()).isEqualTo("body_too_large");
        TestHttp.Reply unparsable = send("globex", globex, "{\"jsonrpc\":\"2.0\",\"id\":7,");
        assertThat(unparsable.reason()).isEqualTo("invalid_json");
        assertThat(upstream.received()).as("no refused call reached the upstream").hasSize(forwardedBefore);

        // One call of globex's held upstream: its next is over its limit of one call in flight.
        Future<TestHttp.Reply> slow = TestHttp.readWhole(http.raw(), post("globex", globex).setPort(gateway.port()),
                Buffer.buffer(toolCall(8, "slow", "{}")));
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
        TestHttp.Reply overLimit = send("globex", globex, toolCall(10, "echo", "{}"));
        assertThat(overLimit.reason()).isEqualTo("caller_concurrency_limit");
        held.remove(0).response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{\"content\":[]}}");
        assertThat(slow.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(upstream.received()).as("only the held call was forwarded since").hasSize(forwardedBefore + 1);

        List<JsonNode> records = closeAndRead();
        List<JsonNode> refused = records.stream().filter(r -> "refused_before_policy".equals(r.at("/decision/rule").asText())).toList();
        assertThat(refused).extracting(r -> r.at("/outcome/error").asText())
                .as("one record per refusal, in order:\n" + records).containsExactly("task_not_found", "body_too_large", "invalid_json",
                        "caller_concurrency_limit");
        for (JsonNode record : refused) {
            assertThat(record.at("/caller/tenant").asText()).as(record.toString()).isEqualTo("globex");
            assertThat(record.at("/decision/policy").asText()).isEqualTo("tollgate-gateway");
            assertThat(record.at("/decision/action").asText()).isEqualTo("deny");
            assertThat(record.at("/decision/enforced").asBoolean()).isTrue();
            assertThat(record.at("/route").asText()).isEqualTo("tools");
        }
        JsonNode taskGet = refused.get(0);
        assertThat(taskGet.at("/method").asText()).as("the parsed call is named").isEqualTo("tasks/get");
        assertThat(taskGet.at("/outcome/status").asInt()).isEqualTo(404);
        assertThat(taskGet.at("/request_id").isNumber()).isTrue();
        assertThat(taskGet.at("/arguments/taskId").asText()).as("arguments: full keeps a parsed call's").isEqualTo("job-1");
        JsonNode large = refused.get(1);
        assertThat(large.at("/method").asText()).as("a body never read is named by its HTTP method").isEqualTo("POST");
        assertThat(large.at("/outcome/status").asInt()).isEqualTo(413);
        assertThat(large.has("arguments")).as("nothing of an unread body is recorded").isFalse();
        assertThat(refused.get(3).at("/outcome/status").asInt()).isEqualTo(429);
        assertThat(records).as("an unauthenticated refusal is not on record")
                .noneMatch(r -> r.at("/outcome/error").asText().startsWith("axid_") || !r.at("/caller").has("tenant"));
        assertThat(records).as("besides the refusals: the two calls policy decided").hasSize(refused.size() + 2);

        Cli.Result verified = Cli.run("audit", "verify", "--key", key.toString(), "--expect-seq", Integer.toString(records.size()),
                audit.toString());
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).contains("chain intact, every record sealed with the key");

        var bundle = PolicyLoader.loadDirectory(policies, CheckRegistry.withDefaults());
        AuditReplay.Report replay = AuditReplay.replay(AuditFiles.inOrder(audit), bundle, null);
        assertThat(replay.refusedBeforePolicy()).as(replay.render()).isEqualTo(4);
        assertThat(replay.replayed()).isEqualTo(2);
        assertThat(replay.skipped()).as("not counted as a policy missing from the set").isZero();
        assertThat(replay.render()).contains("4 record(s) of calls the gateway refused before any policy decided them");
        AuditReplay.Report overridden = AuditReplay.replay(AuditFiles.inOrder(audit), bundle, "p");
        assertThat(overridden.replayed()).as("no policy re-decides them, an override neither: " + overridden.render()).isEqualTo(2);
        assertThat(overridden.unchanged()).isEqualTo(2);
    }

    @Test
    void aCallAdmittedToTheAuditAndRefusedForWantOfItsToolsListIsOnRecordWithItsArguments() throws Exception {
        startGateway("list-unknown-tools: true");
        upstream.answerGatewayLists();
        upstream.answer(request -> request.response().setStatusCode(500).end());
        String globex = "globex";

        TestHttp.Reply refused = http.send(post(globex, null).setPort(gateway.port()), Buffer.buffer(toolCall(4, "wipe", "{\"mode\":\"SAFE\"}")));

        assertThat(refused.reason()).as(refused.body().toString()).isEqualTo("tool_schema_unavailable");
        assertThat(upstream.received()).extracting(r -> JSON.readTree(r.body().getBytes()).path("method").asText())
                .as("only the gateway's own list went upstream").containsExactly("tools/list");
        List<JsonNode> records = closeAndRead();
        assertThat(records).hasSize(1);
        JsonNode record = records.get(0);
        assertThat(record.at("/decision/rule").asText()).isEqualTo("refused_before_policy");
        assertThat(record.at("/outcome/error").asText()).isEqualTo("tool_schema_unavailable");
        assertThat(record.at("/outcome/status").asInt()).isEqualTo(502);
        assertThat(record.at("/method").asText()).isEqualTo("tools/call");
        assertThat(record.at("/tool").asText()).isEqualTo("wipe");
        assertThat(record.at("/arguments/mode").asText()).isEqualTo("SAFE");
        assertThat(record.at("/request_id").asInt()).isEqualTo(4);
        Cli.Result verified = Cli.run("audit", "verify", "--key", key.toString(), "--expect-seq", "1", audit.toString());
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
    }

    /** The gateway: AXIDs required, a sealed audit keeping arguments, failing closed; {@code routeExtra} on the route. */
    private void startGateway(String routeExtra) throws Exception {
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (11 + i);
        }
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s, arguments: full, when-full: reject, key-file: %s}
                limits: {max-body-bytes: %d}
                %s
                sessions:
                  max-age: 1h
                  keys:
                    - {id: k, secret: "%s"}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    %s
                """.formatted(policies, audit, key, MAX_BODY_BYTES, tokens.identityYaml().strip(),
                Base64.getEncoder().encodeToString(secret), upstream.url("/mcp"), routeExtra));
    }

    /**
     * As {@link RecordingUpstream#answerAsTaskServer}: a tools/call starts task job-1, anything else has an empty result;
     * a call to the tool {@code slow} is held unanswered.
     */
    private void answerAsTaskServer(HttpServerRequest request) {
        String body = upstream.received().get(upstream.received().size() - 1).body().toString();
        if (body.contains("\"name\":\"slow\"")) {
            held.add(request);
            return;
        }
        String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
        request.response().putHeader("Mcp-Session-Id", "upstream-session").putHeader("Content-Type", "application/json");
        String result = body.contains("\"tools/call\"") ? "{\"task\":{\"taskId\":\"job-1\",\"status\":\"working\"}}" : "{}";
        request.response().end(request.method() == HttpMethod.POST ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}" : "");
    }

    /** Every record, once the gateway stopped (its audit log writes what it queued before it closes). */
    private List<JsonNode> closeAndRead() throws Exception {
        gateway.close();
        gateway = null;
        List<JsonNode> records = new ArrayList<>();
        for (Path file : AuditFiles.inOrder(audit)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    private static String toolCall(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}";
    }

    private String initialize(String tenant) throws Exception {
        TestHttp.Reply reply = http.send(post(tenant, null).setPort(gateway.port()), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.headers().get("Mcp-Session-Id");
    }

    private TestHttp.Reply send(String tenant, String session, String body) throws Exception {
        return http.send(post(tenant, session).setPort(gateway.port()), Buffer.buffer(body));
    }

    private RequestOptions post(String tenant, String session) throws Exception {
        RequestOptions options = TestHttp.mcpPost(0, "/mcp").putHeader("X-Waxell-AXID", tokens.token(tenant, "planner"));
        return session == null ? options : options.putHeader("Mcp-Session-Id", session);
    }
}
