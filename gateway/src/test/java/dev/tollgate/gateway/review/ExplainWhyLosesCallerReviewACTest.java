package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AC, with ExplainWhyLosesTargetReviewACTest: the explain input the admin page's "why?" posts for a recent call
 * ({@code RecentDecisions.toJson}) carries the caller's SPIFFE ID, tenant, agent and sub only, and never the call's
 * protocol. The live pipeline decided on the whole AXID (capabilities, run, tree, parent, every other claim, OAuth
 * scopes) and on {@code protocol: a2a}. So:
 * <ul>
 *   <li>a caller whose AXID lists capability {@code deploy} is allowed live, and "why?" says it was denied by
 *       {@code {not: {capability: deploy}}};</li>
 *   <li>an A2A send denied live by {@code {protocol: a2a}} is explained as an MCP call and allowed by the default.</li>
 * </ul>
 */
class ExplainWhyLosesCallerReviewACTest {

    private static final String TOKEN = "review-ac-admin-token-0123456789";
    private static final String ISSUER = "https://auth.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private OctetKeyPair key;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("content-type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}"));
        http = new TestHttp(vertx);
        key = DevAxid.newKey("k1");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - {name: deployers-only, condition: {all: [{tool: deploy}, {not: {capability: deploy}}]}, action: deny, message: deployers only}
                  - {name: no-agent-sends, condition: {all: [{protocol: a2a}, {method: SendMessage}]}, action: deny, message: no A2A sends}
                """);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: tollgate, required-claims: [tenant]}}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, policy: p, upstream: "%s"}
                  - {name: agent, path: /agent, protocol: a2a, policy: p, upstream: "%s"}
                """.formatted(TOKEN, dir.resolve("policies"), jwks, ISSUER, upstream.url("/mcp"), upstream.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String axid(List<String> capabilities) throws Exception {
        return DevAxid.mint(key, ISSUER, "tollgate", Duration.ofMinutes(4), Map.of("tenant", "acme", "agent", "ops"), capabilities);
    }

    @Test
    void whyOfACallAllowedByTheCallersCapabilityExplainsTheAllow() throws Exception {
        TestHttp.Reply live = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", axid(List.of("deploy"))),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{}}}"));
        assertThat(live.json().has("result")).as("the live gateway allows the deployer: " + live.body()).isTrue();

        JsonNode why = whyOfLatest("tools/call", "allowed");

        assertThat(why.path("action").asText()).as("explain of the recorded call: " + why).isEqualTo("allow");
    }

    @Test
    void whyOfADeniedA2aSendExplainsTheDeny() throws Exception {
        TestHttp.Reply live = http.send(TestHttp.mcpPost(gateway.port(), "/agent").putHeader("X-Waxell-AXID", axid(List.of())),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m1\","
                        + "\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hello\"}]}}}"));
        assertThat(live.body().toString()).as("the live gateway denies the send").contains("no A2A sends");

        JsonNode why = whyOfLatest("SendMessage", "denied");

        assertThat(why.path("action").asText()).as("explain of the recorded call: " + why).isEqualTo("deny");
        assertThat(why.path("rule").asText()).isEqualTo("no-agent-sends");
    }

    /** What the admin page does on "why?": takes the decision's {@code explain} input and posts it to /explain. */
    private JsonNode whyOfLatest(String method, String decision) throws Exception {
        int admin = gateway.gateway().adminPort();
        // The decision is recorded once the call's response has ended (after the client has it): read until it is there.
        JsonNode decisions = null;
        JsonNode recorded = null;
        for (int i = 0; i < 50 && recorded == null; i++) {
            if (decisions != null) {
                Thread.sleep(100);
            }
            decisions = JSON.readTree(http.send(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/admin/decisions")
                    .addHeader("Authorization", "Bearer " + TOKEN), null).body().toString());
            for (JsonNode d : decisions.path("decisions")) {
                if (method.equals(d.path("method").asText())) {
                    recorded = d;
                }
            }
        }
        assertThat(recorded).as("recent decisions: " + decisions).isNotNull();
        assertThat(recorded.path("decision").asText()).isEqualTo(decision);
        TestHttp.Reply explained = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(admin).setURI("/explain")
                .addHeader("Authorization", "Bearer " + TOKEN).addHeader("Content-Type", "application/json"),
                Buffer.buffer(recorded.path("explain").toString()));
        assertThat(explained.status()).as(explained.body().toString()).isEqualTo(200);
        return JSON.readTree(explained.body().toString());
    }
}
