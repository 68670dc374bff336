package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AU (high where tenants are isolated by policy): an A2A 0.3 call is decided in the tenant its body names, which
 * the agent never reads; the agent runs it in its default tenant.
 *
 * <p>{@code A2aCalls.describe} puts {@code params.tenant} into the view's {@code /tenant} for every generation. A2A 0.3
 * has no tenant: @a2a-js/sdk 1.3.0's 0.3 JSON-RPC handler ({@code LegacyJsonRpcTransportHandler}: no
 * {@code context.setTenant}, {@code toCoreSendMessageRequest(rpcRequest)} with tenant "") and its 0.3 REST router
 * ({@code toCoreSendMessageRequest(..., context.tenant ?? "")}) ignore the body's {@code tenant}; only the 1.0 JSON-RPC
 * handler reads {@code params.tenant} ({@code context.setTenant}), and the SDK's task store keeps every task under
 * {@code context.tenant}. So a policy that lets agents act only in the sandbox tenant (deny {@code /tenant ne sandbox})
 * allows {@code message/send} with {@code "tenant":"sandbox"}, and the agent runs it, keeps its task and its context in
 * the default tenant, which the same policy refuses for every 1.0 call.
 *
 * <p>The agent is the real SDK echo agent, echoing {@code ctx.context.tenant} ({@code ECHO_TENANT}). Controls: a 1.0
 * SendMessage with tenant sandbox runs in sandbox; 1.0 and 0.3 sends naming no tenant are denied.
 *
 * <p>Fix: read {@code /tenant} only where the agent reads it: for a 0.3 call (JSON-RPC 0.3 names, {@code /v1/} paths)
 * the tenant is the default one (absent from the view, or ""), whatever the body says; or refuse a 0.3 call whose body
 * names a tenant (400 invalid_params), as the gateway refuses other members the agent would not read.
 */
class A2aLegacyBodyTenantReviewAUTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: sandbox-only
                condition: {all: [{protocol: a2a}, {arg: {path: /tenant, ne: sandbox}}]}
                action: deny
                message: Agents act in the sandbox tenant only.
            """;
    private static final Pattern TENANT = Pattern.compile("\\[tenant ([^\\]]*)\\]");

    @TempDir
    Path dir;

    private NodeServer agent;
    private Vertx vertx;
    private RunningGateway gateway;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", java.util.Map.of("PORT", "0", "STEP_MS", "5", "ECHO_TENANT", "1"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(policies, agent.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void aJsonRpc03SendNamingTheSandboxTenantIsNotRunInTheDefaultTenant() throws Exception {
        assertThat(tenantOf(jsonRpc10("\"tenant\":\"sandbox\","))).as("control: a 1.0 send in sandbox runs in sandbox").isEqualTo("sandbox");
        assertThat(jsonRpc10("")).as("control: a 1.0 send in the default tenant is denied").doesNotContain("wire the funds").contains("sandbox tenant only");
        assertThat(jsonRpc03("")).as("control: a 0.3 send naming no tenant is denied").doesNotContain("wire the funds").contains("sandbox tenant only");

        String answer = jsonRpc03("\"tenant\":\"sandbox\",");
        assertThat(!answer.contains("wire the funds") || "sandbox".equals(tenantOf(answer)))
                .as("the gateway decided a 0.3 message/send as one in tenant sandbox (params.tenant), which the SDK's 0.3 handler"
                        + " ignores: the agent ran it in the default tenant the policy refuses; answer: " + answer)
                .isTrue();
    }

    @Test
    void aRest03SendNamingTheSandboxTenantIsNotRunInTheDefaultTenant() throws Exception {
        assertThat(rest03("")).as("control: a 0.3 REST send naming no tenant is denied").doesNotContain("wire the funds").contains("sandbox tenant only");

        String answer = rest03("\"tenant\":\"sandbox\",");
        assertThat(!answer.contains("wire the funds") || "sandbox".equals(tenantOf(answer)))
                .as("the gateway decided a 0.3 /v1/message:send as one in tenant sandbox (the body's tenant), which the SDK's 0.3"
                        + " REST router ignores: the agent ran it in the default tenant the policy refuses; answer: " + answer)
                .isTrue();
    }

    /** The tenant the executor said it ran in, or null when the answer carries no echo. */
    private static String tenantOf(String answer) {
        Matcher m = TENANT.matcher(answer);
        return m.find() ? m.group(1) : null;
    }

    private String jsonRpc10(String tenantMember) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{" + tenantMember + "\"message\":{\"messageId\":\"m-"
                + System.nanoTime() + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"wire the funds\"}]}}}";
        return post("/agents/echo/a2a/jsonrpc", "1.0", body);
    }

    private String jsonRpc03(String tenantMember) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{" + tenantMember + "\"message\":{\"kind\":\"message\",\"messageId\":\"m-"
                + System.nanoTime() + "\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"wire the funds\"}]}}}";
        return post("/agents/echo/a2a/jsonrpc", null, body);
    }

    /** The 0.3 HTTP+JSON binding, in the proto JSON @a2a-js/sdk's 0.3 REST transport sends (parts as content). */
    private String rest03(String tenantMember) throws Exception {
        String body = "{" + tenantMember + "\"message\":{\"messageId\":\"m-" + System.nanoTime()
                + "\",\"role\":\"ROLE_USER\",\"content\":[{\"text\":\"wire the funds\"}]}}";
        return post("/agents/echo/a2a/rest/v1/message:send", null, body);
    }

    private String post(String path, String version, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (version != null) {
            request.header("A2A-Version", version);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
