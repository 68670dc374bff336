package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: the approver is told a held call's "arguments (redacted as telemetry.redact says)", in the webhook and in
 * {@code GET /approvals}. {@code ApprovalStage} replaces the whole arguments object with the text "(N bytes of request:
 * too large to show here)" once the request is over 64 KiB. The agent chooses the request's size: one junk field of
 * 70 KB next to {@code "cluster": "prod-eu-ATTACKER"} hides every argument from the person asked to approve the call,
 * and the call can still be approved and is then forwarded with all of them.
 */
class PaddedArgumentsHiddenFromApproverReviewAATest {

    private static final String TOKEN = "approvals-admin-token-0123456789";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void paddingTheRequestDoesNotHideTheArgumentsFromTheApprover() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve, approval: {timeout: 1m}}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), upstream.url("/mcp")));
        int adminPort = gateway.gateway().adminPort();
        String junk = "x".repeat(70_000);
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\","
                        + "\"arguments\":{\"cluster\":\"prod-eu-ATTACKER\",\"notes\":\"" + junk + "\"}}}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        var pending = await().atMost(Duration.ofSeconds(5)).until(() -> admin(adminPort, HttpMethod.GET, "/approvals", null).json().path("pending"),
                l -> l.size() == 1).get(0);
        String shown = pending.path("arguments").toString();
        admin(adminPort, HttpMethod.POST, "/approvals/" + pending.path("id").asText(), "{\"decision\":\"deny\",\"by\":\"test\"}");
        held.get(10, TimeUnit.SECONDS);
        assertThat(shown)
                .as("what the approver is shown of a call whose agent padded one argument past 64 KiB")
                .contains("prod-eu-ATTACKER");
    }

    private TestHttp.Reply admin(int port, HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }
}
