package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admin page's recent decisions keep a call's arguments (for its "why?") only where the audit keeps them in some
 * form: with {@code audit.arguments: none} the operator records no argument anywhere (review AA, noted: the page kept
 * up to 16 KiB of each call's arguments all the same).
 */
class RecentDecisionArgumentsTest {

    private static final String TOKEN = "recent-decisions-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @CsvSource({"none, false", "digest, true", "full, true"})
    void theArgumentsAreKeptUnlessTheAuditKeepsNone(String mode, boolean kept) throws Exception {
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                audit: {directory: %s, arguments: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), dir.resolve("audit"), mode, upstream.url("/mcp")));
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"account 4111-private\"}}}");

        // The decision is recorded once the call's response has ended: read until it is there.
        TestHttp.Reply decisions = null;
        for (int i = 0; i < 50 && (decisions == null || !decisions.body().toString().contains("echo")); i++) {
            if (decisions != null) {
                Thread.sleep(100);
            }
            decisions = http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.gateway().adminPort())
                    .setURI("/admin/decisions").putHeader("Authorization", "Bearer " + TOKEN), null);
        }

        assertThat(decisions.status()).isEqualTo(200);
        assertThat(decisions.body().toString()).contains("echo");
        assertThat(decisions.body().toString().contains("account 4111-private")).as(decisions.body().toString()).isEqualTo(kept);
    }
}
