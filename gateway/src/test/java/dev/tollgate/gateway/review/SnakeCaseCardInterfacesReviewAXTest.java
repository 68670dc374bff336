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
 * Review AX: an agent card whose interfaces are written in the proto field spelling ({@code supported_interfaces},
 * {@code protocol_binding}, {@code protocol_version}) is relayed with the agent's own URL in it, and the @a2a-js/sdk
 * client follows that URL around the gateway.
 *
 * <p>The card rewriter (A2aCardRewriter#rewrite) moves {@code supportedInterfaces[].url}, {@code additionalInterfaces[].url}
 * and {@code url} under the gateway and drops interfaces elsewhere, so "a client following it stays behind the gateway".
 * It reads only those camelCase members. The SDK's card resolver reads a card in the proto JSON shape (here: a security
 * scheme written as {@code apiKeySecurityScheme}, which is also the shape the gateway itself writes for 1.0 cards) through
 * {@code AgentCard.fromJSON}, whose reader takes {@code supportedInterfaces} or, when that is absent,
 * {@code supported_interfaces} (ts-proto's JSON reader accepts both spellings). The client then sends its messages
 * straight to the agent, and nothing the route's policy denies is stopped.
 */
class SnakeCaseCardInterfacesReviewAXTest {

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
    private final AtomicReference<String> interfaces = new AtomicReference<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(r -> r.response().putHeader("Content-Type", "application/json").end(r.method() == HttpMethod.GET
                ? "{\"name\":\"A\",\"description\":\"An agent\",\"version\":\"1\",\"capabilities\":{},\"defaultInputModes\":[\"text\"],"
                        + "\"defaultOutputModes\":[\"text\"]," + interfaces.get() + ","
                        + "\"securitySchemes\":{\"k\":{\"apiKeySecurityScheme\":{\"location\":\"header\",\"name\":\"X-Key\"}}},"
                        + "\"skills\":[{\"id\":\"chat\",\"name\":\"Chat\",\"description\":\"Chats\",\"tags\":[\"text\"]}]}"
                : "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\","
                        + "\"parts\":[{\"text\":\"did it\"}]}}}"));
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

    /** Control: the interface in the camelCase spelling is moved under the gateway, and the denied send stops there. */
    @Test
    void control_aDeniedSendFollowingACamelCaseCardStopsAtTheGateway() throws Exception {
        interfaces.set("\"supportedInterfaces\":[{\"url\":\"" + agent.url("/a") + "\",\"protocolBinding\":\"JSONRPC\",\"protocolVersion\":\"1.0\"}]");

        JsonNode outcome = send(gateway.url("/agent"));

        assertThat(outcome.path("outcome").asText()).as(outcome.toString()).isEqualTo("error");
        assertThat(postsReachingTheAgent()).as("sends the agent received").isEmpty();
    }

    @Test
    void aDeniedSendFollowingASnakeCaseCardStopsAtTheGatewayToo() throws Exception {
        interfaces.set("\"supported_interfaces\":[{\"url\":\"" + agent.url("/a") + "\",\"protocol_binding\":\"JSONRPC\",\"protocol_version\":\"1.0\"}]");

        JsonNode outcome = send(gateway.url("/agent"));

        assertThat(postsReachingTheAgent())
                .as("the SDK client, having resolved the card through the gateway, sent the message the policy denies straight "
                        + "to the agent's own URL (outcome " + outcome + ")")
                .isEmpty();
        assertThat(outcome.path("outcome").asText()).as(outcome.toString()).isEqualTo("error");
    }

    private List<RecordingUpstream.Received> postsReachingTheAgent() {
        return agent.received().stream().filter(r -> r.method() == HttpMethod.POST).toList();
    }

    /** What the @a2a-js/sdk client's send of "hello" came to, having resolved the card at {@code base}. */
    private static JsonNode send(String base) throws Exception {
        NodePeers.Result run = NodePeers.run(40, "a2a/send-client.mjs", base);
        assertThat(run.exitCode()).as(run.output()).isZero();
        String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(run.output()));
        return JSON.readTree(line);
    }
}
