package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Z, finding (medium): the running-task slot (dafee15: RunningTasks, TaskConcurrencyStage) covers MCP tasks only;
 * A2A tasks, the A2A unit of long-running work, still hold their caller's slot only until the SendMessage answer. An A2A
 * agent answers a non-blocking {@code SendMessage} ({@code configuration.returnImmediately} / 0.3 {@code blocking:
 * false}) with a Task in {@code TASK_STATE_WORKING} and works on; TaskConcurrencyStage.startsWork looks for MCP
 * ToolCalls only, and nothing hands the exchange's slot to the task. A caller limited to
 * {@code max-concurrent-calls-per-caller: 1} on an A2A route keeps any number of agent tasks running: review Y's
 * MCP finding (TaskConcurrencyReviewYTest) on the other protocol.
 *
 * <p>Input: A2A route {@code max-concurrent-calls: 2}, {@code max-concurrent-calls-per-caller: 1}; the agent answers each
 * SendMessage at once with a working task that runs 3 s. One caller (AXID acme/a) sends five SendMessage, one after
 * the other.
 *
 * <p>Gateway accounted: at most 1 call in flight. What happened: 5 agent tasks running at once for one caller.
 *
 * <p>Suggested fix: note A2A tasks created in a non-terminal state (A2aTaskLearner already reads them) in RunningTasks
 * under the route's task scope, end them on a terminal state seen in GetTask/CancelTask answers or stream events, and
 * make TaskConcurrencyStage count SendMessage/SendStreamingMessage (message/send, message/stream) as starting work.
 */
class A2aTaskConcurrencyReviewZTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private TenantTokens tokens;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();
    private final AtomicInteger tasks = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> {
            JsonNode body;
            try {
                body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            int n = tasks.incrementAndGet();
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            vertx.setTimer(3000, t -> running.decrementAndGet());
            request.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + body.path("id")
                    + ",\"result\":{\"task\":{\"id\":\"task-" + n + "\",\"contextId\":\"ctx-" + n + "\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}}");
        });
        tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p, max-concurrent-calls: 2, max-concurrent-calls-per-caller: 1}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), upstream.url("")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void runningA2aTasksCountAgainstTheCallersConcurrencyLimit() throws Exception {
        int created = 0;
        for (int i = 1; i <= 5; i++) {
            var options = TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", tokens.token("acme", "a"));
            TestHttp.Reply reply = http.send(options, Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"SendMessage\",\"params\":"
                    + "{\"message\":{\"messageId\":\"m" + i + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"crawl\"}]},"
                    + "\"configuration\":{\"returnImmediately\":true}}}"));
            if (reply.status() == 200 && reply.body().toString().contains("TASK_STATE_WORKING")) {
                created++;
            }
        }

        assertThat(created).as("control: tasks created").isGreaterThan(0);
        assertThat(mostRunning.get()).as("agent tasks running at once for one caller limited to 1 (route limit 2)").isLessThanOrEqualTo(1);
    }
}
