package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review L, finding: PolicyStage decides a subscriptions/listen once per resource and keeps the "strongest" with
 * refusesMore, which stops looking as soon as the current decision is an enforced APPROVE (enforcedDeny() is true for
 * approve). So a listen naming a resource under an approve rule first and a denied resource second is decided APPROVE
 * (the approver is asked about the first resource's rule only); once approved (here: on-timeout allow) the whole
 * listen, the denied vault included, is forwarded. resources/subscribe of the vault is denied outright by the same policy
 * (first match: no-vault has the higher priority), so the listen is a way around a hard deny.
 */
class ListenApprovalMasksDenyReviewLTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-vault
                priority: 10
                condition: {resource: "file:///vault/*"}
                action: deny
                message: The vault is off limits.
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

    private static String request(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    @Test
    void subscribingToTheVaultIsDenied() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", request("resources/subscribe", "{\"uri\":\"file:///vault/keys\"}"));

        assertThat(reply.reason()).as(reply.body().toString()).isEqualTo("policy_denied");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aListenOnTheVaultMustStayDeniedWhenAnotherResourceNeedsApproval() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", request("subscriptions/listen",
                "{\"notifications\":{\"resourceSubscriptions\":[\"file:///reports/q3\",\"file:///vault/keys\"]}}"));

        // Fails today: decided approve-reports (approve), allowed on timeout, the vault listen forwarded.
        assertThat(upstream.received()).as(reply.body().toString()).isEmpty();
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("no-vault");
    }
}
