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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CB: README ("Conditions" of result rules): "Only result rules decide results (a request rule never turns into
 * 'deny every result of echo'), a result no result rule matches passes". The live gateway does so
 * ({@code CompiledPolicy.evaluateResultAll} over the rules holding {@code direction: result}, else a pass). The policy test
 * runner (and {@code explain}) decide a {@code direction: result} case with {@code CompiledPolicy.evaluate}, the request
 * path: every rule in priority order, first match, else the document's default. So a request rule holding a detector
 * (README: detectors are "usable on request rules too"), {@code {check: {name: secrets}}} with no direction, decides the
 * result case: "an AWS key in a fetch result is withheld" passes {@code tollgate verify}, and the live gateway relays the
 * key to the agent. (Likewise a default-deny document makes every result case no rule matches pass as "deny (default)",
 * where the live gateway passes the result; and of two matching result rules the runner keeps the first, where the live
 * gateway lets a deny anywhere win.)
 */
class PolicyTestResultCaseReviewCBTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "AKIAZ7QW3RTY5UIO2PLK";

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
                    condition: {check: {name: secrets}}
                    action: deny
                    message: secrets stay inside
                """);
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

    @Test
    void theResultTheTestCaseSaysIsWithheldIsWithheldLive() throws Exception {
        Cli.Result verify = Cli.run("verify", "--config", config.toString());
        assertThat(verify.exit()).as("the policy's result test case passes:\n" + verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("1 passed");

        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\",\"arguments\":{\"url\":\"https://example.com/config\"}}}");
        assertThat(live.body().toString()).as("the fetch result on the live gateway, whose test case says it is withheld")
                .doesNotContain(KEY);
    }
}
