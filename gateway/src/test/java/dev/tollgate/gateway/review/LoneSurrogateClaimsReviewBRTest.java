package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BR: the AXID's claims naming who acts are JSON strings, and JSON may spell a lone UTF-16 surrogate
 * ({@code "\ud800"}); Nimbus's parser (Gson) reads it into a Java String as it is, and the verifier accepts it. Every key
 * the gateway builds as <em>bytes</em> from those claims encodes them with {@code String.getBytes(UTF_8)} (or the Redis
 * client does), which replaces every unpaired surrogate with {@code '?'}: the sub-user {@code "alice\ud800"},
 * {@code "alice\udfff"} and {@code "alice?"} become one owner there, while they are three callers everywhere else (policy,
 * Java maps, audit).
 *
 * <ul>
 * <li>MCP sessions (and everything sealed the same way: SSE event ids resumed by {@code Last-Event-ID}, list cursors,
 * requestStates): {@code SealedSessions.associatedData} binds the owner through {@code LengthPrefixed.encode}, which is
 * {@code getBytes(UTF_8)}. A caller whose sub-user is {@code alice\ud800} uses, and can end, the session of the sub-user
 * {@code alice?} of the same tenant's agent (real TypeScript SDK server: the call is executed in the victim's session).</li>
 * <li>Budgets on {@code ledger: redis}: {@code RedisSpendLedger.treeId} is {@code length:tenant/tree} sent to Redis as
 * UTF-8: the tree {@code run-\ud800} and the tree {@code run-?} (same length) are one hash; a run of the tenant whose
 * tree is {@code run-\ud800} spends the budget of the tree {@code run-?} (strict mode, real redis-server, real TypeScript
 * SDK server): that tree's first call is refused "budget exhausted".</li>
 * <li>Task and context ownership with {@code tasks: {store: redis}}: the binding's owner (a {@code CallerKey}) is written
 * to Redis as UTF-8, so a task {@code alice\ud800} created through replica 1 is read back on replica 2 as owned by
 * {@code axid:acme/a/alice?}: the sub-user {@code alice?} reads it there (and its creator is refused its own task).</li>
 * </ul>
 *
 * <p>Correct behaviour asserted: distinct claim values never share an owner (refuse claims holding an unpaired surrogate
 * as {@code axid_malformed}, or encode keys injectively, e.g. escape surrogates before encoding).
 */
class LoneSurrogateClaimsReviewBRTest {

    private static final String ISSUER = "https://auth.test";
    private static final String AUDIENCE = "tollgate";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"review-br\",\"version\":\"1\"}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private OctetKeyPair key;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** A token whose claims JSON is written by hand, so that a lone surrogate travels as its JSON escape. */
    private String token(String claimsJson) throws Exception {
        Instant now = Instant.now();
        String payload = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"iat\":" + now.getEpochSecond()
                + ",\"nbf\":" + now.getEpochSecond() + ",\"exp\":" + now.plusSeconds(240).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"," + claimsJson + "}";
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                new Payload(payload));
        jws.sign(new Ed25519Signer(key));
        return jws.serialize();
    }

    private HttpResponse<String> post(RunningGateway gateway, String axid, String session, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .header("Content-Type", "application/json").header("X-Waxell-AXID", axid)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSubUserSpelledWithALoneSurrogateUsesTheSessionOfTheSubUserSpelledWithAQuestionMark() throws Exception {
        try (NodeServer server = NodeServer.start("ts-resumable-server.mjs", Map.of("PORT", "0"))) {
            Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
            String identity = "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + ISSUER + "\", audience: "
                    + AUDIENCE + ", required-claims: [tenant]}}\n";
            try (RunningGateway gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(server.url("/mcp"), dir, "p",
                    identity + TestSessions.YAML))) {
                String victim = token("\"tenant\":\"acme\",\"agent\":\"planner\",\"sub\":\"alice?\"");
                String attacker = token("\"tenant\":\"acme\",\"agent\":\"planner\",\"sub\":\"alice\\ud800\"");
                String control = token("\"tenant\":\"acme\",\"agent\":\"planner\",\"sub\":\"alice!\"");

                HttpResponse<String> init = post(gateway, victim, null, INITIALIZE);
                assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
                String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
                post(gateway, victim, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
                String call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"%s\"}}}";

                HttpResponse<String> own = post(gateway, victim, session, call.formatted("by alice?"));
                HttpResponse<String> other = post(gateway, control, session, call.formatted("by alice!"));
                HttpResponse<String> borrowed = post(gateway, attacker, session, call.formatted("by alice-lone-surrogate"));

                assertThat(own.statusCode()).as("the owner's own call: %s", own.body()).isEqualTo(200);
                assertThat(other.statusCode()).as("another sub-user of the tenant's agent: %s", other.body()).isEqualTo(404);
                assertThat(borrowed.statusCode())
                        .as("sub-user \"alice\\ud800\" naming the session of sub-user \"alice?\": %s (server saw: %s)", borrowed.body(),
                                server.output().lines().filter(l -> l.startsWith("EXECUTED")).toList())
                        .isIn(401, 404);
                assertThat(server.output()).doesNotContain("alice-lone-surrogate");
            }
        }
    }

    @Test
    void aTreeSpelledWithALoneSurrogateSpendsTheRedisBudgetOfTheTreeSpelledWithAQuestionMark() throws Exception {
        try (RedisServer redis = RedisServer.start(); NodeServer server = NodeServer.start("ts-server.mjs", Map.of("PORT", "0", "ECHO_MESSAGE", "1"))) {
            Files.writeString(dir.resolve("p.yaml"), """
                    name: p
                    defaults: {action: allow}
                    rules:
                      - name: echo-budget
                        condition: {all: [{tool: echo}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                        action: deny
                        message: spawn tree budget exhausted
                    """);
            Files.writeString(Files.createDirectories(dir.resolve("prices")).resolve("pricing.yaml"), "routes:\n  metered:\n    default: 0\n    tools:\n      echo: 1.00\n");
            String yaml = """
                    listeners: [{name: public, host: 127.0.0.1, port: 0}]
                    policies: {directory: %s}
                    identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                    redis: {uri: "%s", timeout: 2s}
                    budgets: {ledger: redis, mode: strict, pricing: %s}
                    routes:
                      - {name: metered, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                    """.formatted(dir, dir.resolve("jwks.json"), ISSUER, AUDIENCE, redis.uri(), dir.resolve("prices/pricing.yaml"), server.url("/mcp"));
            try (RunningGateway gateway = RunningGateway.start(vertx, yaml)) {
                String attacker = token("\"tenant\":\"acme\",\"agent\":\"planner\",\"run\":\"r2\",\"tree\":\"run-\\ud800\"");
                String victim = token("\"tenant\":\"acme\",\"agent\":\"planner\",\"run\":\"r1\",\"tree\":\"run-?\"");
                String call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"%s\"}}}";

                HttpResponse<String> spent = post(gateway, attacker, null, call.formatted("tree run-lone-surrogate spends $1"));
                HttpResponse<String> own = post(gateway, victim, null, call.formatted("tree run-? spends its own first $1"));

                assertThat(spent.statusCode()).as(spent.body()).isIn(200, 401);
                assertThat(own.body()).as("the first $1 call of tree \"run-?\", after tree \"run-\\ud800\" spent $1 of its own")
                        .doesNotContain("budget exhausted").contains("echo: tree run-? spends its own first $1");
            }
        }
    }

    @Test
    void anA2aTaskOfTheLoneSurrogateSubUserIsTheQuestionMarkSubUsersOnTheOtherReplica() throws Exception {
        String task = "{\"id\":\"task-9\",\"contextId\":\"ctx-1\",\"status\":{\"state\":\"TASK_STATE_SUBMITTED\"}}";
        try (RedisServer redis = RedisServer.start()) {
            RecordingUpstream agent = new RecordingUpstream(vertx);
            agent.answer(request -> {
                String body = agent.received().get(agent.received().size() - 1).body().toString();
                request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
                        + (body.contains("SendMessage") ? "{\"task\":" + task + "}" : task) + "}");
            });
            Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
            String yaml = """
                    listeners: [{name: public, host: 127.0.0.1, port: 0}]
                    policies: {directory: %s}
                    identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                    redis: {uri: "%s", timeout: 2s}
                    tasks: {store: redis}
                    routes:
                      - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                    """.formatted(dir, dir.resolve("jwks.json"), ISSUER, AUDIENCE, redis.uri(), agent.url(""));
            TestHttp http = new TestHttp(vertx);
            try (RunningGateway replica1 = RunningGateway.start(vertx, yaml); RunningGateway replica2 = RunningGateway.start(vertx, yaml)) {
                String creator = token("\"tenant\":\"acme\",\"agent\":\"a\",\"sub\":\"alice\\ud800\"");
                String other = token("\"tenant\":\"acme\",\"agent\":\"a\",\"sub\":\"alice?\"");
                TestHttp.Reply sent = a2a(http, replica1, creator, "SendMessage",
                        "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}");
                if (sent.status() == 401) {
                    return; // a token naming an unpaired surrogate refused (axid_malformed): nobody's task is anybody else's
                }
                assertThat(sent.json().at("/result/task/id").asText()).as(sent.body().toString()).isEqualTo("task-9");
                awaitBindings(redis, 2);
                int before = agent.received().size();

                TestHttp.Reply borrowed = a2a(http, replica2, other, "GetTask", "{\"id\":\"task-9\"}");
                TestHttp.Reply own = a2a(http, replica2, creator, "GetTask", "{\"id\":\"task-9\"}");

                assertThat(borrowed.status()).as("sub-user \"alice?\" reading the task of sub-user \"alice\\ud800\": %s", borrowed.body())
                        .isEqualTo(404);
                assertThat(own.status()).as("the creator reading its own task on the other replica: %s", own.body()).isEqualTo(200);
                assertThat(agent.received()).as("only the creator's GetTask reached the agent").hasSize(before + 1);
            } finally {
                http.close();
                agent.close();
            }
        }
    }

    private TestHttp.Reply a2a(TestHttp http, RunningGateway replica, String axid, String method, String params) throws Exception {
        return http.send(TestHttp.mcpPost(replica.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", axid),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"));
    }

    /** Bounded wait until the creating answer's task and context bindings are in Redis. */
    private void awaitBindings(RedisServer redis, int count) throws Exception {
        Redis client = Redis.createClient(vertx, redis.uri());
        try {
            RedisAPI api = RedisAPI.api(client);
            for (int i = 0; i < 250; i++) {
                if (api.keys("tollgate:task:*").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).size() >= count) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("Redis did not receive " + count + " task bindings");
        } finally {
            client.close();
        }
    }
}
