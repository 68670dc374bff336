package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Review AC: the admin page's "why?" (README: "each with a 'why?' that runs explain on it under the current policy")
 * must explain the decision the live pipeline made. {@code RecentDecisions} builds the explain input for every recent
 * call, but keeps the call's target only for {@code tools/call}: a {@code resources/read} or {@code prompts/get} is
 * explained with no resource / prompt at all. A live call denied by {@code {resource: "file:///etc/*"}} is then
 * "explained" as allowed by the default: the operator debugs a decision the gateway never made. The same for a batch:
 * its row says "denied" (one element was) while "why?" explains the first element only, an allow.
 */
class ExplainWhyLosesTargetReviewACTest {

    private static final String TOKEN = "review-ac-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

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
                  - {name: no-etc, condition: {resource: "file:///etc/*"}, action: deny, message: no system files}
                  - {name: no-admin-prompt, condition: {prompt: "admin*"}, action: deny, message: no admin prompts}
                  - {name: no-shell, condition: {tool: "shell_*"}, action: deny, message: no shells}
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
    void whyOfADeniedResourceReadExplainsTheDeny() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///etc/passwd\"}}");
        assertThat(live.reason()).as("the live gateway denies the read").isEqualTo("policy_denied");

        JsonNode why = whyOfLatest("resources/read");
        assertThat(why.path("action").asText()).as("explain of the recorded call: " + why).isEqualTo("deny");
        assertThat(why.path("rule").asText()).isEqualTo("no-etc");
    }

    @Test
    void whyOfADeniedPromptExplainsTheDeny() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"admin-reset\"}}");
        assertThat(live.reason()).as("the live gateway denies the prompt").isEqualTo("policy_denied");

        JsonNode why = whyOfLatest("prompts/get");
        assertThat(why.path("action").asText()).as("explain of the recorded call: " + why).isEqualTo("deny");
        assertThat(why.path("rule").asText()).isEqualTo("no-admin-prompt");
    }

    @Test
    void whyOfADeniedBatchExplainsTheDeny() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}},"
                        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"shell_exec\",\"arguments\":{}}}]");
        assertThat(live.body().toString()).as("the live gateway denies the shell element").contains("no shells");

        JsonNode why = whyOfLatest("tools/call");
        assertThat(why.path("action").asText()).as("explain of the row marked denied: " + why).isEqualTo("deny");
    }

    /** What the admin page does on "why?": takes the decision's {@code explain} input and posts it to /explain. */
    private JsonNode whyOfLatest(String method) throws Exception {
        int admin = gateway.gateway().adminPort();
        // The decision is recorded once the call's response has ended (after the client has it): read until it is there.
        JsonNode decisions = null;
        JsonNode recorded = null;
        for (int i = 0; i < 50 && recorded == null; i++) {
            if (decisions != null) {
                Thread.sleep(100);
            }
            decisions = JSON.readTree(http.send(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/admin/decisions")
                    .addHeader("Authorization", "Bearer " + TOKEN), null).body().toString());
            for (JsonNode d : decisions.path("decisions")) {
                if (method.equals(d.path("method").asText())) {
                    recorded = d;
                }
            }
        }
        assertThat(recorded).as("recent decisions: " + decisions).isNotNull();
        assertThat(recorded.path("decision").asText()).isEqualTo("denied");
        TestHttp.Reply explained = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(admin).setURI("/explain")
                .addHeader("Authorization", "Bearer " + TOKEN).addHeader("Content-Type", "application/json"),
                Buffer.buffer(recorded.path("explain").toString()));
        assertThat(explained.status()).as(explained.body().toString()).isEqualTo(200);
        return JSON.readTree(explained.body().toString());
    }
}
