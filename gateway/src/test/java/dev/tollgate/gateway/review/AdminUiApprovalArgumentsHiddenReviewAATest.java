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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AA: the admin page ({@code /ui}) lists pending approvals "with approve and deny buttons", but each row shows
 * only the tool, route, caller, rule and expiry: never the held call's arguments, although {@code GET /approvals}
 * returns them. An operator approving from the page approves {@code deploy} blind, whatever the agent put in its
 * arguments (which cluster, which image). Driven in Debian's headless Chromium, as {@code AdminUiBrowserTest} does.
 */
class AdminUiApprovalArgumentsHiddenReviewAATest {

    private static final String TOKEN = "admin-ui-token-0123456789abcdef";

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
    void thePendingApprovalRowShowsTheArgumentsTheOperatorApproves() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: deploys-need-a-person, condition: {tool: deploy}, action: approve, approval: {timeout: 2m}}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), upstream.url("/mcp")));
        int adminPort = gateway.gateway().adminPort();
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\","
                        + "\"arguments\":{\"cluster\":\"prod-eu-ATTACKER\",\"image\":\"registry.evil.example/backdoor:1\"}}}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String pending = await().atMost(Duration.ofSeconds(10)).until(() -> admin(adminPort, HttpMethod.GET, "/approvals", null).body().toString(),
                b -> b.contains("prod-eu-ATTACKER"));
        String id = pending.replaceAll("(?s).*\"id\":\"(apr_[^\"]+)\".*", "$1");

        String dom = chromium("--dump-dom", "http://127.0.0.1:" + adminPort + "/ui#token=" + TOKEN);
        assertThat(dom).as("the page rendered the pending approval with its buttons").contains("Approve").contains("deploy");
        assertThat(dom)
                .as("an operator approving from the admin page must see what the held call would do: its arguments are not shown")
                .contains("prod-eu-ATTACKER").contains("registry.evil.example/backdoor:1");

        admin(adminPort, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"test\"}");
        held.get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply admin(int port, HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }

    private static String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--virtual-time-budget=6000", "--user-data-dir=" + Files.createTempDirectory("chromium")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
