package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review L, finding (regression of e816cdf, fails today: 500 internal_error "stage task-ownership failed"): TaskOwnershipStage.checkMcpTasks now walks every JSON-RPC message and casts whatever is not a request
 * to JsonRpcNotification; a client's response to a server request (POSTed as Streamable HTTP requires) is neither.
 */
class McpClientResponseTaskStageReviewLTest {

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> r.response().setStatusCode(202).end());
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url("/mcp"), "name: p\ndefaults: {action: allow}\nrules: []\n", null, null);
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aClientResponseIsForwarded() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"action\":\"accept\",\"content\":{\"ok\":true}}}");

        assertThat(reply.status()).as(reply.body().toString()).isLessThan(500);
    }

    @Test
    void aBatchWithAResponseAndARequestIsNotA500() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp",
                "[{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}},{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":{}}]");

        assertThat(reply.status()).as(reply.body().toString()).isLessThan(500);
    }
}
