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
 * Review Z, finding (high): a task-augmented {@code tools/call} whose {@code CreateTaskResult} arrives on a resumed
 * stream never has its task's cost charged. The POST's SSE stream ends after its priming event (SEP-1699 polling, or
 * the client hangs up), so CompletionRecorder.deferIfAnsweredLater files the call under "stream left unanswered" at its
 * $0.30 estimate. The client resumes with GET + Last-Event-ID; the resumed stream carries the CreateTaskResult, and
 * settleLateAnswers takes the stream entry and settles it against that answer (no cost in it: nothing more). The task
 * created there is never filed in DeferredCosts.byTask (only an exchange's own priced charges are), so the
 * {@code tasks/result} answer, which reports the tool's real cost, is not even watched (DeferredCostWatchStage finds no
 * entry). Every task pays its estimate whatever it reports: the commit 6a7a54b fix is bypassed by one round of resumption.
 *
 * <p>Input: budget rule on {@code tools/call synth*} $1.00 per tree, synthesize priced $0.30; the upstream answers each
 * {@code tools/call} (with {@code task}) with a priming event {@code id: ev-N} and ends the stream; the GET resuming
 * ev-N carries {@code {"task":{"taskId":"task-N","status":"working"}}}; {@code tasks/result task-N} reports
 * {@code _meta.cost_usd: 0.75}. Five rounds.
 *
 * <p>Gateway accounted: $0.30 per task, 3 tasks run on the $1.00 budget (ledger $0.90). What happened: $2.25 reported;
 * created on the POST stream (control test), the same tasks are charged $0.75 each and only one runs.
 *
 * <p>Suggested fix: in settleLateAnswers, when the resumed answer for the call is a CreateTaskResult
 * ({@code result.task.taskId}), move the Deferred entry to {@code taskCreated(scope, taskId, deferred)} instead of
 * settling it; generally, share one "answer came late" path for POST and resumed GET answers.
 */
class ResumedTaskCostReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\S+)");
    private static final String TASK = "{\"task\":{\"taskId\":\"task-%s\",\"status\":\"working\",\"createdAt\":\"2026-12-06T09:00:00Z\","
            + "\"lastUpdatedAt\":\"2026-12-06T09:00:00Z\",\"ttl\":60000,\"pollInterval\":100}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private ReviewYBudgetWorld world;
    private volatile boolean cutStreams = true;

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
                        .end("id: ev-" + id + "-r\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + TASK.formatted(id) + "}\n\n");
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
            if ("tools/call".equals(method)) {
                if (cutStreams) {
                    // Priming event, then the server closes the stream; the client is to resume with GET (SEP-1699).
                    request.response().putHeader("content-type", "text/event-stream").end("id: ev-" + id + "\nretry: 100\ndata: \n\n");
                } else {
                    request.response().putHeader("content-type", "application/json")
                            .end("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + TASK.formatted(id) + "}");
                }
                return;
            }
            String result = "tasks/result".equals(method)
                    ? "{\"content\":[{\"type\":\"text\",\"text\":\"synthesized\"}],\"_meta\":{\"cost_usd\":0.75}}" : "{}";
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

    private int rounds(String token) throws Exception {
        int tasks = 0;
        for (int i = 1; i <= 5; i++) {
            TestHttp.Reply posted = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{},"
                            + "\"task\":{\"ttl\":60000}}}");
            String created = posted.body().toString();
            if (cutStreams) {
                Matcher m = EVENT_ID.matcher(created);
                if (!m.find()) {
                    continue; // denied: a JSON error, no stream
                }
                TestHttp.Reply resumed = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                        .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("X-Waxell-AXID", token)
                        .putHeader("MCP-Protocol-Version", "2025-11-25").putHeader("Last-Event-ID", m.group(1)), (Buffer) null);
                assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
                created = resumed.body().toString();
            }
            if (!created.contains("\"taskId\":\"task-" + i + "\"")) {
                continue;
            }
            Thread.sleep(100); // the creating exchange is over
            TestHttp.Reply result = ReviewYBudgetWorld.post(http, gateway.port(), token, "2025-11-25",
                    "{\"jsonrpc\":\"2.0\",\"id\":" + (100 + i) + ",\"method\":\"tasks/result\",\"params\":{\"taskId\":\"task-" + i + "\"}}");
            assertThat(result.body().toString()).contains("\"cost_usd\":0.75");
            tasks++;
            Thread.sleep(100);
        }
        Thread.sleep(400);
        return tasks;
    }

    /** Control (passes): created on the POST's own answer, each task pays the $0.75 its tasks/result reports. */
    @Test
    void controlATaskCreatedOnThePostPaysItsReportedCost() throws Exception {
        cutStreams = false;
        int tasks = rounds(world.token("acme", "tree-post", "run-1"));
        assertThat(tasks).isGreaterThan(0);
        assertThat(ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-post", tasks * 750_000L)).isEqualTo(tasks * 750_000L);
    }

    @Test
    void aTaskCreatedOnAResumedStreamPaysTheCostItsTasksResultReports() throws Exception {
        int tasks = rounds(world.token("acme", "tree-resumed", "run-1"));
        long spent = ReviewYBudgetWorld.spentOnceAtLeast(gateway, "acme", "tree-resumed", tasks * 750_000L);

        assertThat(tasks).as("control: tasks created through resumed streams and their results delivered").isGreaterThan(0);
        assertThat(spent).as("%d tasks, each reported $0.75 in its tasks/result", tasks).isEqualTo(tasks * 750_000L);
        assertThat(tasks).as("tasks run on a $1.00 budget at a reported $0.75 each").isLessThanOrEqualTo(1);
    }
}
