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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CB finding 1, fixed: {@code tollgate verify} and {@code tollgate explain} decide a {@code direction: result} case
 * as the live gateway's result stage does. A request rule holding a detector does not withhold results live, so its
 * result case now fails verify (the suite no longer says the key is withheld while the gateway relays it); written as a
 * result rule, the case passes and the live gateway withholds the key.
 */
class ResultCaseVerifyFixASTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "AKIAZ7QW3RTY5UIO2PLK";
    private static final String RESULT_CALL = "{\"tool\":\"fetch\",\"direction\":\"result\",\"arguments\":{\"content\":[{\"type\":\"text\","
            + "\"text\":\"config: aws_access_key_id = " + KEY + "\"}]}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private Path config;

    private void start(String condition) throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            Buffer body = upstream.received().get(upstream.received().size() - 1).body();
            JsonNode id;
            try {
                id = JSON.readTree(body.getBytes()).path("id");
            } catch (Exception e) {
                r.response().setStatusCode(400).end();
                return;
            }
            r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"config: aws_access_key_id = " + KEY + "\"}]}}");
        });
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-secrets
                    condition: %s
                    action: deny
                """.formatted(condition));
        Files.writeString(dir.resolve("policies/p.tests.yaml"), """
                tests:
                  - name: an AWS key in a fetch result is withheld
                    policy: p
                    call:
                      tool: fetch
                      direction: result
                      arguments: {content: [{type: text, text: "config: aws_access_key_id = %s"}]}
                    expect: {action: deny, rule: no-secrets}
                """.formatted(KEY));
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(dir.resolve("policies"), upstream.url("/mcp"));
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

    private String liveFetch() throws Exception {
        return http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\","
                + "\"arguments\":{\"url\":\"https://example.com/config\"}}}").body().toString();
    }

    @Test
    void aRequestRulesResultCaseFailsVerifyAsTheGatewayRelaysTheResult() throws Exception {
        start("{check: {name: secrets}}");

        Cli.Result verify = Cli.run("verify", "--config", config.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isNotZero();
        assertThat(verify.out() + verify.err()).contains("expected DENY (no-secrets), got ALLOW (default)");
        Cli.Result explain = Cli.run("explain", "--config", config.toString(), "--route", "tools", "--call", RESULT_CALL);
        assertThat(explain.exit()).as(explain.out() + explain.err()).isZero();
        assertThat(explain.out()).contains("not a result rule");

        assertThat(liveFetch()).as("the live gateway relays the result, as verify and explain now say").contains(KEY);
    }

    @Test
    void aResultRulesCasePassesVerifyAndTheGatewayWithholdsTheResult() throws Exception {
        start("{all: [{direction: result}, {check: {name: secrets}}]}");

        Cli.Result verify = Cli.run("verify", "--config", config.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("1 passed");
        Cli.Result explain = Cli.run("explain", "--config", config.toString(), "--route", "tools", "--call", RESULT_CALL);
        assertThat(explain.exit()).as(explain.out() + explain.err()).isEqualTo(3);

        assertThat(liveFetch()).doesNotContain(KEY);
    }
}
