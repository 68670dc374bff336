package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AG (denial of service, fail closed for everyone): the local rate-limit table is bounded twice, per owner
 * ({@code max-buckets-per-owner}) and for all owners together ({@code max-local-buckets}); past the second bound EVERY
 * call that needs a new bucket is denied ("rate-limit table full"), whoever makes it. The README says the owner is "each
 * caller (its AXID tenant and agent ...)", but the owner is {@code CallerKey}, which holds the sub-user too, and a rule
 * keyed by identity values only (say {@code per: [tenant, run]}) has no owner share at all: each run is its own owner.
 * Sub-users and runs are what a tenant's own agents vary with every user and every run. So ONE tenant, with calls the
 * policy allows, fills the whole table, and every other tenant's first call is then refused until the buckets refill
 * (one call a day for AGT's {@code max_tool_calls}, which is such a run-keyed bucket: a day).
 *
 * <p>Small bounds keep the test short; the defaults (1,000 and 200,000) only change the count.
 */
class RateTableFilledByOneTenantReviewAGTest {

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

    /** per: [tenant, tool] with an owner share of 2 and a table of 6: evil's agent, as three of its users, takes all 6. */
    @Test
    void oneTenantsSubUsersEachTakeAnOwnersShareAndFillTheTableForEveryTenant() throws Exception {
        start("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: per-tenant-tool
                    condition: {check: {name: rate_limit, args: {rate: 10, period: 1h, burst: 10, per: [tenant, tool]}}}
                    action: deny
                    message: ten calls per tool per tenant per hour
                """, "rate-limits: {store: local, max-buckets-per-owner: 2, max-local-buckets: 6}");

        int allowed = 0;
        for (int user = 1; user <= 3; user++) {
            for (int tool = 1; tool <= 2; tool++) {
                TestHttp.Reply reply = call(token("evil", "planner", "run-1", "user-" + user), 10 * user + tool, "tool-" + tool + "-" + user);
                allowed += reply.json().has("result") ? 1 : 0;
            }
        }
        assertThat(allowed).as("evil's six calls, all within its rate").isEqualTo(6);

        TestHttp.Reply acme = call(token("acme", "planner", "run-1", "user-1"), 99, "search");

        assertThat(acme.json().has("result"))
                .as("acme's FIRST call, after one other tenant (one agent) made six allowed calls: %s", acme.body())
                .isTrue();
    }

    /** per: [tenant, run] (one call a day per run, as AGT's max_tool_calls): no owner share at all; evil's runs fill the table. */
    @Test
    void oneTenantsRunsFillTheTableOfARunKeyedRuleForEveryTenant() throws Exception {
        start("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: calls-per-run
                    condition: {check: {name: rate_limit, args: {rate: 1, period: 24h, burst: 50, per: [tenant, run]}}}
                    action: deny
                    message: fifty calls per run
                """, "rate-limits: {store: local, max-buckets-per-owner: 2, max-local-buckets: 6}");

        int allowed = 0;
        for (int run = 1; run <= 6; run++) {
            allowed += call(token("evil", "planner", "run-" + run, "user-1"), run, "echo").json().has("result") ? 1 : 0;
        }
        assertThat(allowed).as("evil's six runs, one call each").isEqualTo(6);

        TestHttp.Reply acme = call(token("acme", "planner", "run-1", "user-1"), 99, "echo");

        assertThat(acme.json().has("result"))
                .as("acme's FIRST call, after one other tenant started six runs of one call each: %s", acme.body())
                .isTrue();
    }

    private void start(String policy, String rateLimits) throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), policy);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p",
                "identity: {axid: {jwks-file: " + dir.resolve("jwks.json") + ", issuer: \"" + ISSUER + "\", audience: " + AUDIENCE
                        + ", required-claims: [tenant]}}\n" + rateLimits));
    }

    private String token(String tenant, String agent, String run, String sub) throws Exception {
        Map<String, Object> claims = new HashMap<>();
        claims.put("tenant", tenant);
        claims.put("agent", agent);
        claims.put("run", run);
        claims.put("sub", sub);
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }

    private TestHttp.Reply call(String token, int id, String tool) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token);
        return http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}"));
    }

    /**
     * The same owner for concurrency: {@code max-concurrent-calls-per-caller} is documented per "AXID tenant and agent", so
     * "one caller holding streams open cannot starve the others", but it is counted per CallerKey (sub-user included). One
     * tenant's agent, as four of its users, holds all four slots of the route (per caller: 1) with calls its slow tool never
     * answers; acme's first call is refused 429 {@code route_concurrency_limit}.
     */
    @Test
    void oneTenantsSubUsersHoldEveryRouteSlotPastThePerCallerLimit() throws Exception {
        upstream.answer(request -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (body.contains("\"hang\"")) {
                return; // a slow tool: never answered while the test runs
            }
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            request.response().putHeader("content-type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
        });
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p, max-concurrent-calls: 4, max-concurrent-calls-per-caller: 1, response-timeout: 60s}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ISSUER, AUDIENCE, upstream.url("/mcp")));
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> held = new java.util.ArrayList<>();
        TestHttp.Reply secondOfOneUser;
        try {
            held.add(hang(client, 1));
            awaitReceived(1);
            secondOfOneUser = call(token("evil", "planner", "run-1", "user-1"), 50, "echo");
            assertThat(secondOfOneUser.reason()).as("control: one evil user is held to one call").isEqualTo("caller_concurrency_limit");
            for (int user = 2; user <= 4; user++) {
                held.add(hang(client, user));
            }
            awaitReceived(4);
            assertThat(upstream.received()).as("evil's four calls are in flight upstream").hasSize(4);

            TestHttp.Reply acme = call(token("acme", "planner", "run-1", "user-1"), 99, "echo");

            assertThat(acme.json().has("result"))
                    .as("acme's first call while ONE tenant's agent holds the route's slots as four sub-users: %s", acme.body())
                    .isTrue();
        } finally {
            held.forEach(f -> f.cancel(true));
        }
    }

    private java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> hang(java.net.http.HttpClient client, int user)
            throws Exception {
        return client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url("/mcp")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("X-Waxell-AXID", token("evil", "planner", "run-1", "user-" + user))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":" + user + ",\"method\":\"tools/call\",\"params\":{\"name\":\"hang\",\"arguments\":{}}}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReceived(int count) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (upstream.received().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
