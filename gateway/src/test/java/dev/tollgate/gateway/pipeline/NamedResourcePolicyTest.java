package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code resource:} and {@code prompt:} rules cover every request that names the resource or prompt, not only the read:
 * a denied resource cannot be subscribed to (its update notifications), nor a denied template's or prompt's argument
 * values listed by {@code completion/complete}, nor watched among a 2026 {@code subscriptions/listen}'s resources (one
 * denied resource refuses the listen). What names nothing denied is forwarded as sent.
 */
class NamedResourcePolicyTest {

    private static final String POLICY = """
            name: named
            defaults: {action: allow}
            rules:
              - name: no-vault
                condition: {resource: "file:///vault/*"}
                action: deny
                message: The vault is off limits.
              - name: no-watching-secrets
                condition: {all: [{method: resources/subscribe}, {resource: "file:///secrets/*"}]}
                action: deny
                message: Secrets may be read, not watched.
              - name: no-admin-prompt
                condition: {prompt: admin-shell}
                action: deny
                message: The admin prompt is off limits.
              - name: approve-reports
                condition: {resource: "file:///reports/*"}
                action: approve
                message: reports need a nod
                approval: {timeout: 1s, on-timeout: allow, approvers: [ops-oncall]}
            """;

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RecordingUpstream webhook;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        webhook = new RecordingUpstream(vertx);
        webhook.answer(r -> r.response().setStatusCode(204).end());
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null,
                "approvals:\n  webhook: {url: \"" + webhook.url("/hook") + "\", secret: s3cret}\n");
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        webhook.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clear() {
        upstream.received().clear();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiterString = " => ", textBlock = """
            resources/read        => {"uri":"file:///vault/keys"}                                                                      => no-vault
            resources/subscribe   => {"uri":"file:///vault/keys"}                                                                      => no-vault
            resources/unsubscribe => {"uri":"file:///vault/keys"}                                                                      => no-vault
            completion/complete   => {"ref":{"type":"ref/resource","uri":"file:///vault/{name}"},"argument":{"name":"name","value":"k"}} => no-vault
            completion/complete   => {"ref":{"type":"ref/prompt","name":"admin-shell"},"argument":{"name":"cmd","value":"r"}}          => no-admin-prompt
            subscriptions/listen  => {"notifications":{"resourceSubscriptions":["file:///vault/keys"]}}                                 => no-vault
            subscriptions/listen  => {"notifications":{"toolsListChanged":true,"resourceSubscriptions":["file:///public.txt","file:///vault/keys"]}} => no-vault
            resources/subscribe   => {"uri":"file:///secrets/db"}                                                                      => no-watching-secrets
            subscriptions/listen  => {"notifications":{"resourceSubscriptions":["file:///secrets/db"]}}                                 => no-watching-secrets
            """)
    void aRequestNamingADeniedResourceOrPromptIsDenied(String method, String params, String rule) throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", request(method, params));

        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("policy_denied");
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo(rule);
        assertThat(upstream.received()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiterString = " => ", textBlock = """
            resources/subscribe => {"uri":"file:///public.txt"}
            completion/complete => {"ref":{"type":"ref/resource","uri":"file:///docs/{page}"},"argument":{"name":"page","value":"a"}}
            completion/complete => {"ref":{"type":"ref/prompt","name":"summarize"},"argument":{"name":"text","value":"a"}}
            subscriptions/listen => {"notifications":{"toolsListChanged":true,"resourceSubscriptions":["file:///public.txt","file:///docs/a"]}}
            subscriptions/listen => {"notifications":{"promptsListChanged":true}}
            resources/read => {"uri":"file:///secrets/db"}
            """)
    void aRequestNamingNothingDeniedIsForwardedAsSent(String method, String params) throws Exception {
        String body = request(method, params);

        http.postMcp(gateway.port(), "/mcp", body);

        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).body().toString()).isEqualTo(body);
    }

    /**
     * A listen naming a resource held for approval and a denied one is denied: the deny outranks the approval (review L:
     * the first reading's approval was kept, and once approved, here on timeout, the vault listen was forwarded).
     */
    @org.junit.jupiter.api.Test
    void aDeniedResourceOutranksAnotherThatNeedsApproval() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", request("subscriptions/listen",
                "{\"notifications\":{\"resourceSubscriptions\":[\"file:///reports/q3\",\"file:///vault/keys\"]}}"));

        assertThat(reply.json().path("error").path("data").path("rule").asText()).as(reply.body().toString()).isEqualTo("no-vault");
        assertThat(upstream.received()).isEmpty();
    }

    private static String request(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
    }
}
