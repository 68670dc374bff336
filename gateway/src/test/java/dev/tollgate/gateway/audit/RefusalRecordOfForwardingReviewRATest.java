package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RefusingPort;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review RA: the audit record of a call the gateway refused before policy ({@code refused_before_policy}) was also
 * written for a request policy never decides (session plumbing: {@code initialize}) whose forwarding found its upstream
 * down: an enforced deny of policy {@code tollgate-gateway} for what was no refusal at all (the gateway tried to forward
 * it, as it forwards every initialize), and a plumbing request's params on record, where a decided call whose upstream
 * is down is recorded as its policy's allow with the error. An identified caller (AXID), a real gateway, an upstream port
 * that refuses connections.
 */
class RefusalRecordOfForwardingReviewRATest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private RefusingPort down;
    private RunningGateway gateway;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        down = new RefusingPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        http.close();
        down.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anInitializeWhoseUpstreamIsDownIsNoRefusalBeforePolicy() throws Exception {
        TenantTokens tokens = TenantTokens.in(dir);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Path audit = dir.resolve("audit");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s, arguments: full, when-full: reject}
                %s
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s", connect-timeout: 2s}
                """.formatted(policies, audit, tokens.identityYaml().strip(), down.url("/mcp")));

        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", tokens.token("globex", "planner")),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("upstream_unavailable");

        gateway.close();
        gateway = null;
        List<JsonNode> records = new ArrayList<>();
        for (Path file : AuditFiles.inOrder(audit)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                records.add(JSON.readTree(line));
            }
        }
        assertThat(records).as("forwarded (its upstream down), not refused by the gateway: no refused_before_policy record")
                .noneMatch(r -> "refused_before_policy".equals(r.at("/decision/rule").asText()));
    }
}
