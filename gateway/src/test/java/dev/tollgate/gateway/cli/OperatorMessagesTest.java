package dev.tollgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message an operator meets first, each saying what is wrong and how to fix it, never a stack trace: a taken
 * port, an audit directory not written yet, JSON that does not parse, an unused policy, a Host or a path the gateway
 * does not serve, a missing AXID, and the token command's help.
 */
class OperatorMessagesTest {

    @TempDir
    Path dir;

    @Test
    void aTakenPortNamesTheListenerTheSettingAndHowToFindTheProcess() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            Files.writeString(dir.resolve("gateway.yaml"), """
                    listeners: [{name: public, host: 127.0.0.1, port: %d}]
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: policies}
                    routes:
                      - {name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp", policy: allow-all}
                    """.formatted(port));

            Cli.Result run = Cli.run("run", "--config", dir.resolve("gateway.yaml").toString(), "--reload-interval", "0");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("cannot listen: listener public on 127.0.0.1:" + port + " (listeners[0].port)")
                    .contains("ss -ltnp 'sport = :" + port + "'").contains("change the port in " + dir.resolve("gateway.yaml"))
                    .doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void auditVerifyOnADirectoryNotWrittenYetSaysWhereAuditFilesComeFrom() throws Exception {
        Cli.Result absent = Cli.run("audit", "verify", dir.resolve("conf/audit").toString());
        assertThat(absent.exit()).isEqualTo(2);
        assertThat(absent.err()).contains("conf/audit does not exist").contains("audit.directory").doesNotContain("Exception");
        Files.createDirectories(dir.resolve("empty"));
        Cli.Result empty = Cli.run("audit", "verify", dir.resolve("empty").toString());
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("holds no audit files");
        Cli.Result replay = Cli.run("replay", "--audit", dir.resolve("conf/audit").toString(), "--policies", dir.toString());
        assertThat(replay.exit()).isEqualTo(2);
        assertThat(replay.err()).contains("does not exist");
    }

    @Test
    void explainWithBrokenJsonNamesTheOptionAndThePlaceNotTheParser() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        Files.writeString(dir.resolve("policies/unused.yaml"), "name: unused\ndefaults: {action: deny}\nrules: []\n");
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: policies}
                routes:
                  - {name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp", policy: allow-all}
                """);

        Cli.Result explain = Cli.run("explain", "--config", dir.resolve("gateway.yaml").toString(), "--route", "r", "--call", "{bad");

        assertThat(explain.exit()).isEqualTo(2);
        assertThat(explain.err()).contains("--call is not valid JSON (line 1, column 2)").contains("expected an object such as")
                .doesNotContain("StreamReadFeature").doesNotContain("code 98");
        Cli.Result verify = Cli.run("verify", "--config", dir.resolve("gateway.yaml").toString());
        assertThat(verify.out()).contains("warning: policy unused is used by no route");
    }

    @Test
    void tokenHelpDescribesEveryOption() {
        String help = Cli.run("token", "--help").out();
        assertThat(help).contains("the iss claim", "the aud claim", "the tenant the run acts for", "the agent slug", "the run id",
                "the sub-user the run acts for", "the spawn-chain parent", "the spawn tree", "a capability granted to the run");
        // No option line stands alone without a description after it (picocli prints a blank description as nothing).
        java.util.List<String> lines = help.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.startsWith("--") && line.matches("--[a-z-]+(=<\\w+>)?")) {
                assertThat(i + 1 < lines.size() && !lines.get(i + 1).trim().startsWith("-")).as(line).isTrue();
            }
        }
    }

    @Test
    void aForeignHostAnUnknownPathAndAMissingAxidEachSayWhatToChange() throws Exception {
        Vertx vertx = Vertx.vertx();
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        Path keys = dir.resolve("keys");
        assertThat(Cli.run("dev-keys", "--out", keys.toString()).exit()).isZero();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: "%s", issuer: dev, audience: tollgate}}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all, axid: required}
                  - {name: open, path: /open, protocol: mcp, upstream: "%s", policy: allow-all, axid: off}
                """.formatted(dir.resolve("policies"), keys.resolve("axid.jwks.json"), upstream.url("/mcp"), upstream.url("/mcp")));
        try (TestHttp http = new TestHttp(vertx)) {
            String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
            TestHttp.Reply host = http.send(TestHttp.mcpPost(gateway.port(), "/open").putHeader("Host", "evil.example"),
                    io.vertx.core.buffer.Buffer.buffer(list));
            assertThat(host.status()).isEqualTo(403);
            assertThat(host.json().path("error").path("data").path("detail").asText())
                    .contains("Host 'evil.example' is not in allowed-hosts of listener public");
            TestHttp.Reply path = http.postMcp(gateway.port(), "/nowhere", list);
            assertThat(path.status()).isEqualTo(404);
            assertThat(path.json().path("error").path("data").path("detail").asText()).contains("routes: /mcp (tools), /open (open)")
                    .doesNotContain(String.valueOf(upstream.port()));
            TestHttp.Reply axid = http.postMcp(gateway.port(), "/mcp", list);
            assertThat(axid.status()).isEqualTo(401);
            assertThat(axid.json().path("error").path("data").path("detail").asText()).contains("route tools needs the run's AXID in the X-Waxell-AXID header");
            assertThat(upstream.received()).isEmpty();
        } finally {
            gateway.close();
            upstream.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
