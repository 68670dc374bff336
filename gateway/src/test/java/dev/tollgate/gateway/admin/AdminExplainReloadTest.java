package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;

/** {@code POST /explain}; {@code POST /reload} is AdminReloadTest. */
class AdminExplainReloadTest {

    private static final String POLICY = "name: p\ndefaults: {action: allow}\nrules:\n"
            + "  - name: no-shell\n    priority: 5\n    condition: {tool: \"shell_*\"}\n    action: deny\n    message: no shells\n";

    @Test
    void explainEndpointShowsTheDecisionAndEveryRule() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RunningGateway gateway = RunningGateway.mcpWithPolicy(vertx, "http://127.0.0.1:9/mcp", POLICY, null, null);
             TestHttp http = new TestHttp(vertx)) {
            TestHttp.Reply denied = post(http, gateway, "/explain", "{\"route\":\"upstream\",\"call\":{\"tool\":\"shell_exec\"}}");
            TestHttp.Reply allowed = post(http, gateway, "/explain", "{\"policy\":\"p\",\"call\":{\"tool\":\"search\"},\"identity\":{\"tenant\":\"acme\"}}");
            TestHttp.Reply unknownRoute = post(http, gateway, "/explain", "{\"route\":\"nope\",\"call\":{}}");
            TestHttp.Reply notJson = post(http, gateway, "/explain", "{");

            assertThat(denied.status()).isEqualTo(200);
            assertThat(denied.json().path("action").asText()).isEqualTo("deny");
            assertThat(denied.json().path("rule").asText()).isEqualTo("no-shell");
            assertThat(denied.json().path("trace").get(0).path("matched").asBoolean()).isTrue();
            assertThat(allowed.json().path("action").asText()).isEqualTo("allow");
            assertThat(allowed.json().path("trace").get(0).path("reason").asText()).isEqualTo("tool 'search' does not match 'shell_*'");
            assertThat(unknownRoute.status()).isEqualTo(400);
            assertThat(unknownRoute.json().path("error").asText()).contains("no route named 'nope'");
            assertThat(notJson.status()).isEqualTo(400);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static TestHttp.Reply post(TestHttp http, RunningGateway gateway, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.gateway().adminPort())
                .setURI(path).putHeader("Content-Type", "application/json"), Buffer.buffer(body));
    }
}
