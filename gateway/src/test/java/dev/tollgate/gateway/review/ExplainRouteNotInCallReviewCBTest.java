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
 * Review CB: {@code tollgate explain --route NAME} and {@code POST /explain {"route": NAME, ...}} pick the route's policy
 * but do not tell that policy which route the call came on: {@code ExplainRequest} builds the call from {@code "call"}
 * alone, whose {@code route} is null unless the operator repeats it inside the call. The live pipeline decides every
 * call with its route ({@code McpCallDescriber.describe(route, ...)}). A rule reading the route (an AGT document's
 * {@code field: route}, which loads as it is, and a {@code rate_limit} keyed {@code per: route}) is then explained as
 * not holding:
 * <ul>
 *   <li>a default-deny AGT document allowing route {@code tools}: the live gateway forwards the call, {@code tollgate
 *       explain --route tools} says it is denied by the default (exit 3): the operator is told the call is blocked;</li>
 *   <li>a default-allow document denying route {@code admin}: the live gateway denies the call, and the admin page's
 *       "why?" (whose input from {@code /admin/decisions} carries the route beside the call, not in it) says it was
 *       allowed.</li>
 * </ul>
 */
class ExplainRouteNotInCallReviewCBTest {

    private static final String TOKEN = "review-cb-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

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
        Files.writeString(dir.resolve("policies/allow-list.yaml"), """
                version: "1.0"
                name: allow-list
                defaults:
                  action: deny
                rules:
                  - name: allow-tools-route
                    condition: {field: route, operator: eq, value: "tools"}
                    action: allow
                    priority: 10
                """);
        Files.writeString(dir.resolve("policies/no-admin.yaml"), """
                version: "1.0"
                name: no-admin
                defaults:
                  action: allow
                rules:
                  - name: deny-admin-route
                    condition: {field: route, operator: eq, value: "admin"}
                    action: deny
                    priority: 10
                """);
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /tools, protocol: mcp, policy: allow-list, upstream: "%s"}
                  - {name: admin, path: /admin-tools, protocol: mcp, policy: no-admin, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), upstream.url("/mcp"), upstream.url("/mcp"));
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
    void explainOfTheRouteSaysWhatTheLiveGatewayDoesOnIt() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/tools", CALL);
        assertThat(live.json().has("result")).as("the live gateway allows the call on route tools: " + live.body()).isTrue();
        assertThat(upstream.received()).as("forwarded").isNotEmpty();

        Cli.Result explain = Cli.run("explain", "--config", config.toString(), "--route", "tools",
                "--call", "{\"method\":\"tools/call\",\"tool\":\"echo\",\"arguments\":{}}");
        assertThat(explain.exit()).as("explain --route tools of the call the gateway forwarded on route tools:\n" + explain.out()
                + explain.err()).isZero();
    }

    @Test
    void whyOfACallDeniedByItsRouteExplainsTheDeny() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/admin-tools", CALL);
        assertThat(live.reason()).as("the live gateway denies the call on route admin: " + live.body()).isEqualTo("policy_denied");

        int admin = gateway.gateway().adminPort();
        JsonNode recorded = null;
        for (int i = 0; i < 50 && recorded == null; i++) {
            JsonNode decisions = JSON.readTree(http.send(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/admin/decisions")
                    .addHeader("Authorization", "Bearer " + TOKEN), null).body().toString());
            for (JsonNode d : decisions.path("decisions")) {
                if ("admin".equals(d.path("route").asText())) {
                    recorded = d;
                }
            }
            if (recorded == null) {
                Thread.sleep(100);
            }
        }
        assertThat(recorded).as("the call is among the recent decisions").isNotNull();
        assertThat(recorded.path("decision").asText()).isEqualTo("denied");
        assertThat(recorded.path("rule").asText()).isEqualTo("deny-admin-route");

        TestHttp.Reply explained = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(admin).setURI("/explain")
                        .addHeader("Authorization", "Bearer " + TOKEN).addHeader("Content-Type", "application/json"),
                Buffer.buffer(recorded.path("explain").toString()));
        JsonNode why = JSON.readTree(explained.body().toString());
        assertThat(why.path("action").asText()).as("\"why?\" of the recorded deny, input " + recorded.path("explain") + ": " + why)
                .isEqualTo("deny");
        assertThat(why.path("rule").asText()).isEqualTo("deny-admin-route");
    }
}
