package dev.tollgate.gateway.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix of review AX finding 1: no upstream redirect is relayed on A2A routes (any verb, any call), no upstream
 * {@code Location} reaches a client on any route, and a card left with no interface at the gateway is not relayed.
 */
class A2aRedirectsAndCardInterfacesTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        Files.writeString(dir.resolve("a2a.yaml"), A2aJsSdkThroughGatewayTest.POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: a2a}
                """.formatted(dir, upstream.url("")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @ParameterizedTest(name = "{0} {1} answered {2}")
    @CsvSource({"GET,/agent/.well-known/agent-card.json,302", "GET,/agent/a2a/rest/tasks/t1,301",
            "DELETE,/agent/a2a/rest/tasks/t1/pushNotificationConfigs/c1,307", "GET,/agent/a2a/rest/extendedAgentCard,308"})
    void aRedirectIsRefusedOnEveryA2aCall(String method, String uri, int status) throws Exception {
        String elsewhere = upstream.url("/elsewhere/x");
        upstream.answer(r -> r.response().setStatusCode(status).putHeader("Location", elsewhere).end());

        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("127.0.0.1")
                .setPort(gateway.port()).setURI(uri), null);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(502);
        assertThat(reply.headers().contains("Location")).isFalse();
        assertThat(reply.body().toString()).contains("upstream_invalid_response").doesNotContain("/elsewhere/");
    }

    @Test
    void aLocationOnAnAnswerThatIsNoRedirectIsNotRelayed() throws Exception {
        String elsewhere = upstream.url("/elsewhere/x");
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").putHeader("Location", elsewhere)
                .putHeader("X-Agent-Note", "ok").end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":"
                        + "{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"did it\"}]}}}"));

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent/a2a/jsonrpc", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\","
                + "\"params\":{\"message\":{\"messageId\":\"c\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}}}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("did it");
        assertThat(reply.headers().contains("Location")).isFalse();
        assertThat(reply.headers().get("X-Agent-Note")).as("other headers still pass").isEqualTo("ok");
    }

    @Test
    void aCardLeftWithNoInterfaceAtTheGatewayIsNotRelayed() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("""
                {"name":"A","supportedInterfaces":[
                   {"url":"grpc://127.0.0.1:50051","protocolBinding":"GRPC","protocolVersion":"1.0"},
                   {"url":"https://elsewhere.example.net/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],
                 "supported_interfaces":[{"url":["%s/rpc"],"protocol_binding":"JSONRPC"}],
                 "skills":[]}""".formatted(upstream.url(""))));

        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/.well-known/agent-card.json"), null);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(502);
        assertThat(reply.body().toString()).contains("a2a_invalid_agent_card").doesNotContain("elsewhere.example", String.valueOf(upstream.port()));
    }

    @Test
    void aSnakeCaseCardKeepsOnlyInterfacesAtTheGateway() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("""
                {"name":"A","supported_interfaces":[
                   {"url":"%1$s/rpc","protocol_binding":"JSONRPC","protocol_version":"1.0"},
                   {"url":"https://elsewhere.example.net/rpc","protocol_binding":"JSONRPC","protocol_version":"1.0"}],
                 "skills":[]}""".formatted(upstream.url(""))));

        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/.well-known/agent-card.json"), null);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.json().path("supported_interfaces")).extracting(i -> i.path("url").asText())
                .containsExactly(gateway.url("/agent/rpc"));
        assertThat(reply.body().toString()).doesNotContain("elsewhere", String.valueOf(upstream.port()));
    }

    /** MCP: a DELETE's answer still passes as it is (its body is never read), but without the upstream's Location. */
    @Test
    void anMcpDeleteRedirectPassesWithoutItsLocation() throws Exception {
        RecordingUpstream mcp = new RecordingUpstream(vertx);
        RunningGateway mcpGateway = RunningGateway.mcp(vertx, mcp.url("/mcp"), null, TestSessions.YAML);
        try {
            mcp.answer(r -> r.response().setStatusCode(307).putHeader("Location", "/admin/mcp").end());
            RequestOptions delete = new RequestOptions().setMethod(HttpMethod.DELETE).setHost("127.0.0.1").setPort(mcpGateway.port())
                    .setURI("/mcp").putHeader("Mcp-Session-Id", TestSessions.sealed("upstream", "s-1"));

            TestHttp.Reply deleted = http.send(delete, null);

            assertThat(deleted.status()).isEqualTo(307);
            assertThat(deleted.headers().contains("Location")).isFalse();
            assertThat(mcp.received()).extracting(RecordingUpstream.Received::method).containsExactly(HttpMethod.DELETE);
            // A POST's redirect is refused, as before.
            TestHttp.Reply posted = http.send(TestHttp.mcpPost(mcpGateway.port(), "/mcp").putHeader("Mcp-Session-Id",
                    TestSessions.sealed("upstream", "s-1")), Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
            assertThat(posted.status()).isEqualTo(502);
            assertThat(posted.headers().contains("Location")).isFalse();
            assertThat(posted.body().toString()).contains("upstream_invalid_response").doesNotContain("/admin/mcp");
        } finally {
            mcpGateway.close();
            mcp.close();
        }
    }
}
