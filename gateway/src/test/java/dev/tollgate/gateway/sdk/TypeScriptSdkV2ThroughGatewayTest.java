package dev.tollgate.gateway.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodePeers;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MCP revision 2026-07-28 end to end with the official TypeScript SDK v2 client and server (2.4.0): the
 * client negotiates the stateless revision through the gateway, allowed calls pass unchanged, and the
 * server's input_required results (sampling, URL elicitation, roots), which replace server-to-client
 * requests in this revision, meet the same policy: a denied one never reaches the client's handlers, so the
 * retry that would complete the exchange is never sent.
 */
class TypeScriptSdkV2ThroughGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLIENT_TIMEOUT_SECONDS = 60;
    private static final String[] SPECS = {"list", "call:echo", "call:deploy", "call:ask-model", "call:ask-user-url", "call:list-roots"};

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = NodeServer.start("ts2-server.mjs", Map.of());
        String policy = Files.readString(Path.of(TypeScriptSdkV2ThroughGatewayTest.class.getResource("/attacks/policy.yaml").toURI()));
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), policy, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void directTheClientAnswersEveryInputRequest() throws Exception {
        Map<String, JsonNode> direct = run(server.url("/mcp"), "auto");

        assertThat(direct.get("connected").path("protocolVersion").asText()).isEqualTo("2026-07-28");
        assertThat(direct.get("call:ask-model").path("handled")).extracting(JsonNode::asText).containsExactly("sampling");
        assertThat(direct.get("call:ask-user-url").path("handled")).extracting(JsonNode::asText).containsExactly("elicitation");
        assertThat(direct.get("call:list-roots").path("handled")).extracting(JsonNode::asText).containsExactly("roots");
    }

    @Test
    void throughTheGatewayDeniedInputRequestsNeverReachTheClient() throws Exception {
        int mark = server.output().length();

        Map<String, JsonNode> seen = run("http://localhost:" + gateway.port() + "/mcp", "auto");

        assertThat(seen.get("connected").path("protocolVersion").asText()).as("the stateless revision is negotiated through the gateway").isEqualTo("2026-07-28");
        assertThat(seen.get("list").path("detail")).extracting(JsonNode::asText).as("get-env is denied, so not listed")
                .containsExactly("ask-model", "ask-user-url", "deploy", "echo", "list-roots");
        assertThat(seen.get("call:echo").path("outcome").asText()).isEqualTo("result");
        assertThat(seen.get("call:echo").path("detail").asText()).isEqualTo("hi");
        assertThat(seen.get("call:deploy").path("detail").asText()).as("its Mcp-Param-Region header agrees with the argument")
                .isEqualTo("deployed to eu");
        for (String[] denied : new String[][] {{"call:ask-model", "no-sampling"}, {"call:ask-user-url", "no-url-elicitation"}, {"call:list-roots", "no-roots"}}) {
            JsonNode result = seen.get(denied[0]);
            assertThat(result.path("handled")).as(denied[0] + " handlers").isEmpty();
            assertThat(result.path("outcome").asText()).as(denied[0]).isEqualTo("error");
            assertThat(result.path("detail").asText()).as(denied[0]).contains(denied[1]);
        }
        List<JsonNode> executed = executedSince(mark);
        assertThat(executed).extracting(e -> e.path("tool").asText())
                .as("each tool ran once; no retry carried inputResponses").containsExactly("echo", "deploy", "ask-model", "ask-user-url", "list-roots");
        assertThat(executed).allSatisfy(e -> assertThat(e.path("inputResponses").isNull()).isTrue());
    }

    @Test
    void theSdksDefaultNegotiationStillSpeaks2025ThroughTheGateway() throws Exception {
        Map<String, JsonNode> seen = run("http://localhost:" + gateway.port() + "/mcp", "legacy");

        assertThat(seen.get("connected").path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(seen.get("call:echo").path("detail").asText()).isEqualTo("hi");
        assertThat(seen.get("call:ask-model").path("handled")).isEmpty();
    }

    private static Map<String, JsonNode> run(String url, String negotiation) throws Exception {
        List<String> args = new ArrayList<>(List.of(url));
        args.addAll(List.of(SPECS));
        NodePeers.Result result = NodePeers.runWithEnv(CLIENT_TIMEOUT_SECONDS, Map.of("NEGOTIATION", negotiation), "ts2-client.mjs",
                args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.output()).isZero();
        Map<String, JsonNode> lines = new LinkedHashMap<>();
        for (String line : result.output().split("\n")) {
            if (line.startsWith("CONNECTED ")) {
                lines.put("connected", JSON.readTree(line.substring("CONNECTED ".length())));
            } else if (line.startsWith("CASE ")) {
                JsonNode c = JSON.readTree(line.substring("CASE ".length()));
                lines.put(c.path("case").asText(), c);
            }
        }
        assertThat(lines).as(result.output()).containsKeys("connected", "call:echo");
        return lines;
    }

    private static List<JsonNode> executedSince(int mark) throws Exception {
        List<JsonNode> executed = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.startsWith("EXECUTED ")) {
                executed.add(JSON.readTree(line.substring("EXECUTED ".length())));
            }
        }
        return executed;
    }
}
