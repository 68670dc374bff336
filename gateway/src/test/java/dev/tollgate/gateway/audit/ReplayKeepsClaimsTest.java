package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate replay} re-decides recorded calls; a rule on a custom claim (an AXID's {@code role}, a token's) read
 * nothing in a replay, since records kept no custom claim: every payroll admin's allowed call replayed as denied by the
 * very policy that allowed it (review AM's open suspicion). Records now keep the claims the loaded policies read, null
 * for one the caller lacked, and nothing else of the token; a replaying policy reading a claim the records did not keep
 * is said in the report.
 */
class ReplayKeepsClaimsTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: salaries-need-the-role
                condition: {all: [{tool: salaries}, {not: {claim: {name: role, eq: payroll-admin}}}]}
                action: deny
            """;
    /** An AGT document reading the claim as AGT fields do: the claim of that name, else the argument. */
    private static final String AGT_ON_REGION = """
            name: regions
            defaults: {action: allow}
            rules:
              - name: eu-only
                condition: {field: region, operator: ne, value: eu}
                action: deny
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private TestHttp http;
    private RunningGateway gateway;
    private OctetKeyPair key;
    private Path audit;
    private Path policies;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        audit = dir.resolve("audit");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s, arguments: full}
                identity: {axid: {jwks-file: %s, issuer: "https://auth.test", audience: tollgate}}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                """.formatted(policies, audit, dir.resolve("jwks.json"), upstream.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDecisionOnACustomClaimReplaysAsDecidedAndTheRecordKeepsOnlyTheClaimsPoliciesRead() throws Exception {
        assertThat(callSalaries("carol", Map.of("role", "payroll-admin", "email", "carol@acme.test")).body().toString())
                .as("control: a payroll admin is allowed").doesNotContain("\"error\"");
        assertThat(callSalaries("bob", Map.of("role", "viewer")).reason()).isEqualTo("policy_denied");
        assertThat(callSalaries("dave", Map.of()).reason()).isEqualTo("policy_denied");
        List<JsonNode> records = awaitRecords(3);

        JsonNode carol = bySub(records, "carol").path("caller");
        assertThat(carol.path("claims").path("role").asText()).isEqualTo("payroll-admin");
        assertThat(carol.path("claims").has("email")).as("a claim no policy reads is not copied into the record").isFalse();
        JsonNode dave = bySub(records, "dave").path("caller");
        assertThat(dave.path("claims").has("role")).as("a claim the caller lacked is kept as null").isTrue();
        assertThat(dave.path("claims").get("role").isNull()).isTrue();

        AuditReplay.Report same = AuditReplay.replay(AuditFiles.inOrder(audit), bundle(), null);
        assertThat(same.replayed()).isEqualTo(3);
        assertThat(same.unchanged()).as("the same policy replayed over its own decisions:\n" + same.render()).isEqualTo(3);
        assertThat(same.withoutClaims()).isZero();
        assertThat(same.render()).doesNotContain("kept no value of a claim");
    }

    @Test
    void aReplayingPolicyReadingAClaimTheRecordsDidNotKeepIsSaid() throws Exception {
        callSalaries("carol", Map.of("role", "payroll-admin", "region", "eu"));
        awaitRecords(1);
        Files.writeString(policies.resolve("regions.yaml"), AGT_ON_REGION);

        AuditReplay.Report report = AuditReplay.replay(AuditFiles.inOrder(audit), bundle(), "regions");

        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.withoutClaims()).isEqualTo(1);
        assertThat(report.render()).contains("1 record(s) kept no value of a claim the policy reads");
    }

    private PolicyBundle bundle() throws Exception {
        return PolicyLoader.loadDirectory(policies, CheckRegistry.withDefaults());
    }

    /** The calls' records: the log's lines once {@code count} of them are there (the writer writes after the answer). */
    private List<JsonNode> awaitRecords(int count) throws Exception {
        for (String sub : List.of("carol", "bob", "dave").subList(0, count)) {
            assertThat(AuditLines.awaitFirst(audit, r -> sub.equals(r.path("caller").path("sub").asText()))).as(sub + "'s record").isNotNull();
        }
        List<JsonNode> records = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(AuditFiles.file(audit, 1))) {
            records.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
        }
        return records;
    }

    private static JsonNode bySub(List<JsonNode> records, String sub) {
        return records.stream().filter(r -> sub.equals(r.path("caller").path("sub").asText())).findFirst().orElseThrow();
    }

    private TestHttp.Reply callSalaries(String subUser, Map<String, Object> extra) throws Exception {
        Map<String, Object> claims = new HashMap<>(Map.of("tenant", "acme", "agent", "planner", "sub", subUser, "run", "run-" + subUser,
                "parent", "root", "tree", "tree-" + subUser));
        claims.putAll(extra);
        String axid = DevAxid.mint(key, "https://auth.test", "tollgate", Duration.ofMinutes(4), claims, List.of());
        return http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", axid),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"salaries\",\"arguments\":{}}}"));
    }
}
