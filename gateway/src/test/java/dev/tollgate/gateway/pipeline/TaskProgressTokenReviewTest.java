package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review (c56b622): a progress notification on a POST's stream is dropped unless its token is one that POST's
 * requests gave. MCP 2025-11-25 tasks: "the progressToken provided in the original request MUST continue to be used
 * for progress notifications throughout the task's lifetime, even after the CreateTaskResult has been returned", and
 * the TypeScript SDK keeps the progress handler alive for the task (Protocol._taskProgressTokens). A server reports
 * that progress on the stream the client holds open for the task, its tasks/result: that POST gave no token, so the
 * task's own progress is dropped (a regression: it reached the client before c56b622). Expected: progress naming the
 * token of the tools/call that created the task the POST names (tasks/result, tasks/get) passes.
 */
class TaskProgressTokenReviewTest {

    @RegisterExtension
    final ScriptedMcpGateway rig = ScriptedMcpGateway.forEachTest(RunningGateway.ALLOW_ALL.replace("allow-all", "p"));

    @Test
    void aTasksProgressOnItsTasksResultStreamReachesTheClient() throws Exception {
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"task\":{\"taskId\":\"t-1\",\"status\":\"working\","
                + "\"createdAt\":\"2025-11-25T00:00:00Z\",\"lastUpdatedAt\":\"2025-11-25T00:00:00Z\",\"ttl\":60000}}}");
        String created = rig.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{},"
                + "\"task\":{\"ttl\":60000},\"_meta\":{\"progressToken\":5}}}").body().toString();
        assertThat(created).contains("\"t-1\"");

        rig.answer("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":5,"
                + "\"progress\":1,\"total\":2,\"message\":\"half way\",\"_meta\":{\"io.modelcontextprotocol/related-task\":{\"taskId\":\"t-1\"}}}}\n\n"
                + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}\n\n",
                "text/event-stream");
        String stream = rig.post("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/result\",\"params\":{\"taskId\":\"t-1\"}}").body().toString();

        assertThat(stream).contains("\"done\"", "half way");
    }
}
