package dev.tollgate.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What {@code tollgate demo} sets up, driven the way its printed sample call does it. */
class DemoThroughGatewayTest {

    @Test
    void initializeThenToolCallsThroughTheGatewayIncludingAStreamedOne() throws Exception {
        Vertx vertx = Vertx.vertx();
        DemoMcpServer demo = new DemoMcpServer(vertx);
        int demoPort = demo.start(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (RunningGateway gateway = RunningGateway.mcp(vertx, "http://127.0.0.1:" + demoPort + "/mcp", null, null);
             TestHttp http = new TestHttp(vertx)) {
            TestHttp.Reply init = http.postMcp(gateway.port(), "/mcp",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
            String session = init.headers().get("Mcp-Session-Id");

            TestHttp.Reply echo = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}"));
            TestHttp.Reply countdown = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id", session),
                    Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"countdown\",\"arguments\":{\"from\":2},\"_meta\":{\"progressToken\":\"p\"}}}"));

            assertThat(init.status()).isEqualTo(200);
            assertThat(session).isNotBlank();
            assertThat(echo.json().path("result").path("content").get(0).path("text").asText()).isEqualTo("hi");
            assertThat(countdown.headers().get("Content-Type")).isEqualTo("text/event-stream");
            assertThat(countdown.body().toString())
                    .contains("\"method\":\"notifications/progress\"", "\"progress\":1", "\"progress\":2", "liftoff");
        } finally {
            demo.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
