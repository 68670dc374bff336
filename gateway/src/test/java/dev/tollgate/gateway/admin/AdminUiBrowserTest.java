package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page in a real browser: Debian's headless Chromium loads {@code /ui} from the admin port with the token in
 * the URL fragment, runs the page's script against the admin API, and the rendered DOM shows the route and its
 * upstream's health, the calls just made with their decisions, and the explain trace of the denied one. A screenshot is
 * written to {@code gateway/target/admin-ui.png}. Without the token the data endpoints refuse the browser.
 */
class AdminUiBrowserTest {

    private static final String TOKEN = "admin-ui-token-0123456789abcdef";

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
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-shell, condition: {tool: "shell_*"}, action: deny, message: no shells for agents}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), upstream.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theBrowserShowsRoutesDecisionsAndWhyACallWasDenied() throws Exception {
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}");
        http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\",\"arguments\":{\"cmd\":\"id\"}}}");
        String url = "http://127.0.0.1:" + gateway.gateway().adminPort() + "/ui#token=" + TOKEN + "&why=first-denied";

        String dom = chromium("--dump-dom", url);
        assertThat(dom).contains("tools").contains(upstream.url("/mcp")).contains("healthy");
        assertThat(dom).contains("tools/call echo").contains("allowed");
        assertThat(dom).contains("tools/call shell_exec").contains("denied (no-shell)");
        // The explain trace of the denied call, fetched by the page from POST /explain.
        assertThat(dom).contains("id=\"why-trace\"").contains("no shells for agents");

        Path screenshot = Path.of("target", "admin-ui.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1280,1000", url);
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    @Test
    void thePageIsAnEmptyShellAndItsDataNeedsTheToken() throws Exception {
        TestHttp.Reply page = http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.gateway().adminPort()).setURI("/ui"), null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get("Content-Security-Policy")).contains("script-src 'self'").contains("connect-src 'self'");
        assertThat(page.body().toString()).doesNotContain("data-decision").doesNotContain("tools/call echo");
        for (String path : List.of("/admin/decisions", "/admin/routes", "/approvals")) {
            TestHttp.Reply refused = http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.gateway().adminPort()).setURI(path), null);
            assertThat(refused.status()).as(path).isEqualTo(401);
        }
        String dom = chromium("--dump-dom", "http://127.0.0.1:" + gateway.gateway().adminPort() + "/ui");
        // No token: the page asks for one and shows no call.
        assertThat(dom).doesNotContain("data-decision").contains("placeholder=\"admin token\"").contains("display: flex");
    }

    /** Runs Debian's chromium headless (as root in CI, hence --no-sandbox) and returns what it printed. */
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
