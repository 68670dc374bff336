package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.condition.LinearRegex;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The regex attack, end to end: a rule with nested quantifiers and arguments of thousands of digits. With
 * a backtracking engine each such call held an event loop for minutes and every other call timed out; with
 * RE2/J they are decided at once, and a value too long to scan is denied with its own reason.
 */
class RegexPolicyAttackTest {

    private static final String POLICY = """
            name: regex-attack
            defaults: {action: allow}
            rules:
              - name: no-x-numbers
                condition: {all: [{tool: calc}, {arg: {path: /x, matches: "(\\\\d+)*\\\\.?(\\\\d+)*x"}}]}
                action: deny
                message: numbers ending in x are refused
            """;
    private static final String DIGITS = "1".repeat(3_000);

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null, null);
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clearUpstream() {
        upstream.received().clear();
    }

    private static String call(int id, String x) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"calc\",\"arguments\":{\"x\":\"" + x + "\"}}}";
    }

    private static TestHttp.Reply post(String body) {
        try {
            return http.postMcp(gateway.port(), "/mcp", body);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eightCatastrophicCallsDoNotStallAnOrdinaryCallAndEachIsDecidedByPolicy() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(9);
        try {
            List<CompletableFuture<TestHttp.Reply>> attacks = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                // Odd ids end in x (the rule denies them), even ids are only digits (allowed, forwarded).
                String x = i % 2 == 1 ? DIGITS + "x" : DIGITS;
                String body = call(i, x);
                attacks.add(CompletableFuture.supplyAsync(() -> post(body), callers));
            }

            TestHttp.Reply ordinary = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> post(call(100, "42")),
                    "an ordinary call must not wait behind the attack");
            List<TestHttp.Reply> replies = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> attacks.stream().map(CompletableFuture::join).toList());

            assertThat(ordinary.status()).isEqualTo(200);
            assertThat(ordinary.json().has("result")).isTrue();
            for (int i = 1; i <= 8; i++) {
                TestHttp.Reply reply = replies.get(i - 1);
                if (i % 2 == 1) {
                    assertThat(reply.json().path("id").asInt()).isEqualTo(i);
                    assertThat(reply.reason()).as("call %d", i).isEqualTo("policy_denied");
                    assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("no-x-numbers");
                } else {
                    assertThat(reply.json().has("result")).as("call %d", i).isTrue();
                }
            }
            ObjectMapper json = new ObjectMapper();
            List<Integer> forwarded = new ArrayList<>();
            for (RecordingUpstream.Received r : upstream.received()) {
                forwarded.add(json.readTree(r.body().getBytes()).path("id").asInt());
            }
            assertThat(forwarded).as("the upstream saw exactly what policy allowed").containsExactlyInAnyOrder(2, 4, 6, 8, 100);
        } finally {
            callers.shutdownNow();
            callers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void argumentTooLongToScanIsDeniedWithItsOwnReasonAndCounter() throws Exception {
        double before = gateway.gateway().metrics().rejectCount(RejectReason.REGEX_LIMIT);
        double deniedBefore = gateway.gateway().metrics().rejectCount(RejectReason.POLICY_DENIED);

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", call(9, "1".repeat(LinearRegex.MAX_REGEX_INPUT_CHARS + 1)));

        assertThat(reply.status()).isEqualTo(RejectReason.REGEX_LIMIT.httpStatus());
        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.reason()).isEqualTo("regex_input_too_long");
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("no-x-numbers");
        assertThat(reply.json().path("error").path("data").path("message").asText()).contains("regular expression may scan");
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.REGEX_LIMIT)).as("counter").isEqualTo(before + 1);
        assertThat(gateway.gateway().metrics().rejectCount(RejectReason.POLICY_DENIED)).isEqualTo(deniedBefore);
        assertThat(upstream.received()).as("upstream saw nothing").isEmpty();
    }
}
