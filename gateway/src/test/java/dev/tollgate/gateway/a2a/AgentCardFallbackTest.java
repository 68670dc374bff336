package dev.tollgate.gateway.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The card an A2A client looks for one directory up (it was given the route's URL without a trailing slash): served
 * when one A2A route lives there, refused with the fix when several do, since the gateway cannot know which was meant.
 */
class AgentCardFallbackTest {

    @TempDir
    Path dir;

    @Test
    void oneRouteInTheDirectoryServesItsCardSeveralGetTheTrailingSlashHint() throws Exception {
        Vertx vertx = Vertx.vertx();
        RecordingUpstream echo = new RecordingUpstream(vertx);
        // (A card must keep an interface at the gateway to be relayed: review AX.)
        echo.answer(r -> r.response().putHeader("Content-Type", "application/json").end("{\"name\":\"echo\",\"supportedInterfaces\":[{\"url\":\""
                + echo.url("/e") + "\",\"protocolBinding\":\"JSONRPC\"}],\"skills\":[]}"));
        Files.writeString(dir.resolve("p.yaml"), RunningGateway.ALLOW_ALL);
        String routes = "  - {name: echo, path: /agents/echo, protocol: a2a, upstream: \"" + echo.url("/e") + "\", policy: allow-all}\n";
        try (TestHttp http = new TestHttp(vertx)) {
            try (RunningGateway one = RunningGateway.start(vertx, yaml(routes))) {
                TestHttp.Reply card = http.send(get(one.port(), "/agents/.well-known/agent-card.json"), null);
                assertThat(card.status()).isEqualTo(200);
                assertThat(card.json().path("name").asText()).isEqualTo("echo");
                assertThat(echo.received().get(0).uri()).isEqualTo("/e/.well-known/agent-card.json");
                // Only a GET of the card: other paths of the directory stay unrouted.
                assertThat(http.send(get(one.port(), "/agents/other"), null).status()).isEqualTo(404);
            }
            String two = routes + "  - {name: math, path: /agents/math, protocol: a2a, upstream: \"" + echo.url("/m") + "\", policy: allow-all}\n";
            try (RunningGateway both = RunningGateway.start(vertx, yaml(two))) {
                TestHttp.Reply ambiguous = http.send(get(both.port(), "/agents/.well-known/agent-card.json"), null);
                assertThat(ambiguous.status()).isEqualTo(404);
                assertThat(ambiguous.json().path("error").path("data").path("detail").asText())
                        .contains("give them the route's URL with a trailing slash, one of /agents/echo/, /agents/math/");
                assertThat(echo.received()).hasSize(1);
            }
        } finally {
            echo.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private String yaml(String routes) {
        return """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                %s""".formatted(dir, routes);
    }

    private static RequestOptions get(int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    }
}
