package dev.tollgate.gateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as the OAuth resource server of a route, against a real authorization server
 * (mock-oauth2-server: discovery metadata, JWKS, RS256 tokens): it serves the route's protected-resource metadata,
 * challenges calls without a token with its own {@code resource_metadata}, validates tokens (forged, expired, for
 * another resource, lacking a scope: each its own stable reason), lets policy read the token's scopes, and never
 * forwards the client's token: the upstream gets its own credential.
 */
class OAuthResourceServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private McpFixtureServer fixture;
    private TestHttp http;
    private RunningGateway gateway;
    private String resource;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":11,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}"));
        fixture = McpFixtureServer.start(0);
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: adding-needs-the-admin-scope
                    condition: {all: [{tool: add}, {not: {scope: "tools:admin"}}]}
                    action: deny
                """);
        int port = freePort();
        resource = "http://127.0.0.1:" + port + "/mcp";
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: %d}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s, arguments: full}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "%s"
                      issuer: "%s"
                      required-scopes: ["tools:read"]
                      upstream-credential: {header: Authorization, value: "Bearer upstream-own-secret"}
                  - name: sdk
                    path: /sdk
                    protocol: mcp
                    policy: p
                    upstream: "http://127.0.0.1:%d/mcp"
                    oauth:
                      resource: "http://127.0.0.1:%d/sdk"
                      issuer: "%s"
                      scopes-supported: ["openid", "tools:read"]
                  - name: opaque
                    path: /opaque
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/opaque"
                      issuer: "%s"
                      introspection: {url: "%s/introspect", client-id: tollgate, client-secret: gateway-secret}
                  - name: client-credentials
                    path: /cc
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/cc"
                      issuer: "%s"
                      upstream-credential:
                        client-credentials: {token-url: "%s/token", client-id: tollgate-gateway, client-secret: s3cret, resource: "http://upstream.internal/mcp"}
                  - name: token-exchange
                    path: /tx
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/tx"
                      issuer: "%s"
                      upstream-credential:
                        token-exchange: {token-url: "%s/token", client-id: tollgate-gateway, client-secret: s3cret, resource: "http://upstream.internal/mcp"}
                  - name: dead-token-endpoint
                    path: /ccdead
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/ccdead"
                      issuer: "%s"
                      upstream-credential:
                        client-credentials: {token-url: "http://127.0.0.1:9/token", client-id: tollgate-gateway, client-secret: s3cret, resource: "http://upstream.internal/mcp"}
                  - name: dead-introspection
                    path: /dead
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "http://127.0.0.1:%d/dead"
                      issuer: "%s"
                      introspection: {url: "http://127.0.0.1:9/introspect", client-id: tollgate, client-secret: gateway-secret}
                """.formatted(port, dir.resolve("policies"), dir.resolve("audit"), upstream.url("/mcp"), resource, issuer(), fixture.port(), port, issuer(),
                        upstream.url("/mcp"), port, issuer(), issuer(), upstream.url("/mcp"), port, issuer(), issuer(),
                        upstream.url("/mcp"), port, issuer(), issuer(), upstream.url("/mcp"), port, issuer(), upstream.url("/mcp"), port, issuer()));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        http.close();
        upstream.close();
        fixture.close();
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCallWithoutATokenIsChallengedWithTheGatewaysOwnMetadata() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", CALL);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.reason()).isEqualTo("oauth_token_missing");
        String metadataUrl = "http://127.0.0.1:" + gateway.port() + "/.well-known/oauth-protected-resource/mcp";
        assertThat(reply.headers().get("WWW-Authenticate")).startsWith("Bearer resource_metadata=\"" + metadataUrl + "\"");
        assertThat(upstream.received()).isEmpty();
        JsonNode metadata = get("/.well-known/oauth-protected-resource/mcp");
        assertThat(metadata.path("resource").asText()).isEqualTo(resource);
        assertThat(metadata.path("authorization_servers").get(0).asText()).isEqualTo(issuer());
        assertThat(metadata.path("scopes_supported").get(0).asText()).isEqualTo("tools:read");
        // Two routes have oauth: the root form names neither (404), each path form its own.
        assertThat(http.send(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/.well-known/oauth-protected-resource"), null)
                .status()).isEqualTo(404);
        assertThat(get("/.well-known/oauth-protected-resource/sdk").path("resource").asText()).endsWith("/sdk");
    }

    @Test
    void aValidTokenIsCheckedAndNeverForwardedTheUpstreamGetsItsOwnCredential() throws Exception {
        String token = token("alice", List.of(resource), "tools:read tools:write", 3600);
        TestHttp.Reply reply = call("/mcp", token, CALL);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("ok");
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).headers().getAll("Authorization")).containsExactly("Bearer upstream-own-secret");
        assertThat(upstream.received().get(0).headers().toString()).doesNotContain(token);
        // The audit says who called (subject, client, scopes), never with the token.
        Path file = dev.tollgate.gateway.audit.AuditFiles.file(dir.resolve("audit"), 1);
        String line = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file)
                ? Files.readAllLines(file).stream().filter(l -> l.contains("tools/call")).findFirst().orElse(null) : null, l -> l != null);
        JsonNode caller = JSON.readTree(line).path("caller");
        assertThat(caller.path("oauth_sub").asText()).isEqualTo("alice");
        assertThat(caller.path("client_id").asText()).isEqualTo("agent-client");
        assertThat(caller.path("scopes").toString()).isEqualTo("[\"tools:read\",\"tools:write\"]");
        assertThat(line).doesNotContain(token);
    }

    /** The base64url character with the same data bits and the lowest bit flipped: unused in an RS256 signature's last character (256 bytes: 2 data bits, 4 unused). */
    private static char unusedBitFlipped(char last) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet.charAt(alphabet.indexOf(last) ^ 1);
    }

    @Test
    void forgedExpiredForeignAndUnderScopedTokensAreRefusedEachWithItsReason() throws Exception {
        String valid = token("alice", List.of(resource), "tools:read", 3600);
        String[] parts = valid.split("\\.");
        String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1])).replace("alice", "admin").getBytes());
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "." + parts[1] + ".";
        // Spellings of the valid token that Nimbus's lenient base64url decoder reads as the same bytes: each verified,
        // and each took its own entry in the verified-token cache (10,000 of them for one token).
        String withBang = parts[0] + "." + parts[1] + ".!" + parts[2];
        String padded = valid + "==";
        String unusedBitSet = valid.substring(0, valid.length() - 1) + unusedBitFlipped(valid.charAt(valid.length() - 1));
        Map<String, String> table = Map.of(
                parts[0] + "." + forgedPayload + "." + parts[2], "oauth_token_invalid",
                withBang, "oauth_token_invalid",
                padded, "oauth_token_invalid",
                unusedBitSet, "oauth_token_invalid",
                unsigned, "oauth_token_invalid",
                "not-a-jwt", "oauth_token_invalid",
                token("alice", List.of(resource), "tools:read", -120), "oauth_token_expired",
                token("alice", List.of("http://127.0.0.1:1/other"), "tools:read", 3600), "oauth_wrong_audience",
                token("alice", List.of(resource), "tools:write", 3600), "oauth_insufficient_scope");
        for (Map.Entry<String, String> row : table.entrySet()) {
            TestHttp.Reply reply = call("/mcp", row.getKey(), CALL);
            assertThat(reply.reason()).as(row.getValue()).isEqualTo(row.getValue());
            assertThat(reply.status()).as(row.getValue()).isEqualTo(row.getValue().equals("oauth_insufficient_scope") ? 403 : 401);
            assertThat(reply.headers().get("WWW-Authenticate")).as(row.getValue()).contains("resource_metadata=")
                    .contains(row.getValue().equals("oauth_insufficient_scope") ? "error=\"insufficient_scope\"" : "error=\"invalid_token\"");
        }
        // A token issued by another authorization server, for this very resource.
        MockOAuth2Server other = new MockOAuth2Server();
        other.start();
        try {
            SignedJWT foreign = other.issueToken("as", "client", new DefaultOAuth2TokenCallback("as", "alice", "JWT", List.of(resource),
                    Map.of("scope", "tools:read"), 3600));
            assertThat(call("/mcp", foreign.serialize(), CALL).reason()).isEqualTo("oauth_token_invalid");
        } finally {
            other.shutdown();
        }
        TestHttp.Reply twoTokens = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").addHeader("Authorization", "Bearer " + valid)
                .addHeader("Authorization", "Bearer " + valid), Buffer.buffer(CALL));
        assertThat(twoTokens.reason()).isEqualTo("oauth_token_invalid");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void theOfficialSdkClientCallsToolsWithItsTokenAndPolicySeesTheScopes() throws Exception {
        String reader = token("bob", List.of("http://127.0.0.1:" + gateway.port() + "/sdk"), "tools:read", 3600);
        String admin = token("carol", List.of("http://127.0.0.1:" + gateway.port() + "/sdk"), "tools:read tools:admin", 3600);
        try (McpSyncClient client = sdkClient(reader)) {
            client.initialize();
            assertThat(((McpSchema.TextContent) client.callTool(McpSchema.CallToolRequest.builder("echo").arguments(Map.of("text", "hi")).build()).content().get(0)).text())
                    .isEqualTo("hi");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 1, "b", 2)).build()))
                    .hasMessageContaining("adding-needs-the-admin-scope");
        }
        try (McpSyncClient client = sdkClient(admin)) {
            client.initialize();
            assertThat(((McpSchema.TextContent) client.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 1, "b", 2)).build()).content().get(0)).text())
                    .isEqualTo("3.0");
        }
    }

    @Test
    void theTypeScriptSdkClientDiscoversTheGatewaySignsInAndCallsTools() throws Exception {
        String sdkResource = "http://127.0.0.1:" + gateway.port() + "/sdk";
        // The next token the authorization server issues (for the code the client exchanges) is for the gateway's route.
        authorizationServer.enqueueCallback(new DefaultOAuth2TokenCallback("as", "dana", "JWT", List.of(sdkResource),
                Map.of("scope", "tools:read"), 3600));
        dev.tollgate.gateway.support.NodePeers.Result result = dev.tollgate.gateway.support.NodePeers.run(60, "ts-oauth-client.mjs",
                sdkResource, "tollgate-test-client");
        assertThat(result.exitCode()).as(result.output()).isZero();
        JsonNode seen = JSON.readTree(result.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        // The SDK found the authorization server through the gateway's metadata and asked for a token for the gateway's URL.
        assertThat(seen.path("resource").asText()).isEqualTo(sdkResource);
        assertThat(seen.path("authorizationEndpoint").asText()).startsWith(issuer());
        assertThat(seen.path("codeChallengeMethod").asText()).isEqualTo("S256");
        // The scopes the gateway advertised (WWW-Authenticate and metadata) are the ones the client asked for.
        assertThat(seen.path("scope").asText()).isEqualTo("openid tools:read");
        assertThat(seen.path("tools").toString()).contains("echo");
        assertThat(seen.path("echo").get(0).path("text").asText()).isEqualTo("signed in");
    }

    @Test
    void introspectedTokensAreAcceptedOnlyWhenTheServerSaysTheyAreActiveAndForThisRoute() throws Exception {
        String opaque = "http://127.0.0.1:" + gateway.port() + "/opaque";
        TestHttp.Reply ok = call("/opaque", token("erin", List.of(opaque), "tools:read", 3600), CALL);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("result").isObject()).isTrue();
        assertThat(call("/opaque", token("erin", List.of(resource), "tools:read", 3600), CALL).reason()).isEqualTo("oauth_wrong_audience");
        assertThat(call("/opaque", "opaque-token-the-server-never-issued", CALL).reason()).isEqualTo("oauth_token_invalid");
        TestHttp.Reply down = call("/dead", token("erin", List.of("http://127.0.0.1:" + gateway.port() + "/dead"), "tools:read", 3600), CALL);
        assertThat(down.status()).isEqualTo(401);
        assertThat(down.reason()).isEqualTo("oauth_introspection_failed");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void theUpstreamGetsATokenOfItsOwnByClientCredentialsOrByExchangingTheCallersToken() throws Exception {
        String callerToken = token("frank", List.of("http://127.0.0.1:" + gateway.port() + "/cc"), "tools:read", 3600);
        assertThat(call("/cc", callerToken, CALL).status()).isEqualTo(200);
        assertThat(call("/cc", callerToken, CALL).status()).isEqualTo(200);
        String first = upstream.received().get(0).headers().get("Authorization");
        assertThat(first).startsWith("Bearer ").isNotEqualTo("Bearer " + callerToken);
        // One token for the gateway, reused until it nears expiry.
        assertThat(upstream.received().get(1).headers().get("Authorization")).isEqualTo(first);
        assertThat(SignedJWT.parse(first.substring(7)).getJWTClaimsSet().getSubject()).isEqualTo("tollgate-gateway");

        String exchanged = token("grace", List.of("http://127.0.0.1:" + gateway.port() + "/tx"), "tools:read", 3600);
        assertThat(call("/tx", exchanged, CALL).status()).isEqualTo(200);
        String delegated = upstream.received().get(2).headers().get("Authorization");
        assertThat(delegated).isNotEqualTo("Bearer " + exchanged);
        // Token exchange carries the user to the upstream, in a token issued for the upstream.
        assertThat(SignedJWT.parse(delegated.substring(7)).getJWTClaimsSet().getSubject()).isEqualTo("grace");
        // No token for the upstream: the call fails (502), it never falls back to forwarding the caller's token.
        TestHttp.Reply noToken = call("/ccdead", token("frank", List.of("http://127.0.0.1:" + gateway.port() + "/ccdead"), "tools:read", 3600), CALL);
        assertThat(noToken.status()).isEqualTo(502);
        assertThat(noToken.reason()).isEqualTo("upstream_credential_unavailable");
        assertThat(upstream.received()).hasSize(3);
    }

    @Test
    void anUnreachableAuthorizationServerFailsTheLoadNamingIt() {
        String yaml = """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    upstream: "http://127.0.0.1:9/mcp"
                    oauth: {resource: "http://127.0.0.1:8080/mcp", issuer: "http://127.0.0.1:9/nowhere"}
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunningGateway.start(vertx, yaml))
                .hasRootCauseInstanceOf(ConfigException.class).rootCause().hasMessageContaining("routes[0].oauth.issuer")
                .hasMessageContaining("http://127.0.0.1:9/nowhere");
    }

    private McpSyncClient sdkClient(String token) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + gateway.port()).endpoint("/sdk")
                        .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token)).build())
                .requestTimeout(Duration.ofSeconds(20)).build();
    }

    private String issuer() {
        return authorizationServer.issuerUrl("as").toString().replaceAll("/+$", "");
    }

    private String token(String subject, List<String> audience, String scope, long expirySeconds) {
        return authorizationServer.issueToken("as", "agent-client", new DefaultOAuth2TokenCallback("as", subject, "JWT", audience,
                Map.of("scope", scope, "client_id", "agent-client"), expirySeconds)).serialize();
    }

    private TestHttp.Reply call(String path, String token, String body) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), path).putHeader("Authorization", "Bearer " + token), Buffer.buffer(body));
    }

    private JsonNode get(String path) throws Exception {
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port()).setURI(path), null);
        assertThat(reply.status()).as(path).isEqualTo(200);
        return JSON.readTree(reply.body().getBytes());
    }

    private static int freePort() throws Exception {
        return dev.tollgate.gateway.support.TestPorts.unclaimed();
    }
}
