package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A call to a tool no list through this gateway named makes the gateway list the upstream's tools itself before deciding
 * it (review CE): against a real loopback upstream whose lists the test scripts, a real gateway and a real HTTP client.
 */
class ToolSchemaPrefetchStageTest {

    /** The route setting that turns the gateway's own list on (also the default since fix DB; named where a test relies on it). */
    static final String LISTS_UNKNOWN_TOOLS = "list-unknown-tools: true";


    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WIPE = "{\"name\":\"wipe\",\"inputSchema\":{\"type\":\"object\",\"properties\":"
            + "{\"mode\":{\"type\":\"string\",\"enum\":[\"SAFE\",\"DESTROY\"]}}}}";
    private static final String CALL_RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";

    private static Vertx vertx;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void onByDefaultTheCallWaitsForTheListAndIsHeldToIt() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id") + ",\"result\":{\"tools\":[" + WIPE + "]}}"));
            assertThat(call(gateway, "wipe", 1, null).path("error").path("data").path("reason").asText()).isEqualTo("argument_outside_declared_enum");
            assertThat(methods(upstream)).containsExactly("tools/list");
        }
    }

    @Test
    void turnedOffTheCallGoesOnWithoutAList() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), "list-unknown-tools: false", null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> null));
            assertThat(call(gateway, "wipe", "SAFE", null).path("result").path("content").get(0).path("text").asText()).isEqualTo("done");
            assertThat(methods(upstream)).containsExactly("tools/call");
        }
    }

    @Test
    void refusesTheCallWhenTheListCannotBeReadAndForwardsNothing() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> null));
            JsonNode answer = call(gateway, "wipe", "SAFE", null);
            assertThat(answer.path("error").path("data").path("reason").asText()).isEqualTo("tool_schema_unavailable");
            assertThat(methods(upstream)).containsExactly("tools/list");
        }
    }

    @Test
    void anUpstreamThatDoesNotListCostsOneListPerIntervalAndItsCallsGoOn() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id")
                    + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}"));
            for (int i = 0; i < 5; i++) {
                assertThat(call(gateway, "tool" + i, "1", null).path("result").path("content").get(0).path("text").asText()).isEqualTo("done");
            }
            assertThat(methods(upstream)).containsExactly("tools/list", "tools/call", "tools/call", "tools/call", "tools/call", "tools/call");
        }
    }

    @Test
    void followsTheListsPagesAndHoldsTheCallToWhatTheyDeclare() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> {
                boolean second = "p2".equals(list.path("params").path("cursor").asText(null));
                String tools = second ? "[" + WIPE + "]" : "[{\"name\":\"other\",\"inputSchema\":{\"type\":\"object\"}}]";
                return "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id") + ",\"result\":{\"tools\":" + tools
                        + (second ? "" : ",\"nextCursor\":\"p2\"") + "}}";
            }));
            JsonNode answer = call(gateway, "wipe", 1, null);
            assertThat(answer.path("error").path("data").path("reason").asText()).isEqualTo("argument_outside_declared_enum");
            assertThat(call(gateway, "wipe", "SAFE", null).path("result").isObject()).isTrue();
            assertThat(methods(upstream)).containsExactly("tools/list", "tools/list", "tools/call");
            assertThat(bodies(upstream).get(1).path("params").path("cursor").asText()).isEqualTo("p2");
        }
    }

    @Test
    void aSessionTheUpstreamNoLongerKnowsIsAnsweredAsSuch() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(request -> {
                JsonNode body = bodies(upstream).get(upstream.received().size() - 1);
                switch (body.path("method").asText()) {
                    case "initialize" -> request.response().putHeader("Content-Type", "application/json").putHeader("Mcp-Session-Id", "sess-1")
                            .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"protocolVersion\":\"2025-06-18\","
                                    + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"}}}");
                    case "tools/list" -> request.response().setStatusCode(404).end();
                    default -> request.response().putHeader("Content-Type", "application/json")
                            .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + CALL_RESULT + "}");
                }
            });
            HttpResponse<String> init = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                            + "{\"name\":\"wipe\",\"arguments\":{\"mode\":1}}}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(404);
            assertThat(JSON.readTree(answer.body()).path("error").path("data").path("reason").asText()).isEqualTo("session_not_found");
            assertThat(methods(upstream)).containsExactly("initialize", "tools/list");
            assertThat(upstream.received().get(1).headers().get("Mcp-Session-Id")).isEqualTo("sess-1");
        }
    }

    @Test
    void aListPagingWithoutEndIsFollowedOnlyToItsPageBound() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id")
                    + ",\"result\":{\"tools\":[],\"nextCursor\":\"again\"}}"));
            assertThat(call(gateway, "wipe", 1, null).path("result").isObject()).isTrue();
            assertThat(methods(upstream).stream().filter("tools/list"::equals).count()).isEqualTo(ToolListFetch.MAX_PAGES);
        }
    }

    @Test
    void aListOverItsByteBoundRefusesTheCall() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            String padding = "x".repeat((int) ToolListFetch.MAX_BYTES);
            upstream.answer(scripted(upstream, list -> "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id")
                    + ",\"result\":{\"tools\":[{\"name\":\"wipe\",\"description\":\"" + padding + "\"}]}}"));
            assertThat(call(gateway, "wipe", "SAFE", null).path("error").path("data").path("reason").asText()).isEqualTo("tool_schema_unavailable");
            assertThat(methods(upstream)).containsExactly("tools/list");
        }
    }

    @Test
    void aListAnsweredAsAStreamIsReadAsOne() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(request -> {
                JsonNode body = bodies(upstream).get(upstream.received().size() - 1);
                if ("tools/list".equals(body.path("method").asText())) {
                    request.response().putHeader("Content-Type", "text/event-stream").end(
                            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"x\"}}\n\n"
                                    + "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"tools\":[" + WIPE + "]}}\n\n");
                } else {
                    request.response().putHeader("Content-Type", "application/json")
                            .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + CALL_RESULT + "}");
                }
            });
            assertThat(call(gateway, "wipe", "1", null).path("error").path("data").path("reason").asText())
                    .isEqualTo("argument_outside_declared_enum");
            assertThat(methods(upstream)).containsExactly("tools/list");
        }
    }

    @Test
    void concurrentCallsForAnUnknownToolCostOneList() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id") + ",\"result\":{\"tools\":[" + WIPE + "]}}"));
            List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return call(gateway, "wipe", 1, null);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<JsonNode> each : calls) {
                assertThat(each.get().path("error").path("data").path("reason").asText()).isEqualTo("argument_outside_declared_enum");
            }
            assertThat(methods(upstream)).containsExactly("tools/list");
        }
    }

    @Test
    void onTheStatelessRevisionTheListCarriesThatRevisionsMetaAndHeaders() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), LISTS_UNKNOWN_TOOLS, null)) {
            upstream.answerGatewayLists();
            upstream.answer(scripted(upstream, list -> "{\"jsonrpc\":\"2.0\",\"id\":" + list.get("id") + ",\"result\":{\"tools\":[" + WIPE + "]}}"));
            assertThat(call(gateway, "wipe", 1, "2026-07-28").path("error").path("data").path("reason").asText())
                    .isEqualTo("argument_outside_declared_enum");
            assertThat(methods(upstream)).containsExactly("tools/list");
            RecordingUpstream.Received list = upstream.received().get(0);
            assertThat(list.headers().get("Mcp-Method")).isEqualTo("tools/list");
            assertThat(list.headers().get("Mcp-Name")).isNull();
            assertThat(list.headers().get("Mcp-Session-Id")).isNull();
            assertThat(list.headers().get("MCP-Protocol-Version")).isEqualTo("2026-07-28");
            assertThat(bodies(upstream).get(0).path("params").path("_meta").path("io.modelcontextprotocol/protocolVersion").asText())
                    .isEqualTo("2026-07-28");
        }
    }

    /** Answers tools/list with {@code lists} (null: 500) and every other POST with a call result. */
    private static io.vertx.core.Handler<HttpServerRequest> scripted(RecordingUpstream upstream, Function<JsonNode, String> lists) {
        return request -> {
            JsonNode body = bodies(upstream).get(upstream.received().size() - 1);
            if ("tools/list".equals(body.path("method").asText())) {
                String answer = lists.apply(body);
                if (answer == null) {
                    request.response().setStatusCode(500).end();
                } else {
                    request.response().putHeader("Content-Type", "application/json").end(answer);
                }
                return;
            }
            request.response().putHeader("Content-Type", "application/json")
                    .end("{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + CALL_RESULT + "}");
        };
    }

    private static List<JsonNode> bodies(RecordingUpstream upstream) {
        List<JsonNode> all = new ArrayList<>();
        for (RecordingUpstream.Received received : upstream.received()) {
            try {
                all.add(JSON.readTree(received.body().getBytes()));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return all;
    }

    private static List<String> methods(RecordingUpstream upstream) {
        return bodies(upstream).stream().map(b -> b.path("method").asText()).toList();
    }

    private static JsonNode call(RunningGateway gateway, String tool, Object mode, String revision) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", tool);
        params.putObject("arguments").set("mode", JSON.valueToTree(mode));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url("/mcp"))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream");
        if (revision != null) {
            ObjectNode meta = params.putObject("_meta");
            meta.put("io.modelcontextprotocol/protocolVersion", revision);
            meta.putObject("io.modelcontextprotocol/clientCapabilities");
            meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "stateless").put("version", "1");
            request.header("MCP-Protocol-Version", revision).header("Mcp-Method", "tools/call").header("Mcp-Name", tool);
        }
        ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", "tools/call");
        body.set("params", params);
        String text = HTTP.send(request.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(text.substring(text.indexOf('{')));
    }
}
