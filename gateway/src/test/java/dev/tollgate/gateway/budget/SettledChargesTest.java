package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What calls pay once they ran (review revJ, two findings): each call of a batch pays the cost its own response
 * reports, as a call sent alone does (a batch's calls paid the price-table estimate, $0.30 where the upstream reported
 * $0.75, so three ran on a $1.00 budget); and a call the client abandons after it was sent pays its estimate, since a
 * disconnect does not cancel an MCP call and the tool runs on (six abandoned calls ran and the ledger stayed at 0).
 * synthesize is priced $0.30, the spawn tree's budget is $1.00.
 */
class SettledChargesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private BudgetFixture fixture;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        http = new TestHttp(vertx);
        fixture = new BudgetFixture(dir);
        fixture.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: synthesis-budget
                    condition: {all: [{tool: "synth*"}, {check: {name: budget, args: {limit_usd: 1.00}}}]}
                    action: deny
                """);
        gateway = RunningGateway.start(vertx, fixture.gatewayYaml(upstream.url("/mcp"), "budgets: {pricing: PRICING, cache-ttl: 1s}"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aCallInABatchPaysTheCostItsOwnResponseReports() throws Exception {
        answerReportingCost(0.75);
        String token = fixture.token("acme", "tree-batch");

        JsonNode first = post(token, "[" + call(1) + "]");
        assertThat(first.get(0).has("result")).as(first.toString()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> spent("tree-batch") > 0);
        assertThat(spent("tree-batch")).as("the upstream reported $0.75 for the call").isEqualTo(750_000);
        // $0.75 spent of $1.00: the next call is refused, as it is when sent alone.
        assertThat(post(token, "[" + call(2) + "]").get(0).path("error").path("data").path("reason").asText()).isEqualTo("policy_denied");
    }

    @Test
    void aCallOfABatchAnsweredWithAnErrorPaysNothing() throws Exception {
        upstream.answer(request -> respond(request, SettledChargesTest::error));
        String token = fixture.token("acme", "tree-failed");

        JsonNode answer = post(token, "[" + call(1) + "," + call(2) + "]");

        assertThat(answer.get(0).has("error")).isTrue();
        Thread.sleep(300);
        assertThat(spent("tree-failed")).isZero();
    }

    /** Review: responses were kept by the id's text, so the error of {@code "1"} settled the call {@code 1} (free). */
    @Test
    void aCallIsSettledOnTheResponseToItsOwnIdNotOneOfTheSameText() throws Exception {
        upstream.answer(request -> respond(request, id -> id.isTextual() ? error(id) : result(id, 0.75)));
        String token = fixture.token("acme", "tree-ids");

        post(token, "[{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"no/such\"}," + call(1) + "]");

        await().atMost(Duration.ofSeconds(5)).until(() -> spent("tree-ids") > 0);
        assertThat(spent("tree-ids")).isEqualTo(750_000);
    }

    /** Review: a batch answered as a stream was settled on its first response only. */
    @Test
    void eachCallOfABatchAnsweredAsAStreamPaysItsOwnReportedCost() throws Exception {
        upstream.answer(request -> {
            StringBuilder events = new StringBuilder();
            try {
                for (JsonNode message : JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes())) {
                    events.append("data: ").append(result(message.get("id"), 0.75)).append("\n\n");
                }
            } catch (java.io.IOException e) {
                request.response().setStatusCode(500).end();
                return;
            }
            request.response().putHeader("content-type", "text/event-stream").end(events.toString());
        });
        String token = fixture.token("acme", "tree-stream");

        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token)
                .putHeader("MCP-Protocol-Version", "2025-03-26"), Buffer.buffer("[" + call(1) + "," + call(2) + "]"));

        assertThat(reply.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> spent("tree-stream") >= 1_500_000);
        Thread.sleep(200);
        assertThat(spent("tree-stream")).as("two calls, each reported $0.75").isEqualTo(1_500_000);
    }

    private static ObjectNode error(JsonNode id) {
        ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", id);
        response.putObject("error").put("code", -32601).put("message", "no such method");
        return response;
    }

    @Test
    void callsTheClientAbandonsOnceSentStillPayTheirEstimate() throws Exception {
        // A tool that takes 300 ms and runs to the end whether or not the client is still there (as MCP asks).
        upstream.answer(request -> vertx.setTimer(300, t -> {
            try {
                respond(request, id -> result(id, null));
            } catch (RuntimeException gone) {
                // the gateway reset the request: the work is done anyway
            }
        }));
        String token = fixture.token("acme", "tree-abandoned");
        for (int i = 1; i <= 6; i++) {
            int before = upstream.received().size();
            String body = call(i);
            NetSocket socket = vertx.createNetClient().connect(gateway.port(), "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            AtomicBoolean answered = new AtomicBoolean();
            socket.handler(data -> answered.set(true));
            socket.write(Buffer.buffer("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nX-Waxell-AXID: " + token + "\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body));
            // Hang up as soon as the call is forwarded (or answered, once the gateway refuses it).
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> upstream.received().size() > before || answered.get());
            socket.close();
            Thread.sleep(400);
        }

        assertThat(upstream.received()).as("calls run on a $1.00 budget at $0.30 each").hasSize(3);
        assertThat(spent("tree-abandoned")).isEqualTo(900_000);
    }

    private void answerReportingCost(double usd) {
        upstream.answer(request -> respond(request, id -> result(id, usd)));
    }

    /** Answers the last request received, element by element when it is a batch. */
    private void respond(io.vertx.core.http.HttpServerRequest request, java.util.function.Function<JsonNode, ObjectNode> answer) {
        JsonNode body;
        try {
            body = JSON.readTree(upstream.received().get(upstream.received().size() - 1).body().getBytes());
        } catch (java.io.IOException e) {
            request.response().setStatusCode(500).end();
            return;
        }
        request.response().putHeader("content-type", "application/json");
        if (body.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            body.forEach(m -> out.add(answer.apply(m.get("id"))));
            request.response().end(out.toString());
        } else {
            request.response().end(answer.apply(body.get("id")).toString());
        }
    }

    private static ObjectNode result(JsonNode id, Double reportedUsd) {
        ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", id);
        ObjectNode result = response.putObject("result");
        result.putArray("content").addObject().put("type", "text").put("text", "ok");
        if (reportedUsd != null) {
            result.putObject("_meta").put("cost_usd", reportedUsd);
        }
        return response;
    }

    private JsonNode post(String token, String body) throws Exception {
        var options = TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("X-Waxell-AXID", token).putHeader("MCP-Protocol-Version", "2025-03-26");
        TestHttp.Reply reply = http.send(options, Buffer.buffer(body));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        return reply.json();
    }

    private static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"synthesize\",\"arguments\":{}}}";
    }

    private long spent(String tree) throws Exception {
        return gateway.gateway().services().budgets().ledger().spent(new SpendKey("acme", tree)).toCompletableFuture().get();
    }
}
