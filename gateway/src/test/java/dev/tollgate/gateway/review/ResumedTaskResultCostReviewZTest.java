package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (high): a task's {@code tasks/result} whose answer comes on a resumed stream is never charged.
 * {@code tasks/result} blocks until the task ends, so it is exactly the request whose SSE stream a server closes early
 * (SEP-1699 polling: priming event, {@code retry}, close) or a client drops and resumes. The gateway only charges a
 * task's reported cost from the answer on the tasks/result POST itself (settleLateAnswers loops over the exchange's own
 * messages). Its stream is sealed with no StreamCall (UpstreamCall.streamCall seals tool calls only), so the GET
 * resuming it has no resumedCall and no messages: the answer relayed there, the task's result and its reported cost,
 * settles nothing, and the task's DeferredCosts entry stays until it expires. Every task pays its estimate.
 *
 * <p>Input: budget rule on {@code tools/call synth*} $1.00, synthesize priced $0.30; the task-augmented call is answered
 * at once with a working task; the {@code tasks/result} POST is answered with a priming event {@code id: ev-N} and
 * the stream ended; the GET resuming ev-N carries the task's result with {@code _meta.cost_usd: 0.75}. Five rounds.
 *
 * <p>Gateway accounted: $0.30 per task, 3 tasks run on the $1.00 budget (ledger $0.90). What happened: $2.25 reported
 * and every result delivered. On the POST itself (TaskResultCostReviewYTest, now passing) the same tasks pay $0.75.
 *
 * <p>Suggested fix: seal a tasks/result's stream with its request id and task (a StreamCall for "the task's result"),
 * and in settleLateAnswers settle {@code takeTask(scope, taskId)} from the response a resumed stream carries for that
 * request id.
 */
class ResumedTaskResultCostReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\S+)");
    private static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        world = new ReviewYBudgetWorld(dir, """
                routes:
                  upstream:
                    default: 0.01
                    tools:
                      synthesize: 0.30
                """, """
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{method: tools/call}, {tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                """);
        upstream.answer(request -> {
            if (request.method() == HttpMethod.GET) {
                String last = request.getHeader("Last-Event-ID");
                String id = last == null ? "0" : last.replace("ev-", "");
                request.response().putHeader("content-type", "text/event-stream")
                        .end("id: ev-" + id + "-r\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + RESULT + "}\n\n");
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            String id = body.path("id").toString();
            String method = body.path("method").asText();
            if ("tasks/result".equals(method)) {
                // The task is still running: priming event, then the server closes the stream (SEP-1699).
                request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + id + "\nretry: 100\ndata: \n\n");
                return;
            }
            String result = "tools/call".equals(method)
                    ? "{\"task\":{\"taskId\":\"task-" + id + "\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
                            + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}}"
                    : "{}";
            request.response().putHeader("content-type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}");
        });
        gateway = RunningGateway.start(vertx, world.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}\n"
                + TestSessions.YAML));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aTasksResultAnsweredOnAResumedStreamChargesTheReportedCost() throws Exception {
        String token = world.token("acme", "tree-resumed-result", "run-1");
        int tasks = 0;
        for (int i = 1; i <= 5; i++) {
            JsonNode created = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{},"
                            + "\"task\":{\"ttl\":60000}}}").json();
            String taskId = created.at("/result/task/taskId").asText("");
            if (taskId.isEmpty()) {
                continue; // denied by the budget rule
            }
            Thread.sleep(100);
            TestHttp.Reply pending = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + (100 + i) + ",\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
            Matcher m = EVENT_ID.matcher(pending.body().toString());
            assertThat(m.find()).as(pending.body().toString()).isTrue();
            TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                    .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                    .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", m.group(1)), (Buffer) null);
            assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
            assertThat(resumed.body().toString()).contains("\"cost_usd\":0.75");
            tasks++;
            Thread.sleep(100);
        }
        Thread.sleep(400);
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-resumed-result", tasks * 750_000L);

        assertThat(spent).as("%d tasks, each reported $0.75 in its tasks/result (delivered on a resumed stream)", tasks)
                .isEqualTo(tasks * 750_000L);
        assertThat(tasks).as("tasks run on a $1.00 budget at a reported $0.75 each").isLessThanOrEqualTo(1);
    }

    /**
     * The same blind spot holds a finished task's slot (over-restriction, low): the resumed GET has no payload, so
     * TaskLifecycle.ended cannot pair the result with its tasks/result, and the task keeps its caller's slot for its ttl
     * (60 s here, up to 1 h): the caller's next tools/call is refused 429 though nothing of it runs.
     */
    @Test
    void aTaskWhoseResultCameOnAResumedStreamGivesItsSlotBack() throws Exception {
        String token = world.token("acme", "tree-slot", "run-1");
        String taskId = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{},"
                        + "\"task\":{\"ttl\":60000}}}").json().at("/result/task/taskId").asText();
        Thread.sleep(100);
        TestHttp.Reply pending = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"" + taskId + "\"}}");
        Matcher m = EVENT_ID.matcher(pending.body().toString());
        assertThat(m.find()).isTrue();
        TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", m.group(1)), (Buffer) null);
        assertThat(resumed.body().toString()).contains("synthesized");
        Thread.sleep(300);

        assertThat(gateway.gateway().services().concurrentCalls().runningTasks().size()).as("tasks holding a slot after their result was given")
                .isZero();
    }
}
