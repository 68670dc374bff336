package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CB: policy/README.md says native documents and {@code gateway.yaml} "keep the YAML 1.2 reading" ({@code LocatedYaml}:
 * "in YAML 1.2's typing"), where {@code 0777} is the integer 777. The reader resolves plain scalars as YAML 1.1 does:
 * {@code 0777} is octal 511 ({@code 010} is 8, {@code 0x1F} 31, {@code off}/{@code yes} booleans). A rule freezing
 * file modes, {@code mode: {in: [0777, 0666]}}, holds 511 and 438; its test case, read by the same reader,
 * {@code arguments: {mode: 0777}}, is 511 too, so {@code tollgate verify} passes "world-writable chmod is denied". The
 * call an agent sends cannot spell 0777 as a JSON number: it sends {@code "0777"} (what chmod tools take, and read in
 * base 8) or {@code 777}; the gateway reads both as 777 (every integer reading of {@code "0777"} is 777) and forwards
 * them. The security team's test suite says the rule holds; the live gateway lets every world-writable chmod through.
 */
class PolicyTestOctalReadingReviewCBTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-world-writable
                condition: {all: [{tool: chmod}, {arg: {path: /mode, in: [0777, 0666]}}]}
                action: deny
                message: world-writable modes are not for agents
            """;

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
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY);
        Files.writeString(dir.resolve("policies/p.tests.yaml"), """
                tests:
                  - name: world-writable chmod is denied
                    policy: p
                    call: {tool: chmod, arguments: {path: /srv/app, mode: 0777}}
                    expect: {action: deny, rule: no-world-writable}
                """);
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

    @ParameterizedTest
    @ValueSource(strings = {"\"0777\"", "777"})
    void theCallTheTestCaseDescribesIsDeniedLive(String mode) throws Exception {
        Cli.Result verify = Cli.run("verify", "--config", config.toString());
        assertThat(verify.exit()).as("the policy's test case passes:\n" + verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("1 passed");

        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"chmod\",\"arguments\":{\"path\":\"/srv/app\",\"mode\":" + mode + "}}}");
        assertThat(live.body().toString()).as("chmod mode " + mode + " on the live gateway, whose test case says it is denied")
                .contains("-32010");
    }

    @Test
    void aPlainIntegerWithALeadingZeroIsReadAsDocumentedYaml12() throws Exception {
        // What LocatedYaml and policy/README.md promise: YAML 1.2's core schema reads 0777 as decimal 777.
        assertThat(dev.tollgate.policy.yaml.LocatedYaml.parse("mode: 0777").root().get("mode").asInt()).isEqualTo(777);
    }
}
