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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AX: an A2A agent that answers its card's URL with a redirect (an http-to-https or canonical-host redirect, a
 * moved card) has the 302 and its {@code Location} relayed to the client. The @a2a-js/sdk card resolver fetches with
 * fetch's default {@code redirect: "follow"}, so it reads the card at the agent's own URL, unrewritten, and sends every
 * later message straight to the agent: nothing the route's policy denies is stopped. For MCP the gateway refuses any
 * 3xx ("redirects are not relayed", UpstreamCall#handledBeforeRelay); that check runs only for the MCP filter
 * ({@code policed}), and A2A answers keep the upstream's headers, Location included.
 */
class A2aCardRedirectReviewAXTest {

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
    private final AtomicBoolean redirects = new AtomicBoolean();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(r -> {
            if (r.method() == HttpMethod.GET && redirects.get() && r.uri().startsWith("/a/")) {
                r.response().setStatusCode(302).putHeader("Location", agent.url("/canonical/.well-known/agent-card.json")).end();
            } else if (r.method() == HttpMethod.GET) {
                r.response().putHeader("Content-Type", "application/json").end("{\"name\":\"A\",\"description\":\"An agent\",\"version\":\"1\","
                        + "\"supportedInterfaces\":[{\"url\":\"" + agent.url("/a") + "\",\"protocolBinding\":\"JSONRPC\",\"protocolVersion\":\"1.0\"}],"
                        + "\"capabilities\":{},\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],"
                        + "\"skills\":[{\"id\":\"chat\",\"name\":\"Chat\",\"description\":\"Chats\",\"tags\":[\"text\"]}]}");
            } else {
                r.response().putHeader("Content-Type", "application/json").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":"
                        + "{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"did it\"}]}}}");
            }
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

    /** Control: the card served in place is rewritten, and the denied send stops at the gateway. */
    @Test
    void control_aDeniedSendStopsAtTheGateway() throws Exception {
        JsonNode outcome = send(gateway.url("/agent"));

        assertThat(outcome.path("outcome").asText()).as(outcome.toString()).isEqualTo("error");
        assertThat(postsReachingTheAgent()).as("sends the agent received").isEmpty();
    }

    @Test
    void aDeniedSendStopsAtTheGatewayWhenTheAgentRedirectsItsCard() throws Exception {
        redirects.set(true);

        JsonNode outcome = send(gateway.url("/agent"));

        assertThat(postsReachingTheAgent())
                .as("the SDK client followed the relayed redirect to the agent's own card and sent the denied message straight "
                        + "to the agent (outcome " + outcome + ")")
                .isEmpty();
    }

    private List<RecordingUpstream.Received> postsReachingTheAgent() {
        return agent.received().stream().filter(r -> r.method() == HttpMethod.POST).toList();
    }

    private static JsonNode send(String base) throws Exception {
        NodePeers.Result run = NodePeers.run(40, "a2a/send-client.mjs", base);
        assertThat(run.exitCode()).as(run.output()).isZero();
        String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(run.output()));
        return JSON.readTree(line);
    }
}
