package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CB: {@code tollgate explain} and {@code POST /explain} (the admin page's "why?") decide with
 * {@code CallFacts.NONE}: a {@code rate_limit} (or {@code budget}) check they reach throws "cannot be evaluated", and the
 * rule holding it matches as a deny (fail closed). The live gateway reads the bucket (README: "Tokens are taken only after
 * the decision, so {@code explain} and dry runs never consume them", which promises an explain that decides the rate rule
 * without taking a token) and forwards the call while the bucket has tokens. So every call a rate-limited deny rule
 * covers is explained as denied by that rule, including the first one of the day, which the gateway forwarded: the
 * operator's "why was this blocked" is answered for a call that was never blocked, and explain exits 3. Policy test cases
 * can say {@code facts: {rate_limited: false}}; explain has no such input.
 */
class ExplainRateRuleFailsClosedReviewCBTest {

    private static final String TOKEN = "review-cb-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private Path config;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: export-rate
                    priority: 10
                    condition: {all: [{tool: "export*"}, {check: {name: rate_limit, args: {rate: 100, period: 1m, burst: 100}}}]}
                    action: deny
                    message: too many exports
                """);
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), upstream.url("/mcp"));
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml);
        gateway = RunningGateway.start(vertx, yaml);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void explainOfAForwardedCallUnderARateRuleSaysAllowed() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"export_table\",\"arguments\":{}}}");
        assertThat(live.json().has("result")).as("the live gateway forwards the first export: " + live.body()).isTrue();

        Cli.Result explain = Cli.run("explain", "--config", config.toString(), "--route", "tools",
                "--call", "{\"method\":\"tools/call\",\"tool\":\"export_table\",\"arguments\":{}}");
        assertThat(explain.exit()).as("explain of the export the gateway forwarded:\n" + explain.out() + explain.err()).isZero();
    }

    @Test
    void whyOfAnAllowedCallUnderARateRuleSaysAllowed() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"export_table\",\"arguments\":{}}}");
        assertThat(live.json().has("result")).as("the live gateway forwards the first export: " + live.body()).isTrue();

        int admin = gateway.gateway().adminPort();
        JsonNode recorded = null;
        for (int i = 0; i < 50 && recorded == null; i++) {
            JsonNode decisions = JSON.readTree(http.send(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/admin/decisions")
                    .addHeader("Authorization", "Bearer " + TOKEN), null).body().toString());
            for (JsonNode d : decisions.path("decisions")) {
                if ("tools/call".equals(d.path("method").asText())) {
                    recorded = d;
                }
            }
            if (recorded == null) {
                Thread.sleep(100);
            }
        }
        assertThat(recorded).as("the call is among the recent decisions").isNotNull();
        assertThat(recorded.path("decision").asText()).isEqualTo("allowed");

        TestHttp.Reply explained = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(admin).setURI("/explain")
                        .addHeader("Authorization", "Bearer " + TOKEN).addHeader("Content-Type", "application/json"),
                Buffer.buffer(recorded.path("explain").toString()));
        JsonNode why = JSON.readTree(explained.body().toString());
        assertThat(why.path("action").asText()).as("\"why?\" of the recorded allow: " + why).isEqualTo("allow");
    }
}
