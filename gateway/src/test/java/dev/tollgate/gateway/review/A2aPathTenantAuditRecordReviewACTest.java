package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.AuditLines;
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
 * Review AC: an A2A HTTP+JSON send names its tenant twice, in the path ({@code .../a2a/rest/{tenant}/message:send}) and
 * in the body; the agent (@a2a-js/sdk, review K) acts in the path's. PolicyStage decides both readings and keeps the
 * stronger refusal, but CompletionRecorder writes the record from {@code A2aCallDescriber.describe(route, a2a.call())}
 * again, the body's reading, so the record's {@code a2a.tenant} (the one A2A field an investigator reads first,
 * written in the clear) is the body's tenant: the tenant the agent did not act in.
 * <ul>
 *   <li>a send into {@code prod} carrying {@code "tenant":"sandbox"} is denied by {@code no-prod-tenant}, and the record
 *       says tenant {@code sandbox}, denied by a rule about prod;</li>
 *   <li>an allowed send into {@code staging} carrying {@code "tenant":"dev"} is recorded as a call in {@code dev}: a
 *       search of the evidence for what touched {@code staging} misses it.</li>
 * </ul>
 */
class A2aPathTenantAuditRecordReviewACTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private Path audit;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("content-type", "application/a2a+json")
                .end("{\"message\":{\"messageId\":\"r1\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"ok\"}]}}"));
        http = new TestHttp(vertx);
        audit = dir.resolve("audit");
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: no-prod-tenant, condition: {all: [{protocol: a2a}, {arg: {path: /tenant, eq: prod}}]}, action: deny, message: not in prod}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s}
                routes:
                  - {name: echo, path: /agents/echo, protocol: a2a, policy: p, upstream: "%s"}
                """.formatted(dir.resolve("policies"), audit, upstream.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TestHttp.Reply send(String pathTenant, String bodyTenant, String messageId) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/agents/echo/a2a/rest/" + pathTenant + "/message:send").putHeader("Content-Type", "application/a2a+json"),
                Buffer.buffer("{\"tenant\":\"" + bodyTenant + "\",\"message\":{\"messageId\":\"" + messageId + "\",\"role\":\"ROLE_USER\","
                        + "\"parts\":[{\"text\":\"hello\"}]}}"));
    }

    @Test
    void aSendDeniedForItsPathTenantIsRecordedInThatTenant() throws Exception {
        TestHttp.Reply denied = send("prod", "sandbox", "m1");
        assertThat(denied.body().toString()).as("the path tenant's deny").contains("no-prod-tenant");

        JsonNode record = AuditLines.awaitFirst(audit, r -> "no-prod-tenant".equals(r.path("decision").path("rule").asText()));
        assertThat(record).isNotNull();

        assertThat(record.path("a2a").path("tenant").asText()).as("the record: " + record).isEqualTo("prod");
    }

    @Test
    void anAllowedSendIsRecordedInTheTenantTheAgentActsIn() throws Exception {
        TestHttp.Reply allowed = send("staging", "dev", "m2");
        assertThat(allowed.status()).as(allowed.body().toString()).isEqualTo(200);
        assertThat(upstream.received()).as("forwarded").isNotEmpty();

        JsonNode record = AuditLines.awaitFirst(audit, r -> "a2a".equals(r.path("protocol").asText()));
        assertThat(record).isNotNull();

        assertThat(record.path("a2a").toString()).as("the record: " + record).contains("staging");
    }
}
