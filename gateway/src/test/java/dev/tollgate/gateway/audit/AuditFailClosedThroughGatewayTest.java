package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit.when-full: reject} through a running gateway: a call whose records cannot all be queued,
 * or made while audit writes fail, is refused with 503 audit_unavailable and never reaches the upstream.
 */
class AuditFailClosedThroughGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUEUE_CAPACITY = 4;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        // Answers a batch with one result per element, as an MCP server does.
        upstream.answer(r -> {
            Buffer body = upstream.received().get(upstream.received().size() - 1).body();
            Object answer = body.toString().startsWith("[")
                    ? new io.vertx.core.json.JsonArray(body).stream().map(e -> (io.vertx.core.json.JsonObject) e)
                            .filter(e -> e.containsKey("id")).map(e -> result(e.getValue("id"))).toList()
                    : result(new io.vertx.core.json.JsonObject(body).getValue("id"));
            r.response().putHeader("Content-Type", "application/json").end(io.vertx.core.json.Json.encode(answer));
        });
        http = new TestHttp(vertx);
    }

    private static io.vertx.core.json.JsonObject result(Object id) {
        return new io.vertx.core.json.JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", new io.vertx.core.json.JsonObject());
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private RunningGateway gateway(Path auditDir) throws Exception {
        return RunningGateway.start(vertx, yaml(auditDir, QUEUE_CAPACITY));
    }

    private String yaml(Path auditDir, int queueCapacity) throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), RunningGateway.ALLOW_ALL);
        return RunningGateway.mcpYaml(upstream.url("/mcp"), policies, "allow-all",
                "audit: {directory: " + auditDir + ", queue-capacity: " + queueCapacity + ", when-full: reject}");
    }

    private static String batch(int firstId, int elements) {
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < elements; i++) {
            calls.add(call(firstId + i));
        }
        return "[" + String.join(",", calls) + "]";
    }

    private static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"t" + id + "\",\"arguments\":{}}}";
    }

    private TestHttp.Reply postBatch(RunningGateway gateway, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("MCP-Protocol-Version", "2025-03-26"), Buffer.buffer(body));
    }

    private String metrics(RunningGateway gateway) throws Exception {
        return http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.gateway().adminPort())
                .setURI("/metrics"), null).body().toString();
    }

    private static List<JsonNode> records(Path auditDir) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (Path file : AuditFiles.inOrder(auditDir)) {
            for (String line : Files.readAllLines(file)) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    @Test
    void aBatchWithMoreCallsThanTheAuditQueueHoldsIsRefusedBeforeReachingTheUpstream() throws Exception {
        Path auditDir = dir.resolve("audit");
        RunningGateway gateway = gateway(auditDir);
        try {
            TestHttp.Reply refused = postBatch(gateway, batch(1, QUEUE_CAPACITY + 1));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.reason()).isEqualTo("audit_unavailable");
            assertThat(upstream.received()).isEmpty();
            assertThat(metrics(gateway)).contains("tollgate_rejects_total{reason=\"audit_unavailable\"} 1.0");

            TestHttp.Reply served = postBatch(gateway, batch(10, QUEUE_CAPACITY));

            assertThat(served.status()).isEqualTo(200);
            assertThat(served.json()).hasSize(QUEUE_CAPACITY);
            assertThat(upstream.received()).hasSize(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics(gateway).contains("tollgate_audit_last_seq " + QUEUE_CAPACITY + ".0"));
            // The reservation was used up by the records and given back by the writer: the queue has room again.
            // Notifications have no decision: their share of the reservation is released when the call completes.
            String notification = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1,\"progress\":1}}";
            String mixed = batch(20, 2);
            assertThat(postBatch(gateway, mixed.substring(0, mixed.length() - 1) + "," + notification + "," + notification + "]").status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics(gateway).contains("tollgate_audit_last_seq 6.0"));
            assertThat(postBatch(gateway, batch(30, QUEUE_CAPACITY)).status()).isEqualTo(200);
        } finally {
            gateway.close();
        }

        List<JsonNode> records = records(auditDir);
        assertThat(records).extracting(r -> r.path("tool").asText()).containsExactly("t10", "t11", "t12", "t13", "t20", "t21", "t30", "t31", "t32", "t33");
        assertThat(records).extracting(r -> r.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(Cli.run("audit", "verify", "--expect-seq", "10", auditDir.toString()).exit()).isZero();
    }

    @Test
    void callsAreRefusedWhileAuditWritesFailAndServedAgainOnceTheySucceed() throws Exception {
        Path full = Path.of("/dev/full");
        assertThat(Files.exists(full)).as("needs /dev/full (writes to it fail with ENOSPC); every Linux has it").isTrue();
        Path auditDir = Files.createDirectories(dir.resolve("audit"));
        Path file = AuditFiles.file(auditDir, 1);
        Files.createSymbolicLink(file, full);
        RunningGateway gateway = gateway(auditDir);
        try {
            assertThat(http.postMcp(gateway.port(), "/mcp", call(1)).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics(gateway).contains("tollgate_audit_healthy 0.0"));

            TestHttp.Reply refused = http.postMcp(gateway.port(), "/mcp", call(2));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.reason()).isEqualTo("audit_unavailable");
            assertThat(upstream.received()).hasSize(1);
            assertThat(metrics(gateway)).contains("tollgate_audit_write_failures_total", "tollgate_audit_last_seq 0.0",
                    "tollgate_rejects_total{reason=\"audit_unavailable\"} 1.0");

            // The disk "frees up": the held record is written on the next retry and calls are served again.
            Files.delete(file);
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics(gateway).contains("tollgate_audit_healthy 1.0"));
            assertThat(http.postMcp(gateway.port(), "/mcp", call(3)).status()).isEqualTo(200);
        } finally {
            gateway.close();
        }

        assertThat(records(auditDir)).extracting(r -> r.path("tool").asText()).containsExactly("t1", "t3");
        assertThat(Cli.run("audit", "verify", "--expect-seq", "2", auditDir.toString()).exit()).isZero();
    }

    @Test
    void eachA2aCallReservesOneRecordAndItsRoomComesBackOnceWritten() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"r\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"ok\"}]}}}"));
        Path auditDir = dir.resolve("audit");
        // Room for one record: a call whose reservation was not used up or given back would shut the route.
        RunningGateway gateway = RunningGateway.start(vertx, yaml(auditDir, 1).replace("path: /mcp, protocol: mcp", "path: /agent, protocol: a2a"));
        String send = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                + "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}}}";
        try {
            for (int i = 1; i <= 3; i++) {
                TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/agent").putHeader("A2A-Version", "1.0"), Buffer.buffer(send));

                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.json().has("result")).as(reply.body().toString()).isTrue();
                String written = "tollgate_audit_last_seq " + i + ".0";
                await().atMost(Duration.ofSeconds(5)).until(() -> metrics(gateway).contains(written));
            }
        } finally {
            gateway.close();
        }

        assertThat(upstream.received()).hasSize(3);
        assertThat(records(auditDir)).extracting(r -> r.path("protocol").asText()).containsExactly("a2a", "a2a", "a2a");
        assertThat(Cli.run("audit", "verify", "--expect-seq", "3", auditDir.toString()).exit()).isZero();
    }
}
