package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review (revG, fa92cd8): A2aParts.protoSummary reads a text part's size as A2aFields.string(part, "text", null).getBytes(),
 * and A2aFields.string gives null for an empty string: a 0.3 HTTP+JSON message with {"text": ""} (which the SDK's
 * Part.fromJSON reads as an empty text part, and the 1.0/0.3 JSON-RPC summary accepts) throws a NullPointerException in
 * the parse step instead of being decided and forwarded.
 */
class ProtoEmptyTextPartReviewTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"msg\":{\"messageId\":\"x\",\"role\":\"ROLE_AGENT\",\"content\":[{\"text\":\"ok\"}]}}"));
        Files.writeString(dir.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir, upstream.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anEmptyTextPartOnThe03HttpJsonBindingIsForwarded() throws Exception {
        String body = "{\"message\":{\"messageId\":\"m-1\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"see attached\"},{\"text\":\"\"}]}}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.url("/agent/a2a/rest/v1/message:send")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
    }
}
