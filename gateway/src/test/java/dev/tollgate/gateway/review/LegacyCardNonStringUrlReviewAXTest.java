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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AX: a 0.3 agent card whose {@code url} is not a JSON string is relayed untouched, and the @a2a-js/sdk client
 * (with its documented 0.3 compatibility on) sends to the agent's own URL around the gateway.
 *
 * <p>A2aCardRewriter#rewriteLegacyUrl returns at once when {@code url} is not textual. The SDK's 0.3 card translation
 * (toCoreAgentCard) copies {@code compat.url} as it is into the interface it builds, and the JSON-RPC transport hands it
 * to fetch, which stringifies it: {@code ["http://agent/a"]} is {@code "http://agent/a"}.
 */
class LegacyCardNonStringUrlReviewAXTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: no-hello
            defaults: {action: allow}
            rules:
              - name: no-hello
                condition: {all: [{protocol: a2a}, {arg: {path: /message/text, matches: "(?i)hello"}}]}
                action: deny
                message: Not that word.
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream agent;
    private RunningGateway gateway;
    private final AtomicReference<String> url = new AtomicReference<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(r -> {
            if (r.method() == HttpMethod.GET) {
                r.response().putHeader("Content-Type", "application/json").end("{\"name\":\"A\",\"description\":\"An agent\",\"version\":\"1\","
                        + "\"protocolVersion\":\"0.3.0\",\"url\":" + url.get() + ",\"preferredTransport\":\"JSONRPC\",\"capabilities\":{},"
                        + "\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],"
                        + "\"skills\":[{\"id\":\"chat\",\"name\":\"Chat\",\"description\":\"Chats\",\"tags\":[\"text\"]}]}");
                return;
            }
            JsonNode id;
            try {
                id = JSON.readTree(agent.received().get(agent.received().size() - 1).body().getBytes()).path("id");
            } catch (java.io.IOException e) {
                id = JSON.nullNode();
            }
            r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"result\":{\"kind\":\"message\",\"messageId\":\"m\",\"role\":\"agent\",\"parts\":[{\"kind\":\"text\",\"text\":\"did it\"}]}}");
        });
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: no-hello}
                """.formatted(dir.resolve("policies"), agent.url("/a")));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Control: a string url is moved under the gateway, and the denied send stops there. */
    @Test
    void control_aDeniedSendFollowingALegacyCardStopsAtTheGateway() throws Exception {
        url.set("\"" + agent.url("/a") + "\"");

        JsonNode outcome = send(gateway.url("/agent"));

        assertThat(outcome.path("outcome").asText()).as(outcome.toString()).isEqualTo("error");
        assertThat(postsReachingTheAgent()).as("sends the agent received").isEmpty();
    }

    @Test
    void aDeniedSendFollowingALegacyCardWhoseUrlIsAnArrayStopsAtTheGatewayToo() throws Exception {
        url.set("[\"" + agent.url("/a") + "\"]");

        JsonNode outcome = send(gateway.url("/agent"));

        assertThat(postsReachingTheAgent())
                .as("the SDK client, having resolved the card through the gateway, sent the message the policy denies straight "
                        + "to the agent's own URL (outcome " + outcome + ")")
                .isEmpty();
    }

    private List<RecordingUpstream.Received> postsReachingTheAgent() {
        return agent.received().stream().filter(r -> r.method() == HttpMethod.POST).toList();
    }

    private static JsonNode send(String base) throws Exception {
        NodePeers.Result run = NodePeers.run(40, "a2a/send-legacy-compat-client.mjs", base);
        assertThat(run.exitCode()).as(run.output()).isZero();
        String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(run.output()));
        return JSON.readTree(line);
    }
}
