package dev.tollgate.gateway.attacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The return half of the attacker's catalog: a hostile MCP server sends what each case gives (SSE events,
 * JSON answers) through the gateway to the official MCP TypeScript SDK client, which reports which of its
 * handlers ran. The gateway must deliver nothing policy denies or it cannot read, and answer the server on
 * the client's behalf where the server awaits an answer.
 */
class ServerAttacksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLIENT_TIMEOUT_SECONDS = 60;

    private static Vertx vertx;
    private static HostileMcpUpstream upstream;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new HostileMcpUpstream(vertx);
        gateway = RunningGateway.mcpWithPolicy(vertx, upstream.url(), AttackCatalog.policy(), null, null);
        AttackCatalog.cases("server-").forEach(c -> upstream.script(slug(c), script(c.spec())));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static Stream<AttackCatalog.Case> serverAttacks() {
        return AttackCatalog.cases("server-");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverAttacks")
    void clientReceivesOnlyWhatPolicyAllowsAndTheGatewayCouldRead(AttackCatalog.Case c) throws Exception {
        JsonNode expect = c.spec().path("expect");
        double refusedBefore = refusals();
        int answersBefore = upstream.answers().size();

        String kind = c.spec().path("list").asBoolean() ? "list:" : "call:";
        NodePeers.Result run = NodePeers.run(CLIENT_TIMEOUT_SECONDS, "ts-attack-client.mjs",
                "http://localhost:" + gateway.port() + "/mcp", kind + slug(c));
        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode seen = caseLine(run.output());

        assertThat(names(seen.path("handled"))).as("client handlers that ran; " + seen).isEqualTo(names(expect.path("delivered")));
        assertThat(seen.path("outcome").asText()).as("the call's outcome; " + seen).isEqualTo(expect.path("outcome").asText("result"));
        if (expect.has("detail-contains")) {
            assertThat(seen.path("detail").asText()).as("what the client was told").contains(expect.get("detail-contains").asText());
        }
        if (expect.has("tools")) {
            assertThat(names(seen.path("tools"))).as("tools listed").isEqualTo(names(expect.get("tools")));
        }
        List<JsonNode> gatewayAnswers = upstream.answers().subList(answersBefore, upstream.answers().size()).stream()
                .filter(a -> a.path("error").path("data").has("reason")).toList();
        assertThat(gatewayAnswers).as("errors the gateway sent the server on the client's behalf")
                .hasSize(expect.path("answered-upstream").asInt(0));
        if (expect.has("reason")) {
            assertThat(gatewayAnswers).allSatisfy(a -> assertThat(a.path("error").path("data").path("reason").asText())
                    .isEqualTo(expect.get("reason").asText()));
        }
        assertThat(refusals() - refusedBefore).as("server messages refused as unreadable").isEqualTo(expect.path("refused").asInt(0));
    }

    private static double refusals() {
        var metrics = gateway.gateway().metrics();
        return metrics.rejectCount(RejectReason.UPSTREAM_INVALID_EVENT) + metrics.rejectCount(RejectReason.UPSTREAM_INVALID_RESPONSE);
    }

    private static HostileMcpUpstream.Script script(JsonNode spec) {
        List<String> events = new ArrayList<>();
        spec.path("events").forEach(e -> events.add(e.isTextual() ? e.asText() : e.toString()));
        String json = spec.has("json") ? spec.get("json").asText() : null;
        String repeated = spec.has("event-repeat") ? repeat(spec.get("event-repeat")) : null;
        if (repeated != null) {
            events.add(repeated);
        }
        return new HostileMcpUpstream.Script(events, json, spec.path("content-type").asText(null), spec.path("on-get-stream").asBoolean(),
                spec.path("status").asInt(200), spec.path("location").asText(null));
    }

    /** An event too large to write in the file: prefix + piece x count + suffix. */
    private static String repeat(JsonNode r) {
        return r.get("prefix").asText() + r.get("piece").asText().repeat(r.get("count").asInt()) + r.get("suffix").asText();
    }

    private static String slug(AttackCatalog.Case c) {
        return c.name().toLowerCase().replaceAll("[^a-z0-9]+", "-");
    }

    private static JsonNode caseLine(String output) throws Exception {
        for (String line : output.split("\n")) {
            if (line.startsWith("CASE ")) {
                return JSON.readTree(line.substring("CASE ".length()));
            }
        }
        throw new AssertionError("the client printed no CASE line:\n" + output);
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out.stream().sorted().toList();
    }
}
