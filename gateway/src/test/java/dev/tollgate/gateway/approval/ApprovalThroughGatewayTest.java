package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.audit.AuditFiles;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.sdk.McpFixtureServer;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.check.CheckRegistry;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code approve} rules through a running gateway, with the official MCP Java SDK client and server on either side:
 * the call is held (the upstream sees nothing), the approver's webhook gets it signed, and a decision through the
 * admin API releases or refuses it; timeouts, a client that leaves, a reload, a stop and batches each end it as
 * documented, and the audit record says who decided what.
 */
class ApprovalThroughGatewayTest {

    private static final String TOKEN = "approvals-admin-token-0123456789";
    private static final String SECRET = "webhook-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: approve-add
                condition: {tool: add}
                action: approve
                message: adding needs a person
                approval: {timeout: %s, on-timeout: %s, approvers: [ops-oncall]}
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private McpFixtureServer fixture;
    private RecordingUpstream webhook;
    /** A sessionless upstream for calls sent without an SDK client (route /raw). */
    private RecordingUpstream plain;
    private TestHttp http;
    private Gateway gateway;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        fixture = McpFixtureServer.start(0);
        webhook = new RecordingUpstream(vertx);
        webhook.answer(r -> r.response().setStatusCode(204).end());
        plain = new RecordingUpstream(vertx);
        plain.answer(r -> {
            String body = plain.received().get(plain.received().size() - 1).body().toString();
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            r.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}");
        });
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        policy("30s", "deny");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        if (gateway != null) {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        http.close();
        webhook.close();
        plain.close();
        fixture.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * Brief DD: the line logged when a call is held read the tool's name with the always-on detectors only, so a name
     * holding what the route policy detects (an e-mail address, under a rule detecting them) was logged in clear. It is read
     * with the policy's detectors too, as every other written name is. The approver's webhook shows the name whole (a
     * person decides on it).
     */
    @Test
    void theHeldCallsLogLineWritesWhatTheRoutePolicyDetectsInTheToolsNameAsItsMarker() throws Exception {
        String email = "alice.smith@example.com";
        String tool = "notify-" + email;
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: no-emails
                    condition: {all: [{direction: result}, {check: {name: pii, args: {kinds: [email]}}}]}
                    action: redact
                  - name: approve-notify
                    condition: {tool: "%s"}
                    action: approve
                    message: notifying needs a person
                    approval: {timeout: 30s, on-timeout: deny, approvers: [ops-oncall]}
                """.formatted(tool));
        fixture.addTool(tool, "Notifies");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(Approvals.class);
        logger.addAppender(log);
        try {
            gateway = start("");
            McpSyncClient client = sdkClient();
            CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(
                    () -> client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(Map.of()).build()));
            JsonNode announced = awaitWebhook(0);
            assertThat(announced.path("tool").asText()).as("the approver's view, by design").isEqualTo(tool);
            String id = announced.path("id").asText();
            String line = await().atMost(Duration.ofSeconds(10)).until(() -> log.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(l -> l.startsWith("approval " + id + ": tools/call")).findFirst().orElse(null), l -> l != null);
            assertThat(line).contains("tools/call [REDACTED:pii] on route tools held for").doesNotContain(email);
            admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"alice\"}");
            assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).hasMessageContaining("denied");
            assertThat(fixture.toolCalls()).doesNotContain(tool);
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aCallApprovedThroughTheAdminApiGoesOnAndTheAuditSaysWhoApproved() throws Exception {
        gateway = start("");
        McpSyncClient client = sdkClient();
        CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(
                () -> client.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 2, "b", 3)).build()));
        JsonNode announced = awaitWebhook(0);
        assertThat(announced.path("tool").asText()).isEqualTo("add");
        assertThat(announced.path("arguments")).isEqualTo(JSON.readTree("{\"a\":2,\"b\":3}"));
        assertThat(announced.path("rule").asText()).isEqualTo("approve-add");
        assertThat(announced.path("approvers").get(0).asText()).isEqualTo("ops-oncall");
        assertThat(announced.path("state").asText()).isEqualTo("pending");
        String id = announced.path("id").asText();
        assertThat(announced.path("links").path("decide").asText()).isEqualTo("http://127.0.0.1:" + gateway.adminPort() + "/approvals/" + id);
        // Signed over the exact body, as the receiver can check.
        RecordingUpstream.Received delivery = webhook.received().get(0);
        assertThat(delivery.headers().get("X-Tollgate-Signature")).isEqualTo("sha256=" + ApprovalWebhook.sign(SECRET, delivery.body().getBytes()));
        assertThat(fixture.toolCalls()).doesNotContain("add");
        assertThat(held).isNotDone();
        TestHttp.Reply listed = admin(HttpMethod.GET, "/approvals", null);
        assertThat(listed.json().path("pending").get(0).path("id").asText()).isEqualTo(id);
        assertThat(gateway.metrics().scrape()).contains("tollgate_approvals_pending 1.0");

        TestHttp.Reply decided = admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\",\"reason\":\"change ticket 42\"}");
        assertThat(decided.status()).isEqualTo(200);
        assertThat(decided.json().path("outcome").asText()).isEqualTo("approved");
        assertThat(((McpSchema.TextContent) held.get(10, TimeUnit.SECONDS).content().get(0)).text()).isEqualTo("5.0");
        assertThat(fixture.toolCalls()).containsOnlyOnce("add");
        // A second decision on an ended approval is refused with what it ended as.
        TestHttp.Reply again = admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"mallory\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("decision").path("by").asText()).isEqualTo("alice");

        JsonNode record = await().atMost(Duration.ofSeconds(5)).until(() -> auditRecord("add"), r -> r != null);
        assertThat(record.path("decision").path("action").asText()).isEqualTo("approve");
        assertThat(record.path("decision").path("enforced").asBoolean()).isFalse();
        assertThat(record.path("approval").path("id").asText()).isEqualTo(id);
        assertThat(record.path("approval").path("outcome").asText()).isEqualTo("approved");
        assertThat(record.path("approval").path("by").asText()).isEqualTo("alice");
        assertThat(record.path("approval").path("reason").asText()).isEqualTo("change ticket 42");
        assertThat(record.path("outcome").path("status").asInt()).isEqualTo(200);
        assertThat(gateway.metrics().scrape()).contains("tollgate_approvals_total{outcome=\"approved\"} 1.0");

        // Replay treats the past approval as recorded: under the same policy nothing changes; a policy that now
        // allows the tool outright reports the approved call as a change of kind, not as a new approval to wait for.
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        gateway = null;
        Path audit = dir.resolve("audit");
        assertThat(dev.tollgate.gateway.support.Cli.run("replay", "--audit", audit.toString(), "--policies", dir.resolve("policies").toString())
                .exit()).isZero();
        Path relaxed = Files.createDirectories(dir.resolve("relaxed"));
        Files.writeString(relaxed.resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        dev.tollgate.gateway.support.Cli.Result replay = dev.tollgate.gateway.support.Cli.run("replay", "--audit", audit.toString(),
                "--policies", relaxed.toString());
        assertThat(replay.out()).contains("APPROVE:approved -> ALLOW: 1");
    }

    @Test
    void theCallingClientsUserCanApproveOrDeclineThroughMcpElicitation() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY.formatted("30s", "deny")
                .replace("approvers: [ops-oncall]}", "approvers: [ops-oncall], ask-client: true}"));
        gateway = start("");
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        McpSyncClient yes = elicitingClient(request -> {
            asked.add(request.message());
            return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("approve", true));
        });
        McpSchema.CallToolResult result = yes.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 2, "b", 3)).build());
        assertThat(((McpSchema.TextContent) result.content().get(0)).text()).isEqualTo("5.0");
        assertThat(asked).singleElement().satisfies(m -> assertThat(m).contains("'add'", "approve-add", "adding needs a person"));
        assertThat(fixture.toolCalls()).containsOnlyOnce("add");
        JsonNode record = await().atMost(Duration.ofSeconds(5)).until(() -> auditRecord("add"), r -> r != null);
        assertThat(record.path("approval").path("outcome").asText()).isEqualTo("approved");
        assertThat(record.path("approval").path("by").asText()).startsWith("client:");

        McpSyncClient no = elicitingClient(request -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null));
        assertThatThrownBy(() -> no.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 1, "b", 1)).build()))
                .hasMessageContaining("declined by the user in the client");
        assertThat(fixture.toolCalls()).containsOnlyOnce("add");
        // Approvers still see every held call: the webhook announced both.
        assertThat(webhook.received()).hasSize(2);
    }

    @Test
    void anAnswerFromAnotherSessionOrCallerChangesNothingAndIsNeverForwarded() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY.formatted("30s", "deny")
                .replace("approvers: [ops-oncall]}", "approvers: [ops-oncall], ask-client: true}"));
        gateway = start("");
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(call(9, "add")));
        String id = awaitWebhook(0).path("id").asText();
        // A forged yes: the id is right, the session is not the one the question was asked in (nor one this gateway sealed).
        TestHttp.Reply forged = http.send(TestHttp.mcpPost(gateway.port(), "/raw").putHeader("Mcp-Session-Id", "someone-else"),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-approval-" + id + "\",\"result\":{\"action\":\"accept\",\"content\":{\"approve\":true}}}"));
        assertThat(forged.status()).isEqualTo(404);
        assertThat(forged.reason()).isEqualTo("session_not_found");
        assertThat(held).isNotDone();
        assertThat(admin(HttpMethod.GET, "/approvals", null).json().path("pending").get(0).path("id").asText()).isEqualTo(id);
        assertThat(plain.received()).isEmpty();
        admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"alice\"}");
        // The held call's answer was already a stream (the question went first): the denial is its last event.
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(reply.headers().get("Content-Type")).startsWith("text/event-stream");
        assertThat(reply.body().toString()).contains("elicitation/create", "tollgate-approval-" + id, "approval_denied");
        assertThat(plain.received()).isEmpty();
    }

    @Test
    void anAnswerThatDecidesNothingIsRefusedNever202() throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY.formatted("30s", "allow")
                .replace("approvers: [ops-oncall]}", "approvers: [ops-oncall], ask-client: true}"));
        gateway = start("");
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(call(9, "add")));
        String id = awaitWebhook(0).path("id").asText();
        assertThat(admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"alice\"}").status()).isEqualTo(200);
        assertThat(held.get(10, TimeUnit.SECONDS).body().toString()).contains("approval_denied");
        // The user's yes comes after the approver's no: it is not taken, and the client is told so.
        TestHttp.Reply late = post("{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-approval-" + id + "\",\"result\":{\"action\":\"accept\",\"content\":{\"approve\":true}}}");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.reason()).isEqualTo("approval_answer_not_taken");
        TestHttp.Reply unknown = post("{\"jsonrpc\":\"2.0\",\"id\":\"tollgate-approval-apr_unknown\",\"result\":{\"action\":\"decline\"}}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.reason()).isEqualTo("approval_answer_not_taken");
        assertThat(plain.received()).isEmpty();
    }

    private McpSyncClient elicitingClient(java.util.function.Function<McpSchema.ElicitFormRequest, McpSchema.ElicitResult> user) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port()).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
                .elicitation(user).build();
        client.initialize();
        clients.add(client);
        return client;
    }

    @Test
    void aDeniedCallNeverReachesTheUpstreamAndTheClientLearnsWhoDeniedIt() throws Exception {
        gateway = start("");
        McpSyncClient client = sdkClient();
        CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(
                () -> client.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 1, "b", 1)).build()));
        String id = awaitWebhook(0).path("id").asText();
        assertThat(admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"bob\",\"reason\":\"not during the freeze\"}")
                .status()).isEqualTo(200);
        assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).hasMessageContaining("Denied by the approver: not during the freeze");
        assertThat(fixture.toolCalls()).doesNotContain("add");
        // Calls the rule does not hold are untouched.
        assertThat(((McpSchema.TextContent) client.callTool(McpSchema.CallToolRequest.builder("echo").arguments(Map.of("text", "hi")).build()).content().get(0)).text())
                .isEqualTo("hi");
        JsonNode record = await().atMost(Duration.ofSeconds(5)).until(() -> auditRecord("add"), r -> r != null);
        assertThat(record.path("approval").path("outcome").asText()).isEqualTo("denied");
        assertThat(record.path("decision").path("enforced").asBoolean()).isTrue();
    }

    @Test
    void theRawErrorNamesTheReasonTheApprovalAndTheRule() throws Exception {
        gateway = start("");
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(call(7, "add")));
        String id = awaitWebhook(0).path("id").asText();
        admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"bob\"}");
        TestHttp.Reply reply = held.get(10, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("id").asInt()).isEqualTo(7);
        assertThat(reply.errorCode()).isEqualTo(-32010);
        assertThat(reply.reason()).isEqualTo("approval_denied");
        assertThat(reply.json().path("error").path("data").path("approval_id").asText()).isEqualTo(id);
        assertThat(reply.json().path("error").path("data").path("decided_by").asText()).isEqualTo("bob");
        assertThat(reply.json().path("error").path("data").path("rule").asText()).isEqualTo("approve-add");
    }

    @Test
    void nobodyDecidingDeniesAtTheRulesTimeoutOrAllowsWhenTheRuleSaysSo() throws Exception {
        policy("1s", "deny");
        gateway = start("");
        TestHttp.Reply timedOut = post(call(1, "add"));
        assertThat(timedOut.reason()).isEqualTo("approval_timeout");
        assertThat(plain.received()).isEmpty();
        policy("1s", "allow");
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        gateway = start("");
        McpSyncClient client = sdkClient();
        assertThat(((McpSchema.TextContent) client.callTool(McpSchema.CallToolRequest.builder("add").arguments(Map.of("a", 1, "b", 2)).build()).content().get(0)).text())
                .isEqualTo("3.0");
        assertThat(gateway.metrics().scrape()).contains("tollgate_approvals_total{outcome=\"timed_out_allowed\"} 1.0");
    }

    @Test
    void aClientThatLeavesCancelsItsApproval() throws Exception {
        gateway = start("");
        HttpClient raw = vertx.createHttpClient();
        HttpClientRequest request = raw.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/raw").putHeader("Content-Type", "application/json").putHeader("Accept", "application/json, text/event-stream"))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        request.send(Buffer.buffer(call(3, "add")));
        String id = awaitWebhook(0).path("id").asText();
        request.connection().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> admin(HttpMethod.GET, "/approvals/" + id, null).json().path("state").asText(),
                "cancelled"::equals);
        assertThat(admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}").status()).isEqualTo(409);
        assertThat(plain.received()).isEmpty();
        raw.close();
    }

    @Test
    void aHeldCallSurvivesAReloadAndAStopDeniesWhatIsStillHeld() throws Exception {
        gateway = start("");
        CompletableFuture<TestHttp.Reply> first = CompletableFuture.supplyAsync(() -> post(call(1, "add")));
        String id = awaitWebhook(0).path("id").asText();
        // A reload to a policy without the rule: the held call keeps waiting for its approver.
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        gateway.swap(new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")));
        assertThat(first).isNotDone();
        admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}");
        assertThat(first.get(10, TimeUnit.SECONDS).json().path("result").path("content").get(0).path("text").asText()).isEqualTo("done");
        policy("30s", "deny");
        gateway.swap(new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")));
        CompletableFuture<TestHttp.Reply> second = CompletableFuture.supplyAsync(() -> post(call(2, "add")));
        awaitWebhook(1);
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        gateway = null;
        TestHttp.Reply stopped = second.get(10, TimeUnit.SECONDS);
        assertThat(stopped.status()).isEqualTo(503);
        assertThat(stopped.reason()).isEqualTo("approval_abandoned");
        assertThat(plain.received()).hasSize(1);
    }

    @Test
    void approvalsNeedTheAdminTokenEvenOnLoopbackSoAnAgentCannotApproveItself() throws Exception {
        gateway = start("");
        CompletableFuture<TestHttp.Reply> held = CompletableFuture.supplyAsync(() -> post(call(4, "add")));
        String id = awaitWebhook(0).path("id").asText();
        TestHttp.Reply noToken = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/approvals/" + id), Buffer.buffer("{\"decision\":\"approve\",\"by\":\"agent\"}"));
        assertThat(noToken.status()).isEqualTo(401);
        TestHttp.Reply wrongToken = http.send(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/approvals/" + id).putHeader("Authorization", "Bearer not-the-token-0123456789"), Buffer.buffer("{\"decision\":\"approve\",\"by\":\"agent\"}"));
        assertThat(wrongToken.status()).isEqualTo(401);
        for (String bad : List.of("{}", "{\"decision\":\"yes\",\"by\":\"a\"}", "{\"decision\":\"approve\"}", "not json")) {
            assertThat(admin(HttpMethod.POST, "/approvals/" + id, bad).status()).as(bad).isEqualTo(400);
        }
        assertThat(held).isNotDone();
        assertThat(plain.received()).isEmpty();
        admin(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"deny\",\"by\":\"alice\"}");
        assertThat(held.get(10, TimeUnit.SECONDS).reason()).isEqualTo("approval_denied");
        // A gateway without an admin token on loopback: explain stays open to local processes, approvals do not.
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Files.writeString(dir.resolve("gateway.yaml"), Files.readString(dir.resolve("gateway.yaml")).replace(", token: \"" + TOKEN + "\"", ""));
        gateway = Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        TestHttp.Reply untokened = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.adminPort())
                .setURI("/approvals"), null);
        assertThat(untokened.status()).isEqualTo(403);
        assertThat(untokened.body().toString()).contains("admin_token_not_configured");
    }

    @Test
    void aBatchElementNeedingApprovalIsRefusedAndNothingOfItIsForwarded() throws Exception {
        gateway = start("");
        TestHttp.Reply reply = post("[" + call(1, "add") + "]");
        assertThat(reply.json().get(0).path("error").path("data").path("reason").asText()).isEqualTo("approval_cannot_wait");
        assertThat(plain.received()).isEmpty();
        assertThat(webhook.received()).isEmpty();
    }

    @Test
    void hundredsOfHeldCallsWaitAtOnceWithoutAThreadEach() throws Exception {
        gateway = start("    max-connections: 1000\n    max-concurrent-calls: 1000\n    max-concurrent-calls-per-caller: 1000\n");
        int calls = 400;
        // Threads other tests left behind in this JVM are not this test's: what counts is how many holding 400 calls adds.
        int threadsBefore = Thread.activeCount();
        HttpClient raw = vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(calls));
        List<CompletableFuture<Integer>> replies = new ArrayList<>();
        for (int n = 0; n < calls; n++) {
            int i = n;
            // The body is read as the head arrives (see TestHttp.exchange): asked for later, it could never complete.
            replies.add(TestHttp.readWhole(raw, new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port()).setURI("/raw")
                            .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json, text/event-stream"),
                            Buffer.buffer(call(i, "add")), (r, b) -> b.toString().contains("\"result\"") ? 1 : 0)
                    .toCompletionStage().toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.metrics().scrape().contains("tollgate_approvals_pending " + calls + ".0"));
        int threads = Thread.activeCount();
        JsonNode pending = admin(HttpMethod.GET, "/approvals", null).json().path("pending");
        assertThat(pending).hasSize(calls);
        for (JsonNode approval : pending) {
            admin(HttpMethod.POST, "/approvals/" + approval.path("id").asText(), "{\"decision\":\"approve\",\"by\":\"load\"}");
        }
        int succeeded = 0;
        for (CompletableFuture<Integer> reply : replies) {
            succeeded += reply.get(20, TimeUnit.SECONDS);
        }
        assertThat(succeeded).isEqualTo(calls);
        assertThat(threads - threadsBefore).as("threads added while %d calls were held", calls).isLessThan(50);
        raw.close();
    }

    private JsonNode auditRecord(String tool) throws Exception {
        Path file = AuditFiles.file(dir.resolve("audit"), 1);
        if (!Files.exists(file)) {
            return null;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode record = JSON.readTree(line);
            if (tool.equals(record.path("tool").asText()) && record.has("approval")) {
                return record;
            }
        }
        return null;
    }

    private JsonNode awaitWebhook(int index) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> webhook.received().size() > index);
        return JSON.readTree(webhook.received().get(index).body().getBytes());
    }

    private static String call(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"a\":1,\"b\":1}}}";
    }

    private TestHttp.Reply post(String body) {
        try {
            return http.send(TestHttp.mcpPost(gateway.port(), "/raw"), Buffer.buffer(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private TestHttp.Reply admin(HttpMethod method, String path, String body) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(gateway.adminPort()).setURI(path)
                .putHeader("Authorization", "Bearer " + TOKEN);
        return http.send(options, body == null ? null : Buffer.buffer(body));
    }

    private McpSyncClient sdkClient() {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://localhost:" + gateway.port()).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        clients.add(client);
        return client;
    }

    private void policy(String timeout, String onTimeout) throws Exception {
        Files.writeString(dir.resolve("policies/p.yaml"), POLICY.formatted(timeout, onTimeout));
    }

    private Gateway start(String routeExtra) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0, token: "%s"}
                policies: {directory: policies}
                audit: {directory: audit, arguments: full}
                approvals:
                  webhook: {url: "%s", secret: "%s"}
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "http://127.0.0.1:%d/mcp"
                  - name: raw
                    path: /raw
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                %s""".formatted(TOKEN, webhook.url("/hook"), SECRET, fixture.port(), plain.url("/mcp"), routeExtra));
        return Gateway.start(vertx, new SnapshotLoader(CheckRegistry.withDefaults()).load(dir.resolve("gateway.yaml")), 1)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
