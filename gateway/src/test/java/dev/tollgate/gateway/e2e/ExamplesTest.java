package dev.tollgate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.identity.DevPki;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every configuration under {@code examples/} is loaded as {@code tollgate run} loads it (the file, its policies and
 * pricing, with the environment values a user would export), started, and called the way its README says: at least
 * one call it allows and one it refuses, against a real upstream on loopback (the MCP Java SDK server, a scripted A2A
 * agent), a real redis-server, and certificates and keys made by {@code tollgate dev-certs} / {@code dev-keys}.
 */
class ExamplesTest {

    private static final List<String> EXAMPLES = List.of("mtls-axid", "a2a", "budgets-redis", "agt-policy", "two-replicas");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    @TempDir
    static Path tmp;
    static Path examples;
    static Vertx vertx;
    static McpFixtureServer mcp;
    static RedisServer redis;
    static Path certs;
    static Path keys;
    static final List<AutoCloseable> opened = new ArrayList<>();
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        examples = Stream.of(Path.of("examples"), Path.of("../examples")).filter(Files::isDirectory).findFirst()
                .orElseThrow(() -> new AssertionError("examples/ not found from " + Path.of("").toAbsolutePath()))
                .toAbsolutePath().normalize();
        vertx = Vertx.vertx();
        mcp = McpFixtureServer.start(0);
        redis = RedisServer.start();
        certs = tmp.resolve("certs");
        keys = tmp.resolve("keys");
        // What each README tells the user to run first.
        assertThat(Cli.run("dev-certs", "--out", certs.toString()).exit()).isZero();
        assertThat(Cli.run("dev-keys", "--out", keys.toString()).exit()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        mcp.close();
        redis.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The examples themselves: a README each, naming files that exist; their policy test cases pass.

    @Test
    void everyExampleHasAReadmeWhoseRunCommandNamesAnExistingConfig() throws Exception {
        List<String> dirs;
        try (Stream<Path> list = Files.list(examples)) {
            dirs = list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(dirs).as("every example is started by this test").containsExactlyInAnyOrderElementsOf(EXAMPLES);
        Path repo = examples.getParent();
        for (String name : dirs) {
            Path readme = examples.resolve(name).resolve("README.md");
            assertThat(readme).as(name + " has a README.md").isRegularFile();
            String text = Files.readString(readme);
            assertThat(text).as(name + "'s README runs its own config")
                    .contains("java -jar gateway/target/tollgate.jar run --config examples/" + name + "/gateway.yaml");
            Matcher configs = Pattern.compile("--config\\s+(\\S+)").matcher(text);
            int found = 0;
            while (configs.find()) {
                found++;
                assertThat(repo.resolve(configs.group(1))).as(name + "/README.md names " + configs.group(1)).isRegularFile();
            }
            assertThat(found).isPositive();
        }
    }

    @Test
    void theExamplesPolicyTestCasesPassUnderTollgateVerify() throws Exception {
        int examplesWithTests = 0;
        for (String name : EXAMPLES) {
            Path policies = examples.resolve(name).resolve("policies");
            List<Path> testFiles;
            try (Stream<Path> list = Files.list(policies)) {
                testFiles = list.filter(p -> p.getFileName().toString().endsWith(".tests.yaml")).toList();
            }
            if (testFiles.isEmpty()) {
                continue;
            }
            examplesWithTests++;
            int cases = 0;
            for (Path f : testFiles) {
                cases += (int) Files.readAllLines(f).stream().filter(l -> l.trim().startsWith("- name:")).count();
            }
            // verify reads the process environment, which a test cannot set: give it the file as a user's shell
            // would have it (placeholders replaced), beside the example's own policies and pricing.
            Path config = tmp.resolve("verify-" + name + ".yaml");
            String yaml = substitute(Files.readString(examples.resolve(name).resolve("gateway.yaml")), env(name, Map.of()))
                    .replace("directory: policies", "directory: " + policies)
                    .replace("pricing: pricing.yaml", "pricing: " + examples.resolve(name).resolve("pricing.yaml"));
            Files.writeString(config, yaml);

            Cli.Result result = Cli.run("verify", "--config", config.toString());

            assertThat(result.exit()).as(name + ": " + result.out() + result.err()).isZero();
            assertThat(result.out()).contains("policy tests: " + cases + " passed, 0 failed");
        }
        assertThat(examplesWithTests).isGreaterThanOrEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------------------
    // a. SPIFFE mTLS + required AXID

    @Test
    void mtlsAxidAdmitsTheDevClientSvidWithAnAxidAndRefusesTheRest() throws Exception {
        Gateway gateway = start("mtls-axid", Map.of());
        String url = "https://localhost:" + gateway.port() + "/mcp";
        X509Certificate ca = certificate(certs.resolve("bundle.pem"));
        HttpClient client = mtlsClient(DevPki.clientContext(new DevPki.Issued(certificate(certs.resolve("client.pem")),
                new KeyPair(certificate(certs.resolve("client.pem")).getPublicKey(), privateKey(certs.resolve("client-key.pem")))), ca));

        // Allowed: the dev client SVID (spiffe://dev.tollgate.local/agents/dev) with an acme AXID.
        Map<String, String> acme = Map.of("X-Waxell-AXID", token("--tenant", "acme"));
        String session = initialize(client, url, acme);
        Reply added = call(client, url, session, acme, "add", "{\"a\":2,\"b\":3}");
        assertThat(added.status()).isEqualTo(200);
        assertThat(added.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("5.0");

        // Refused by policy: another tenant may not add (never reaches the server).
        Map<String, String> globex = Map.of("X-Waxell-AXID", token("--tenant", "globex"));
        String globexSession = initialize(client, url, globex);
        int addsBefore = count(mcp.toolCalls(), "add");
        Reply denied = call(client, url, globexSession, globex, "add", "{\"a\":2,\"b\":3}");
        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.json().path("error").path("code").asInt()).isEqualTo(-32010);
        assertThat(denied.json().path("error").path("data").path("rule").asText()).isEqualTo("add-only-for-acme");
        assertThat(count(mcp.toolCalls(), "add")).isEqualTo(addsBefore);
        assertThat(call(client, url, globexSession, globex, "echo", "{\"text\":\"hi\"}").json()
                .path("result").path("content").get(0).path("text").asText()).isEqualTo("hi");

        // Refused: the right certificate without an AXID.
        Reply noAxid = post(client, url, Map.of(), initializeBody());
        assertThat(noAxid.status()).isEqualTo(401);
        assertThat(noAxid.json().path("error").path("data").path("reason").asText()).isEqualTo("axid_missing");

        // Refused at the handshake: no client certificate at all.
        HttpClient anonymous = mtlsClient(DevPki.clientContext(null, ca));
        assertThatThrownBy(() -> post(anonymous, url, acme, initializeBody())).isInstanceOf(IOException.class);
    }

    // ---------------------------------------------------------------------------------------------------------
    // b. A2A route

    @Test
    void a2aRouteRewritesTheCardAndRefusesAdminSkills() throws Exception {
        RecordingUpstream agent = new RecordingUpstream(vertx);
        opened.add(agent);
        String base = agent.url("");
        agent.answer(r -> {
            if (r.method() == HttpMethod.GET && r.path().equals("/.well-known/agent-card.json")) {
                r.response().putHeader("Content-Type", "application/json").end("""
                        {"name":"Echo agent","description":"Echoes","version":"1.0.0",
                         "supportedInterfaces":[{"url":"%s/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],
                         "capabilities":{},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],
                         "skills":[{"id":"echo","name":"Echo","description":"Echoes","tags":[]},
                                   {"id":"admin-reset","name":"Reset","description":"Resets the agent","tags":[]}]}""".formatted(base));
                return;
            }
            String id;
            try {
                id = JSON.readTree(agent.received().get(agent.received().size() - 1).body().getBytes()).path("id").toString();
            } catch (IOException e) {
                id = "null";
            }
            r.response().putHeader("Content-Type", "application/json").end("""
                    {"jsonrpc":"2.0","id":%s,"result":{"message":{"messageId":"r1","role":"ROLE_AGENT","parts":[{"text":"echo: hi"}]}}}"""
                    .formatted(id));
        });
        Gateway gateway = start("a2a", Map.of("A2A_UPSTREAM", base, "A2A_PUBLIC_URL", "http://127.0.0.1:18080/agents/echo"));
        String prefix = "http://127.0.0.1:" + gateway.port() + "/agents/echo";

        // The card: interfaces moved under the public URL, the admin skill gone.
        HttpResponse<String> card = http.send(HttpRequest.newBuilder(URI.create(prefix + "/.well-known/agent-card.json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(card.statusCode()).isEqualTo(200);
        JsonNode cardJson = JSON.readTree(card.body());
        assertThat(cardJson.path("supportedInterfaces").get(0).path("url").asText()).isEqualTo("http://127.0.0.1:18080/agents/echo/rpc");
        assertThat(cardJson.path("skills")).extracting(s -> s.path("id").asText()).containsExactly("echo");

        // Allowed: a message for the echo skill reaches the agent and its answer comes back.
        Reply allowed = post(http, prefix + "/rpc", Map.of(), send(1, "echo"));
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.json().path("result").path("message").path("parts").get(0).path("text").asText()).isEqualTo("echo: hi");
        assertThat(agent.received()).filteredOn(r -> r.method() == HttpMethod.POST).extracting(RecordingUpstream.Received::uri)
                .containsExactly("/rpc");

        // Refused: a message declaring an admin skill is answered by the gateway, never forwarded.
        Reply denied = post(http, prefix + "/rpc", Map.of(), send(2, "admin-reset"));
        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.json().path("id").asInt()).isEqualTo(2);
        assertThat(denied.json().path("error").path("code").asInt()).isEqualTo(-32010);
        assertThat(denied.json().path("error").path("data").path("reason").asText()).isEqualTo("policy_denied");
        assertThat(denied.json().path("error").path("data").path("rule").asText()).isEqualTo("no-admin-skills");
        assertThat(agent.received()).filteredOn(r -> r.method() == HttpMethod.POST).hasSize(1);
    }

    private static String send(int id, String skill) {
        return """
                {"jsonrpc":"2.0","id":%d,"method":"SendMessage","params":{"message":{"messageId":"m%d","role":"ROLE_USER",
                 "parts":[{"text":"hi"}],"metadata":{"skillId":"%s"}}}}""".formatted(id, id, skill);
    }

    // ---------------------------------------------------------------------------------------------------------
    // c. Budgets and rate limits on Redis

    @Test
    void budgetsAndRateLimitsOnRedisDenyOnceSpentAndRecordInRedis() throws Exception {
        Gateway gateway = start("budgets-redis", Map.of());
        String url = "http://127.0.0.1:" + gateway.port() + "/mcp";
        Map<String, String> axid = Map.of("X-Waxell-AXID", token("--tenant", "acme", "--tree", "tree-budget"));
        String session = initialize(http, url, axid);

        // add costs $0.40 against a $1.00 budget: two fit, the third does not.
        for (int i = 0; i < 2; i++) {
            Reply ok = call(http, url, session, axid, "add", "{\"a\":1,\"b\":1}");
            assertThat(ok.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("2.0");
        }
        Reply overBudget = call(http, url, session, axid, "add", "{\"a\":1,\"b\":1}");
        assertThat(overBudget.json().path("error").path("code").asInt()).isEqualTo(-32010);
        assertThat(overBudget.json().path("error").path("data").path("rule").asText()).isEqualTo("add-budget");
        // Refused by the policy's check on the cached spend (with the rule's message), or, when that read is a call
        // behind, by the strict hold in Redis (that message omits the rule's own text): the figures are the same.
        assertThat(overBudget.json().path("error").path("message").asText())
                .startsWith("Denied by policy 'budgets' (rule 'add-budget'): ")
                .endsWith("spawn tree spend $0.80 + this call $0.40 exceeds the budget of $1.00");
        assertThat(redisKeys("budgets-redis-test:*:spend")).as("the spend lives in Redis").hasSize(1);

        // echo: 3 a minute per tenant, then refused.
        for (int i = 0; i < 3; i++) {
            assertThat(call(http, url, session, axid, "echo", "{\"text\":\"e" + i + "\"}").json()
                    .path("result").path("content").get(0).path("text").asText()).isEqualTo("e" + i);
        }
        Reply limited = call(http, url, session, axid, "echo", "{\"text\":\"e3\"}");
        assertThat(limited.json().path("error").path("data").path("rule").asText()).isEqualTo("echo-rate");
        assertThat(redisKeys("budgets-redis-test:*:bucket")).as("the rate limit's bucket lives in Redis").isNotEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // d. A route decided by an AGT document

    @Test
    void agtPolicyDocumentDecidesTheRoute() throws Exception {
        Gateway gateway = start("agt-policy", Map.of());
        String url = "http://127.0.0.1:" + gateway.port() + "/mcp";
        String session = initialize(http, url, Map.of());

        Reply allowed = call(http, url, session, Map.of(), "echo", "{\"text\":\"hello\"}");
        assertThat(allowed.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("hello");
        assertThat(call(http, url, session, Map.of(), "add", "{\"a\":2,\"b\":3}").json()
                .path("result").path("content").get(0).path("text").asText()).isEqualTo("5.0");

        int echoes = count(mcp.toolCalls(), "echo");
        Reply ssn = call(http, url, session, Map.of(), "echo", "{\"text\":\"my ssn is 123-45-6789\"}");
        assertThat(ssn.json().path("error").path("code").asInt()).isEqualTo(-32010);
        assertThat(ssn.json().path("error").path("data").path("rule").asText()).isEqualTo("block-ssn-in-tool-input");
        assertThat(ssn.json().path("error").path("data").path("message").asText()).isEqualTo("SSN detected in tool input");
        assertThat(count(mcp.toolCalls(), "echo")).isEqualTo(echoes);

        Reply large = call(http, url, session, Map.of(), "add", "{\"a\":5000,\"b\":1}");
        assertThat(large.json().path("error").path("data").path("rule").asText()).isEqualTo("large-amounts-need-review");
        Reply unknown = call(http, url, session, Map.of(), "test_simple_text", "{}");
        assertThat(unknown.json().path("error").path("data").path("rule").asText()).isEqualTo("only-known-tools");
    }

    // ---------------------------------------------------------------------------------------------------------
    // e. Two replicas sharing session keys and Redis, two upstream instances

    @Test
    void twoReplicasServeEachOthersSessionsAndShareOneBudget() throws Exception {
        McpFixtureServer instance0 = McpFixtureServer.start(0);
        opened.add(instance0);
        McpFixtureServer instance1 = McpFixtureServer.start(0);
        opened.add(instance1);
        Map<String, String> shared = Map.of("MCP_UPSTREAM_0", instance0.url(), "MCP_UPSTREAM_1", instance1.url());
        Gateway a = start("two-replicas", shared);
        Gateway b = start("two-replicas", shared);
        String urlA = "http://127.0.0.1:" + a.port() + "/mcp";
        String urlB = "http://127.0.0.1:" + b.port() + "/mcp";
        Map<String, String> axid = Map.of("X-Waxell-AXID", token("--tenant", "acme", "--tree", "tree-replicas"));

        // Sessions opened on replica A (balanced over both instances) are served by replica B, each on its instance:
        // a session sent to the other instance would be unknown there.
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sessions.add(initialize(http, urlA, axid));
        }
        for (int i = 0; i < sessions.size(); i++) {
            Reply echoed = call(http, urlB, sessions.get(i), axid, "echo", "{\"text\":\"s" + i + "\"}");
            assertThat(echoed.status()).isEqualTo(200);
            assertThat(echoed.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("s" + i);
        }
        assertThat(instance0.toolCalls()).as("instance 0 served some sessions").contains("echo");
        assertThat(instance1.toolCalls()).as("instance 1 served some sessions").contains("echo");

        // A session id that was not sealed with the shared key is refused.
        Reply forged = call(http, urlB, sessions.get(0).substring(0, sessions.get(0).length() - 4) + "AAAA", axid, "echo", "{\"text\":\"x\"}");
        assertThat(forged.status()).isEqualTo(404);
        assertThat(forged.json().path("error").path("data").path("reason").asText()).isEqualTo("session_not_found");
        Reply madeUp = call(http, urlB, "forged", axid, "echo", "{\"text\":\"x\"}");
        assertThat(madeUp.status()).isEqualTo(404);
        assertThat(madeUp.json().path("error").path("data").path("reason").asText()).isEqualTo("session_not_found");

        // One $1.00 budget across both replicas: $0.40 on A, $0.40 on B, the third add (on A) is refused.
        assertThat(call(http, urlA, sessions.get(0), axid, "add", "{\"a\":1,\"b\":2}").json().path("result").isObject()).isTrue();
        assertThat(call(http, urlB, sessions.get(1), axid, "add", "{\"a\":1,\"b\":2}").json().path("result").isObject()).isTrue();
        Reply refused = call(http, urlA, sessions.get(2), axid, "add", "{\"a\":1,\"b\":2}");
        assertThat(refused.json().path("error").path("data").path("rule").asText()).isEqualTo("add-budget");
        assertThat(refused.json().path("error").path("message").asText()).endsWith("spawn tree spend $0.80 + this call $0.40 exceeds the budget of $1.00");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Starting an example as `tollgate run --config examples/X/gateway.yaml` does, with the test's environment.

    /** The environment a user of the example would export, pointed at this test's servers and files. */
    private static Map<String, String> env(String example, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("TOLLGATE_PORT", "0");
        env.put("TOLLGATE_ADMIN_PORT", "0");
        env.put("MCP_UPSTREAM", mcp.url());
        env.put("TOLLGATE_CERTS", certs.toString());
        env.put("TOLLGATE_KEYS", keys.toString());
        env.put("REDIS_URL", redis.uri());
        env.put("REDIS_KEY_PREFIX", example + "-test");
        env.put("TOLLGATE_SESSION_KEY", Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
        env.putAll(extra);
        return env;
    }

    private static Gateway start(String example, Map<String, String> extra) throws Exception {
        Path file = examples.resolve(example).resolve("gateway.yaml");
        SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
        opened.add(loader);
        var config = ConfigLoader.parse(Files.readString(file), file.toString(), env(example, extra), file.getParent());
        Gateway gateway = Gateway.start(vertx, loader.compile(config), 1).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        opened.add(() -> gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        return gateway;
    }

    /** {@code ${VAR}} and {@code ${VAR:-default}} as a shell with this environment would leave the file. */
    private static String substitute(String yaml, Map<String, String> env) {
        Matcher m = PLACEHOLDER.matcher(yaml);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || value.isEmpty()) {
                value = m.group(2) == null ? "" : m.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String token(String... claims) {
        List<String> args = new ArrayList<>(List.of("token", "--key", keys.resolve("axid-private.jwk.json").toString()));
        args.addAll(List.of(claims));
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        assertThat(result.exit()).as(result.err()).isZero();
        return result.out().trim();
    }

    // ---------------------------------------------------------------------------------------------------------
    // A small MCP client over the JDK's HTTP client (plain or mTLS).

    record Reply(int status, Map<String, List<String>> headers, String body) {

        /** The JSON-RPC message: the body, or the first message of an SSE answer. */
        JsonNode json() {
            try {
                String text = body;
                if (headers.getOrDefault("content-type", List.of("")).get(0).startsWith("text/event-stream")) {
                    text = body.lines().filter(l -> l.startsWith("data:") && l.length() > 6)
                            .map(l -> l.substring(5).trim()).findFirst().orElseThrow(() -> new AssertionError("no data in " + body));
                }
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private static HttpClient mtlsClient(SSLContext context) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static Reply post(HttpClient client, String url, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, List<String>> lower = new LinkedHashMap<>();
        response.headers().map().forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return new Reply(response.statusCode(), lower, response.body());
    }

    private static String initializeBody() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"examples-test\",\"version\":\"1\"}}}";
    }

    /** initialize + notifications/initialized; returns the (sealed) session id the gateway handed out. */
    private static String initialize(HttpClient client, String url, Map<String, String> headers) throws Exception {
        Reply init = post(client, url, headers, initializeBody());
        assertThat(init.status()).as(init.body()).isEqualTo(200);
        assertThat(init.json().path("result").path("serverInfo").path("name").asText()).isEqualTo("tollgate-fixture");
        String session = init.header("mcp-session-id");
        assertThat(session).isNotBlank();
        Map<String, String> withSession = new HashMap<>(headers);
        withSession.put("Mcp-Session-Id", session);
        withSession.put("MCP-Protocol-Version", "2025-11-25");
        Reply initialized = post(client, url, withSession, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertThat(initialized.status()).as(initialized.body()).isEqualTo(202);
        return session;
    }

    private static int nextId = 10;

    private static Reply call(HttpClient client, String url, String session, Map<String, String> headers, String tool, String arguments)
            throws Exception {
        Map<String, String> withSession = new HashMap<>(headers);
        withSession.put("Mcp-Session-Id", session);
        withSession.put("MCP-Protocol-Version", "2025-11-25");
        int id = nextId++;
        Reply reply = post(client, url, withSession, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\",\"arguments\":" + arguments + "}}");
        if (reply.status() == 200) {
            assertThat(reply.json().path("id").asInt()).isEqualTo(id);
        }
        return reply;
    }

    private static int count(List<String> calls, String tool) {
        return (int) calls.stream().filter(tool::equals).count();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Files from dev-certs, and a look into Redis.

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(pem))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static PrivateKey privateKey(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** {@code KEYS pattern} over RESP: the keys the gateway wrote. */
    private static List<String> redisKeys(String pattern) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("*2\r\n$4\r\nKEYS\r\n$" + pattern.length() + "\r\n" + pattern + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String header = readLine(in);
            assertThat(header).startsWith("*");
            int n = Integer.parseInt(header.substring(1));
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                readLine(in);
                keys.add(readLine(in));
            }
            return keys;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("redis closed the connection");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
