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
 * Review AA: an A2A HTTP+JSON (REST) {@code message:send} held for approval and then denied is answered HTTP 200 with
 * a JSON-RPC error envelope ({@code {"jsonrpc":"2.0","id":null,"error":...}}), a shape no REST A2A client reads: to it
 * a 200 is a {@code SendMessageResponse}, so the approver's refusal reads as a success with no task and no message. A
 * policy denial of the same call gets 403 with a {@code google.rpc.Status} body ({@code A2aErrors.restDenial}).
 */
class A2aRestApprovalDenialShapeReviewAATest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final String MESSAGE = "{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"reset prod\"}]}";

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
    void aRestCallDeniedByTheApproverIsARestErrorNotA200() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/a2a.yaml"), """
                name: a2a
                defaults: {action: allow}
                rules:
                  - {name: agents-need-a-person, condition: {protocol: a2a}, action: approve, approval: {timeout: 1m}}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(TOKEN, dir.resolve("policies"), upstream.url("/")));
        int adminPort = gateway.gateway().adminPort();
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> {
            try {
                return http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/agents/echo/message:send").putHeader("Content-Type", "application/a2a+json")
                        .putHeader("Accept", "application/a2a+json"), Buffer.buffer("{\"message\":" + MESSAGE + "}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String id = await().atMost(Duration.ofSeconds(5)).until(() -> admin(adminPort, HttpMethod.GET, "/approvals", null).json().path("pending"),
                l -> l.size() == 1).get(0).path("id").asText();
        admin(adminPort, HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"alice\"}");
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(upstream.received()).isEmpty();
        assertThat(reply.status())
                .as("an HTTP+JSON call refused by its approver must not answer 200 (a REST client reads 200 as success): body %s", reply.body())
                .isGreaterThanOrEqualTo(400);
        assertThat(reply.json().has("jsonrpc")).as("a REST answer is a google.rpc.Status, not a JSON-RPC envelope").isFalse();
    }

    private TestHttp.Reply admin(int port, HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN), body == null ? null : Buffer.buffer(body));
    }
}
