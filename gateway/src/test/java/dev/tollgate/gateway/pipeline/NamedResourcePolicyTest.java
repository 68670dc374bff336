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
              - name: no-admin-prompt
                condition: {prompt: admin-shell}
                action: deny
                message: The admin prompt is off limits.
            """;

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), POLICY, null, null);
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
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
            """)
    void aRequestNamingNothingDeniedIsForwardedAsSent(String method, String params) throws Exception {
        String body = request(method, params);

        http.postMcp(gateway.port(), "/mcp", body);

        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).body().toString()).isEqualTo(body);
    }

    private static String request(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
    }
}
