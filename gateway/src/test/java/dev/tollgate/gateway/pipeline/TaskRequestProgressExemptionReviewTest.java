package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review (264d696): McpResponseFilter.progressTokens returns null (no check at all) for a POST holding any tasks/*
 * request or subscriptions/listen. The exemption is for a task's own progress (the token of the call that created the
 * task), but it lets through a progress notification with ANY token on that POST's stream: one naming another call in
 * flight (which the client's progress handler, keyed by token, takes for that call's), read under this POST's rules,
 * not that call's tool's. A batch that carries a tools/call with a tasks/get (or a tasks/list) beside it loses the check
 * for the tools/call too; so does every tasks/get poll. Expected: a token no request of the POST gave and no task the
 * POST names was created with is still refused.
 */
class TaskRequestProgressExemptionReviewTest {

    @RegisterExtension
    final ScriptedMcpGateway rig = ScriptedMcpGateway.forEachTest(RunningGateway.ALLOW_ALL.replace("allow-all", "p"));

    @Test
    void aTasksListBesideAToolsCallDoesNotLetAForeignProgressTokenThrough() throws Exception {
        rig.answer("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"someone-else\","
                + "\"progress\":1,\"message\":\"FOREIGN PROGRESS\"}}\n\n"
                + "event: message\ndata: [{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{\"tasks\":[]}}]\n\n",
                "text/event-stream");

        String stream = rig.post("[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{},"
                + "\"_meta\":{\"progressToken\":7}}},{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tasks/list\",\"params\":{}}]").body().toString();

        assertThat(stream).doesNotContain("FOREIGN PROGRESS");
    }

    /** Control: the same batch without the tasks/list: the foreign token is refused (c56b622). */
    @Test
    void withoutTheTasksRequestTheForeignProgressTokenIsRefused() throws Exception {
        rig.answer("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"someone-else\","
                + "\"progress\":1,\"message\":\"FOREIGN PROGRESS\"}}\n\n"
                + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}\n\n",
                "text/event-stream");

        String stream = rig.post("[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{},"
                + "\"_meta\":{\"progressToken\":7}}}]").body().toString();

        assertThat(stream).doesNotContain("FOREIGN PROGRESS");
    }

    @Test
    void aTasksGetPollDoesNotCarryProgressForAnotherCallsToken() throws Exception {
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"task\":{\"taskId\":\"t-1\",\"status\":\"working\","
                + "\"createdAt\":\"2025-11-25T00:00:00Z\",\"lastUpdatedAt\":\"2025-11-25T00:00:00Z\",\"ttl\":60000}}}");
        rig.post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{},"
                + "\"task\":{\"ttl\":60000},\"_meta\":{\"progressToken\":5}}}");

        rig.answer("event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"another-call\","
                + "\"progress\":1,\"message\":\"FOREIGN PROGRESS\"}}\n\n"
                + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"taskId\":\"t-1\",\"status\":\"working\","
                + "\"createdAt\":\"2025-11-25T00:00:00Z\",\"lastUpdatedAt\":\"2025-11-25T00:00:00Z\",\"ttl\":60000}}\n\n",
                "text/event-stream");
        String stream = rig.post("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"t-1\"}}").body().toString();

        assertThat(stream).doesNotContain("FOREIGN PROGRESS");
    }
}
