package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.audit.AuditLog;
import dev.tollgate.gateway.audit.AuditRecords;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import static org.awaitility.Awaitility.await;
import dev.tollgate.gateway.audit.AuditReplay;
import dev.tollgate.gateway.support.AuditLines;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.PolicyBundle;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AC: {@code tollgate replay} "re-decides recorded calls" so a security team can see what a policy change would
 * have done to real traffic; replaying the log against the very policy that decided it must report nothing changed.
 * AuditReplay rebuilds each call from its record differently from how the gateway read it:
 * <ul>
 *   <li>numbers: the record keeps the arguments' numbers exactly ({@code 10000.0000000000001}), but replay reads the line
 *       with a plain ObjectMapper (doubles), so a call the gateway denied on {@code gt: 10000} replays as allowed (explain
 *       and tollgate pin were moved to ExactNumbers in 3df8a74; replay was not);</li>
 *   <li>protocol: an A2A record says {@code "protocol":"a2a"}, but replay never copies it, so every A2A call is
 *       re-decided as an MCP call and {@code protocol: a2a} rules never match in a replay;</li>
 *   <li>OAuth caller: the record keeps the caller's validated scopes ({@code caller.scopes}, README "OAuth"), but replay
 *       builds the identity with no claims, so a {@code scope:} rule never sees them: an allowed call of a caller holding
 *       {@code tools:write} replays as denied by {@code {not: {scope: tools:write}}}.</li>
 * </ul>
 * Each is a DENY the gateway enforced that replay reports as "DENY -> ALLOW" against the unchanged policy: the report
 * tells the team a policy change would let traffic through (or hides that it would) on decisions nobody changed.
 */
class ReplayReadsRecordsDifferentlyReviewACTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private Path audit;
    private Path policies;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        policies = Files.createDirectories(dir.resolve("policies"));
        audit = dir.resolve("audit");
        Files.writeString(policies.resolve("p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: cap, condition: {arg: {path: /amount, gt: 10000}}, action: deny, message: over the cap}
                  - {name: no-agent-sends, condition: {all: [{protocol: a2a}, {method: SendMessage}]}, action: deny, message: no A2A sends}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s, arguments: full}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                  - {name: agent, path: /agent, protocol: a2a, policy: p, upstream: "%s"}
                """.formatted(policies, audit, upstream.url("/mcp"), upstream.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private AuditReplay.Report replayAgainstTheSamePolicy() throws Exception {
        PolicyBundle bundle = PolicyLoader.loadDirectory(policies, CheckRegistry.withDefaults());
        return AuditReplay.replay(AuditFiles.inOrder(audit), bundle, null);
    }

    @Test
    void anExactDecimalDeniedLiveIsReplayedAsDenied() throws Exception {
        TestHttp.Reply live = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"pay\",\"arguments\":{\"amount\":10000.0000000000001}}}");
        assertThat(live.json().path("error").path("data").path("rule").asText()).as(live.body().toString()).isEqualTo("cap");
        assertThat(AuditLines.awaitFirst(audit, r -> "pay".equals(r.path("tool").asText()))).isNotNull();

        AuditReplay.Report report = replayAgainstTheSamePolicy();

        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged()).as("the same policy replayed over its own decision:\n" + report.render()).isEqualTo(1);
    }

    @Test
    void anA2aSendDeniedLiveIsReplayedAsDenied() throws Exception {
        TestHttp.Reply live = http.send(TestHttp.mcpPost(gateway.port(), "/agent"), Buffer.buffer(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m1\","
                        + "\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hello\"}]}}}"));
        assertThat(live.body().toString()).contains("no A2A sends");
        assertThat(AuditLines.awaitFirst(audit, r -> "a2a".equals(r.path("protocol").asText()))).as("the A2A send's record").isNotNull();

        AuditReplay.Report report = replayAgainstTheSamePolicy();

        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged()).as("the same policy replayed over its own decision:\n" + report.render()).isEqualTo(1);
    }

    @Test
    void anOAuthCallerAllowedByScopeIsReplayedAsAllowed() throws Exception {
        Files.writeString(policies.resolve("w.yaml"), """
                name: w
                defaults: {action: allow}
                rules:
                  - {name: writers-only, condition: {not: {scope: "tools:write"}}, action: deny, message: needs tools:write}
                """);
        Path unitAudit = dir.resolve("unit-audit");
        // The identity as the gateway builds it for a validated token: its scopes in claim "scope" (ScopeCondition.CLAIM).
        Identity caller = new Identity(null, null, null, null, null, null, null, List.of(),
                Map.of("scope", List.of("tools:read", "tools:write"), "oauth_sub", "alice", "client_id", "agent-app"));
        CallDescription call = new CallDescription("mcp", "tools", "tools/call", "deploy", null, null,
                new ObjectMapper().createObjectNode(), CallDescription.CLIENT_TO_SERVER);
        PolicyBundle bundle = PolicyLoader.loadDirectory(policies, CheckRegistry.withDefaults());
        Decision live = bundle.policy("w").orElseThrow().evaluate(new dev.tollgate.policy.PolicyRequest(call, caller, Instant.now()));
        assertThat(live.action()).as("the live decision for the caller holding tools:write").isEqualTo(Action.ALLOW);
        try (AuditLog log = AuditLog.open(new AuditConfig(unitAudit, AuditConfig.DEFAULT_MAX_FILE_BYTES, 100,
                AuditConfig.WhenFull.REJECT, AuditConfig.ArgumentsMode.FULL))) {
            log.offer(new AuditRecords.CallRecord(Instant.now(), call, caller, live,
                    new AuditRecords.Outcome(200, null, 1.0, 1.0, null, "1", "2025-06-18"), null, List.of(), null,
                    new ArgumentRedactor(List.of())));
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> log.written() == 1);
        }
        assertThat(Files.readString(AuditFiles.file(unitAudit, 1))).as("the record keeps the scopes").contains("\"scopes\":[\"tools:read\",\"tools:write\"]");

        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(unitAudit), bundle, null);

        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.unchanged()).as("the same policy replayed over its own decision:\n" + report.render()).isEqualTo(1);
    }
}
