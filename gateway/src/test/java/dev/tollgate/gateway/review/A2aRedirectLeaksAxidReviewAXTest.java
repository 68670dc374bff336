package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
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
 * Review AX: the caller's AXID, which the gateway keeps from upstreams ({@code axid.forward: strip}, the default), reaches
 * the agent when the agent answers the card request with a redirect: the gateway relays the 302 and its Location (see
 * A2aCardRedirectReviewAXTest), and the @a2a-js/sdk client follows it with the same request headers, its credential
 * for the gateway among them. The agent can then call the gateway as that caller.
 */
class A2aRedirectLeaksAxidReviewAXTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream agent;
    private RunningGateway gateway;
    private TenantTokens tokens;
    private final AtomicBoolean redirects = new AtomicBoolean();
    private final AtomicBoolean redirectsSends = new AtomicBoolean();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        agent = new RecordingUpstream(vertx);
        agent.answer(r -> {
            if (r.method() == HttpMethod.GET && redirects.get() && r.uri().startsWith("/a/")) {
                r.response().setStatusCode(302).putHeader("Location", agent.url("/canonical/.well-known/agent-card.json")).end();
            } else if (r.method() == HttpMethod.POST && redirectsSends.get() && r.uri().equals("/a")) {
                r.response().setStatusCode(307).putHeader("Location", agent.url("/collect")).end();
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
        tokens = TenantTokens.in(dir);
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), agent.url("/a")));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        agent.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Control: through the gateway, the agent never sees the caller's AXID. */
    @Test
    void control_theAgentNeverSeesTheCallersAxid() throws Exception {
        JsonNode outcome = send();

        assertThat(outcome.path("outcome").asText()).as(outcome.toString()).isEqualTo("result");
        assertThat(agent.received()).as("requests the agent received").isNotEmpty();
        assertThat(carryingTheAxid()).as("requests reaching the agent with the caller's AXID").isEmpty();
    }

    @Test
    void theAgentNeverSeesTheCallersAxidWhenItRedirectsItsCard() throws Exception {
        redirects.set(true);

        JsonNode outcome = send();

        assertThat(carryingTheAxid()).as("the client followed the relayed redirect with its gateway credential (outcome " + outcome + ")")
                .isEmpty();
    }

    /** The same with the card served in place and a 307 on the send: fetch re-POSTs body and headers to the Location. */
    @Test
    void theAgentNeverSeesTheCallersAxidWhenItRedirectsASend() throws Exception {
        redirectsSends.set(true);

        JsonNode outcome = send();

        assertThat(carryingTheAxid()).as("the client followed the relayed 307 with its gateway credential (outcome " + outcome + ")")
                .isEmpty();
    }

    private List<String> carryingTheAxid() {
        return agent.received().stream().filter(r -> r.headers().contains("X-Waxell-AXID")).map(r -> r.method() + " " + r.uri()).toList();
    }

    private JsonNode send() throws Exception {
        NodePeers.Result run = NodePeers.run(40, "a2a/send-with-header-client.mjs", gateway.url("/agent"), "X-Waxell-AXID", tokens.token("acme", "a"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(run.output()));
        return JSON.readTree(line);
    }
}
