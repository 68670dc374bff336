package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An A2A HTTP+JSON call nobody approves in time is refused the REST way: 403 and a google.rpc.Status saying why. */
class ApprovalRestRefusalTest {

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
    void aRestCallNobodyApprovesInTimeGets403WithTheApprovalInTheErrorInfo() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/a2a.yaml"), """
                name: a2a
                defaults: {action: allow}
                rules:
                  - {name: agents-need-a-person, condition: {protocol: a2a}, action: approve, approval: {timeout: 1s, on-timeout: deny}}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "approvals-admin-token-0123456789"}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(dir.resolve("policies"), upstream.url("/")));
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agents/echo/message:send").putHeader("Content-Type", "application/a2a+json").putHeader("Accept", "application/a2a+json"),
                Buffer.buffer("{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"reset prod\"}]}}"));

        assertThat(upstream.received()).isEmpty();
        assertThat(reply.status()).isEqualTo(403);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(error.path("message").asText()).startsWith("Denied: nobody approved the call in time");
        JsonNode info = error.path("details").get(0);
        assertThat(info.path("reason").asText()).isEqualTo("APPROVAL_TIMEOUT");
        assertThat(info.path("metadata").path("reason").asText()).isEqualTo("approval_timeout");
        assertThat(info.path("metadata").path("approval_id").asText()).startsWith("apr_");
        assertThat(info.path("metadata").path("rule").asText()).isEqualTo("agents-need-a-person");
        assertThat(info.path("metadata").path("decided_by").asText()).isEqualTo("tollgate");
        assertThat(info.path("metadata").path("decided_at").asText()).isNotEmpty();
    }
}
