package dev.tollgate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Gateway.start(vertx, config)} (one listener verticle per core) with {@code port: 0}, as tests and
 * "pick any free port" deployments configure it: it must come up and answer on the port it reports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayStartsOnEphemeralPortsTest {

    private static final long TIMEOUT_SECONDS = 20;

    @TempDir
    Path policyDir;
    private Vertx vertx;

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void startsWithOneListenerVerticlePerCoreOnPortZero() throws Exception {
        assertStartsAndAnswers(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void startsWithTwoListenerVerticlesOnPortZero() throws Exception {
        assertStartsAndAnswers(2);
    }

    @Test
    void startsWithOneListenerVerticleOnPortZero() throws Exception {
        assertStartsAndAnswers(1);
    }

    private void assertStartsAndAnswers(int eventLoops) throws Exception {
        Files.writeString(policyDir.resolve("allow-all.yaml"), RunningGateway.ALLOW_ALL);
        try (RecordingUpstream upstream = new RecordingUpstream(vertx)) {
            upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + r.getHeader("X-Call") + ",\"result\":{\"content\":[]}}"));
            var config = ConfigLoader.parse(RunningGateway.mcpYaml(upstream.url("/mcp"), policyDir, "allow-all", null), "ephemeral.yaml");
            Gateway gateway = Gateway.start(vertx, config, eventLoops).toCompletionStage().toCompletableFuture()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            try {
                assertThat(gateway.port()).isPositive();
                // A fresh client per call: a new connection each time, so each listener verticle gets a chance to take one.
                for (int i = 0; i < 2 * eventLoops + 2; i++) {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                    String call = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/mcp"))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                            .header("Accept", "application/json, text/event-stream").header("X-Call", String.valueOf(i))
                            .POST(HttpRequest.BodyPublishers.ofString(call)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as("the gateway answers on its reported port").isEqualTo(200);
                    assertThat(answer.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"result\":{\"content\":[]}}");
                }
                assertThat(upstream.received()).hasSize(2 * eventLoops + 2);
            } finally {
                gateway.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }
}
