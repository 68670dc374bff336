package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BA: an agent card whose interface URL is "under the upstream" only before its dot segments are resolved.
 *
 * <p>A2aCardRewriter#map checks that the raw path starts with the upstream's base and appends the rest to the route's
 * public URL as it is: {@code <agent>/a/../../b} becomes {@code <gateway>/agent/../../b}. The @a2a-js/sdk client hands
 * that URL to fetch, which resolves the dot segments (WHATWG URL) and POSTs to {@code <gateway>/b}: another route,
 * another agent. So the agent behind route {@code agent} chooses which route of the gateway the caller's messages (and
 * credentials) go to, though the caller asked for {@code agent}.
 */
class CardDotSegmentsReviewBATest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream agentA;
    private RecordingUpstream agentB;
    private RunningGateway gateway;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agentA = new RecordingUpstream(vertx);
        agentB = new RecordingUpstream(vertx);
        agentB.answer(r -> r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + lastId(agentB)
                + ",\"result\":{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"B got it\"}]}}}"));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies").resolve("p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                  - {name: b, path: /b, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), agentA.url("/a"), agentB.url("/b")));
    }

    private void cardNaming(String url) {
        agentA.answer(r -> {
            if (r.method() == HttpMethod.GET) {
                r.response().putHeader("Content-Type", "application/json").end("{\"name\":\"A\",\"description\":\"An agent\",\"version\":\"1\","
                        + "\"supportedInterfaces\":[{\"url\":\"" + url + "\",\"protocolBinding\":\"JSONRPC\",\"protocolVersion\":\"1.0\"}],"
                        + "\"capabilities\":{},\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],"
                        + "\"skills\":[{\"id\":\"chat\",\"name\":\"Chat\",\"description\":\"Chats\",\"tags\":[\"text\"]}]}");
                return;
            }
            r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + lastId(agentA)
                    + ",\"result\":{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"A got it\"}]}}}");
        });
    }

    private static JsonNode lastId(RecordingUpstream agent) {
        try {
            return JSON.readTree(agent.received().get(agent.received().size() - 1).body().getBytes()).path("id");
        } catch (java.io.IOException e) {
            return JSON.nullNode();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        agentA.close();
        agentB.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Control: a card naming the agent's own endpoint; the message reaches agent A through route agent. */
    @Test
    void control_theMessageReachesTheRoutesOwnAgent() throws Exception {
        cardNaming(agentA.url("/a"));
        assertThat(sent().path("outcome").asText()).isEqualTo("result");
        assertThat(agentA.received().stream().filter(r -> r.method() == HttpMethod.POST).count()).isEqualTo(1);
        assertThat(agentB.received()).isEmpty();
    }

    /** The card names {@code <agent>/a/../../b}: the client must not be led to route b's agent. */
    @Test
    void aCardWithDotSegmentsDoesNotLeadTheClientToAnotherRoute() throws Exception {
        cardNaming(agentA.url("/a") + "/../../b");
        JsonNode outcome = sent();
        assertThat(agentB.received().stream().filter(r -> r.method() == HttpMethod.POST).toList())
                .as("route agent's card sent the client's message to route b's agent (client outcome " + outcome + ")")
                .isEmpty();
    }

    /** The same with percent-encoded dot segments, which WHATWG URL resolves as well. */
    @Test
    void aCardWithEncodedDotSegmentsDoesNotLeadTheClientToAnotherRoute() throws Exception {
        cardNaming(agentA.url("/a") + "/%2e%2e/%2E%2e/b");
        JsonNode outcome = sent();
        assertThat(agentB.received().stream().filter(r -> r.method() == HttpMethod.POST).toList())
                .as("route agent's card sent the client's message to route b's agent (client outcome " + outcome + ")")
                .isEmpty();
    }

    private JsonNode sent() throws Exception {
        NodePeers.Result run = NodePeers.run(40, "a2a/send-client.mjs", gateway.url("/agent/"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(run.output()));
        return JSON.readTree(line);
    }
}
