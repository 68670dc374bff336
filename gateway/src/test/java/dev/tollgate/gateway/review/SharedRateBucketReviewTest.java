package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TempDirs;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review (revJ): a rate-limit bucket is keyed by the rule's name and the {@code per} values only
 * (RateLimitCheck.key: {@code rule|value...}), never by the policy it belongs to nor by the check's own rate, period
 * and burst; LocalTokenBuckets (and the Redis script) then refill and clamp the one shared bucket with whatever rate and
 * burst the call taking from it names. So:
 * <ul>
 * <li>two {@code rate_limit} checks in one rule (the usual "5 a second and 3 an hour": {@code any: [short, long]})
 * share one bucket, and the short window's refill hands the long window its tokens back: the hourly cap never holds;
 * <li>two policies (two routes) that each have a rule of the same name share a bucket: a caller that has used up the
 * strict route's limit calls the lenient route once, whose refill rate fills the shared bucket, and the strict route
 * allows it again at once.
 * </ul>
 * Consequence: a configured rate limit (per hour, per day: the kind that caps cost or abuse) is exceeded without bound.
 * Should be: each check of each policy has a bucket of its own (the key names the policy and the check, or its rate,
 * period and burst).
 *
 * <p>Fixed: a bucket is keyed by its check's policy, rule and place in the rule (RateLimitCheck, ConditionCompiler).
 */
class SharedRateBucketReviewTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private Path policies;
    private dev.tollgate.gateway.Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        policies = Files.createTempDirectory("revj-rate");
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        TempDirs.delete(policies);
    }

    private void startGateway(Map<String, String> policyFiles, String routes) throws Exception {
        for (var file : policyFiles.entrySet()) {
            Files.writeString(policies.resolve(file.getKey() + ".yaml"), file.getValue());
        }
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                %s
                """.formatted(policies, routes.indent(2));
        var snapshot = new dev.tollgate.gateway.reload.SnapshotLoader(dev.tollgate.policy.check.CheckRegistry.withDefaults())
                .compile(dev.tollgate.gateway.config.ConfigLoader.parse(yaml, "test.yaml", Map.of()));
        gateway = dev.tollgate.gateway.Gateway.start(vertx, snapshot, 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private boolean allowed(String path) throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), path, CALL);
        assertThat(reply.status()).isEqualTo(200);
        if (reply.json().has("result")) {
            return true;
        }
        assertThat(reply.reason()).as("denied by the rate rule, nothing else: %s", reply.body()).isEqualTo("policy_denied");
        return false;
    }

    /** Calls spaced 250 ms apart (the short window gives 2.5 tokens back in that time); which were allowed. */
    private List<Boolean> spacedCalls(String path, int n) throws Exception {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(allowed(path));
            Thread.sleep(250);
        }
        return out;
    }

    private static final String HOURLY_ONLY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: search-limits
                condition: {all: [{tool: search}, {check: {name: rate_limit, args: {rate: 3, period: 1h, burst: 3}}}]}
                action: deny
                message: search is limited
            """;

    private static final String SHORT_AND_HOURLY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: search-limits
                condition:
                  all:
                    - {tool: search}
                    - any:
                        - {check: {name: rate_limit, args: {rate: 10, period: 1s, burst: 10}}}
                        - {check: {name: rate_limit, args: {rate: 3, period: 1h, burst: 3}}}
                action: deny
                message: search is limited to 10 a second and 3 an hour
            """;

    @Test
    void control_anHourlyCapAloneHolds() throws Exception {
        startGateway(Map.of("p", HOURLY_ONLY), "- {name: r, path: /mcp, protocol: mcp, upstream: \"" + upstream.url("/mcp") + "\", policy: p}");

        assertThat(spacedCalls("/mcp", 5)).containsExactly(true, true, true, false, false);
    }

    @Test
    void anHourlyCapBesideAPerSecondLimitInTheSameRuleHolds() throws Exception {
        startGateway(Map.of("p", SHORT_AND_HOURLY), "- {name: r, path: /mcp, protocol: mcp, upstream: \"" + upstream.url("/mcp") + "\", policy: p}");

        // 3 an hour: the 4th and later calls within the hour must be denied, whatever the per-second limit allows.
        assertThat(spacedCalls("/mcp", 6)).as("3 calls an hour").containsExactly(true, true, true, false, false, false);
    }

    private static String named(String policy, String rate) {
        return """
                name: %s
                defaults: {action: allow}
                rules:
                  - name: search-rate
                    condition: {all: [{tool: search}, {check: {name: rate_limit, args: {%s}}}]}
                    action: deny
                """.formatted(policy, rate);
    }

    @Test
    void aStrictRoutesLimitIsNotRefilledByAnotherRoutesRuleOfTheSameName() throws Exception {
        startGateway(Map.of("prod", named("prod", "rate: 2, period: 1h, burst: 2"), "sandbox", named("sandbox", "rate: 100, period: 1s, burst: 100")), """
                - {name: prod, path: /prod, protocol: mcp, upstream: "%s", policy: prod}
                - {name: sandbox, path: /sandbox, protocol: mcp, upstream: "%s", policy: sandbox}
                """.formatted(upstream.url("/mcp"), upstream.url("/mcp")));

        assertThat(allowed("/prod")).isTrue();
        assertThat(allowed("/prod")).isTrue();
        assertThat(allowed("/prod")).as("control: prod's 2 an hour are used up").isFalse();

        Thread.sleep(100);
        assertThat(allowed("/sandbox")).as("the sandbox route, its own 100 a second").isTrue();
        Thread.sleep(100);
        assertThat(allowed("/prod")).as("prod allows 2 calls an hour: a call on another route must not give one back").isFalse();
    }
}
