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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review CK 1: fix AY's "route does not list" memory ({@code ToolListAsks.notListing}, one minute, route-wide) is set by
 * ANY JSON-RPC error answering the gateway's own list, and that list is built from one caller's request: its end-to-end
 * headers and every {@code io.modelcontextprotocol/*} key of its call's {@code _meta} (on any protocol version). A caller
 * that makes its upstream answer the list with an error (here: a server that validates {@code clientInfo} in {@code _meta},
 * answering -32602 at HTTP 200 as the SDKs answer a handler's failure) turns the declared-enum check off for every caller
 * of the route for a minute, and again each minute. A 5xx to the same list refuses the call; a JSON-RPC error disarms
 * the check for everyone. Expected: caller B's out-of-enum value is refused whatever caller A sent before.
 */
class ToolListRouteWidePoisonReviewCKTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISSUER = "https://auth.test";
    private static final String AUDIENCE = "tollgate";
    private static final String WIPE = "{\"name\":\"wipe\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
            + "{\"mode\":{\"type\":\"string\",\"enum\":[\"SAFE\"]}}}}";

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
        upstream.answerGatewayLists();
        upstream.answer(request -> {
            JsonNode body = read(upstream.received().get(upstream.received().size() - 1).body());
            String answer;
            if ("tools/list".equals(body.path("method").asText())) {
                JsonNode info = body.path("params").path("_meta").get("io.modelcontextprotocol/clientInfo");
                answer = info != null && !info.isObject()
                        ? "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"error\":{\"code\":-32602,\"message\":\"Invalid _meta\"}}"
                        : "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"tools\":[" + WIPE + "]}}";
            } else {
                answer = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"wiped\"}]}}";
            }
            request.response().putHeader("content-type", "application/json").end(answer);
        });
        key = DevAxid.newKey("k1");
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies").resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        http = new TestHttp(vertx);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                identity: {axid: {jwks-file: %s, issuer: "%s", audience: %s, required-claims: [tenant]}}
                routes:
                  - {name: upstream, path: /mcp, protocol: mcp, upstream: "%s", policy: p, list-unknown-tools: true}
                """.formatted(dir.resolve("policies"), dir.resolve("jwks.json"), ISSUER, AUDIENCE, upstream.url("/mcp")));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Control: without caller A's call first, caller B's out-of-enum value is refused (fix AY working). */
    @Test
    void withoutTheOtherCallersRequestTheValueIsRefused() throws Exception {
        JsonNode answer = call(token("tenant-b"), 2, "\"DESTROY\"", null);
        assertThat(answer.path("error").path("data").path("reason").asText()).as(answer.toString())
                .isEqualTo("argument_outside_declared_enum");
    }

    @Test
    void oneCallersMetaThatMakesTheListFailTurnsTheCheckOffForEveryCaller() throws Exception {
        // Caller A: a call whose _meta carries a clientInfo the upstream rejects; the gateway copies it into its own list.
        call(token("tenant-a"), 1, "\"SAFE\"", "{\"io.modelcontextprotocol/clientInfo\":1}");
        // Caller B, another tenant, an ordinary call with a value outside the tool's declared enum.
        JsonNode answer = call(token("tenant-b"), 2, "\"DESTROY\"", null);
        assertThat(answer.path("error").path("data").path("reason").asText())
                .as("caller B's out-of-enum call after caller A's (upstream got: %s)", methods()).isEqualTo("argument_outside_declared_enum");
    }

    private List<String> methods() {
        return upstream.received().stream().map(r -> read(r.body()).path("method").asText()).toList();
    }

    private JsonNode call(String token, int id, String mode, String meta) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token);
        TestHttp.Reply reply = http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"wipe\",\"arguments\":{\"mode\":" + mode + "}"
                + (meta == null ? "" : ",\"_meta\":" + meta) + "}}"));
        String text = reply.body().toString();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }

    private String token(String tenant) throws Exception {
        Map<String, Object> claims = new HashMap<>();
        claims.put("tenant", tenant);
        claims.put("agent", "planner");
        claims.put("sub", tenant + "-user");
        return DevAxid.mint(key, ISSUER, AUDIENCE, Duration.ofMinutes(4), claims, List.of());
    }

    private static JsonNode read(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
