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
 * Review CB: the live policy stage decides a 2026 {@code subscriptions/listen} once per resource it watches, as the listen
 * naming it and as the {@code resources/subscribe} of it (review AU), and {@code tollgate replay} does the same
 * ({@code CallReadings}, review BD). {@code explain} (CLI and {@code POST /explain}, so the admin page's "why?") and policy
 * test cases decide the call as given, one reading: a rule written for the older spelling,
 * {@code {all: [{method: resources/subscribe}, {resource: "file:///secrets/*"}]}}, refuses the listen live and is
 * explained as not holding. The operator's "why was this blocked" answers "allowed (default)" for a call the gateway
 * refused, and a policy test case of the listen can only expect what the gateway does not do.
 */
class ExplainListenReadingsReviewCBTest {

    private static final String TOKEN = "review-cb-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARAMS = "{\"notifications\":{\"resourceSubscriptions\":[\"file:///secrets/db\"]}}";

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
                  - name: no-watching-secrets
                    condition: {all: [{method: resources/subscribe}, {resource: "file:///secrets/*"}]}
                    action: deny
                    message: Secrets may be read, not watched.
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
    void explainOfTheListenSaysDeniedAsTheGatewayDid() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\",\"params\":" + PARAMS + "}");
        assertThat(live.reason()).as("the live gateway refuses the listen: " + live.body()).isEqualTo("policy_denied");

        Cli.Result explain = Cli.run("explain", "--config", config.toString(), "--route", "tools",
                "--call", "{\"method\":\"subscriptions/listen\",\"arguments\":" + PARAMS + "}");
        assertThat(explain.exit()).as("explain of the listen the gateway refused:\n" + explain.out() + explain.err()).isEqualTo(3);
    }

    @Test
    void whyOfTheRefusedListenExplainsTheDeny() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscriptions/listen\",\"params\":" + PARAMS + "}");
        assertThat(live.reason()).as("the live gateway refuses the listen: " + live.body()).isEqualTo("policy_denied");

        int admin = gateway.gateway().adminPort();
        JsonNode recorded = null;
        for (int i = 0; i < 50 && recorded == null; i++) {
            JsonNode decisions = JSON.readTree(http.send(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/admin/decisions")
                    .addHeader("Authorization", "Bearer " + TOKEN), null).body().toString());
            for (JsonNode d : decisions.path("decisions")) {
                if ("subscriptions/listen".equals(d.path("method").asText())) {
                    recorded = d;
                }
            }
            if (recorded == null) {
                Thread.sleep(100);
            }
        }
        assertThat(recorded).as("the listen is among the recent decisions").isNotNull();
        assertThat(recorded.path("decision").asText()).isEqualTo("denied");

        TestHttp.Reply explained = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(admin).setURI("/explain")
                        .addHeader("Authorization", "Bearer " + TOKEN).addHeader("Content-Type", "application/json"),
                Buffer.buffer(recorded.path("explain").toString()));
        JsonNode why = JSON.readTree(explained.body().toString());
        assertThat(why.path("action").asText()).as("\"why?\" of the refused listen, input " + recorded.path("explain") + ": " + why)
                .isEqualTo("deny");
    }
}
