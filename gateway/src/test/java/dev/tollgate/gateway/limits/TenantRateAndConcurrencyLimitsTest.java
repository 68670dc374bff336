package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-tenant limits of review AG, through the gateway: {@code rate-limits.max-buckets-per-tenant} (every rule's
 * buckets of one tenant, its sub-users and runs together) and a route's {@code max-concurrent-calls-per-tenant}. The tenant
 * at its limit is refused, the upstream sees nothing of the refused call, and another tenant is not held up.
 */
class TenantRateAndConcurrencyLimitsTest {

    private static final String ISSUER = "https://auth.test";
    private static final String AUDIENCE = "tollgate";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private OctetKeyPair key;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("\"hang\"")) {
                return; // a slow tool: never answered while the test runs
            }
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
        });
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aTenantPastItsBucketShareIsDeniedEveryRuleAndSubUserTogetherAndAnotherTenantIsNot() throws Exception {
        // Two rules: one keyed by tool (per-owner share), one by run only (no owner share): both count for the tenant.
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: per-tool
                    condition: {check: {name: rate_limit, args: {rate: 10, period: 1h, burst: 10, per: [tenant, tool]}}}
                    action: deny
                    message: ten calls per tool per hour
                  - name: per-run
                    condition: {check: {name: rate_limit, args: {rate: 1, period: 24h, burst: 50, per: [run]}}}
                    action: deny
                    message: fifty calls per run
                """);
        startGateway("rate-limits: {store: local, max-buckets-per-owner: 100, max-local-buckets: 1000, max-buckets-per-tenant: 4}",
                "max-concurrent-calls: 8");

        // evil, user-1, run-1: two buckets (tool-1, run-1); user-2, run-2: two more (tool-2, run-2). Four: its share.
        assertThat(call(token("evil", "run-1", "user-1"), 1, "tool-1").json().has("result")).isTrue();
        assertThat(call(token("evil", "run-2", "user-2"), 2, "tool-2").json().has("result")).isTrue();
        int forwarded = upstream.received().size();

        TestHttp.Reply refused = call(token("evil", "run-3", "user-3"), 3, "tool-3");

        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.errorCode()).isEqualTo(-32010);
        assertThat(refused.json().at("/error/data/rule").asText()).isEqualTo("per-tool");
        assertThat(refused.json().toString()).contains("rate-limit buckets of tenant:evil full: 4 are still refilling")
                .contains("rate-limits.max-buckets-per-tenant").contains("denied (fail closed)");
        assertThat(upstream.received()).as("the refused call never reaches the upstream").hasSize(forwarded);
        assertThat(call(token("evil", "run-1", "user-1"), 4, "tool-1").json().has("result"))
                .as("evil's own buckets keep working").isTrue();

        TestHttp.Reply acme = call(token("acme", "run-1", "user-1"), 5, "tool-3");
        assertThat(acme.json().has("result")).as("another tenant is not held up: %s", acme.body()).isTrue();
        assertThat(gateway.gateway().services().budgets().rateTableFull()).isEqualTo(1);
    }

    @Test
    void aTenantPastItsConcurrencyShareGets429AndAnotherTenantIsAdmitted() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        startGateway("", "max-concurrent-calls: 8, max-concurrent-calls-per-caller: 1, max-concurrent-calls-per-tenant: 2");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            held.add(hang(client, token("evil", "run-1", "user-1"), 1));
            held.add(hang(client, token("evil", "run-2", "user-2"), 2));
            awaitReceived(2);

            TestHttp.Reply third = call(token("evil", "run-3", "user-3"), 3, "echo");

            assertThat(third.status()).isEqualTo(429);
            assertThat(third.reason()).isEqualTo("tenant_concurrency_limit");
            assertThat(third.errorCode()).isEqualTo(-32000);
            assertThat(third.headers().get("Retry-After")).isEqualTo("1");
            assertThat(third.json().toString()).contains("max-concurrent-calls-per-tenant");
            assertThat(upstream.received()).as("the refused call never reaches the upstream").hasSize(2);

            TestHttp.Reply acme = call(token("acme", "run-1", "user-1"), 4, "echo");
            assertThat(acme.json().has("result")).as("another tenant is admitted: %s", acme.body()).isTrue();
        } finally {
            held.forEach(f -> f.cancel(true));
        }
    }

    private void startGateway(String rateLimits, String routeLimits) throws Exception {
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                %s
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p, %s, response-timeout: 60s}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ISSUER, AUDIENCE, rateLimits, upstream.url("/mcp"),
                routeLimits));
    }

    private String token(String tenant, String run, String sub) throws Exception {
        Map<String, Object> claims = new HashMap<>();
        claims.put("tenant", tenant);
        claims.put("agent", "planner");
        claims.put("run", run);
        claims.put("sub", sub);
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }

    private TestHttp.Reply call(String token, int id, String tool) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token);
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}"));
    }

    private CompletableFuture<HttpResponse<String>> hang(HttpClient client, String token, int id) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url("/mcp")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("X-Waxell-AXID", token)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"hang\",\"arguments\":{}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReceived(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (upstream.received().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
