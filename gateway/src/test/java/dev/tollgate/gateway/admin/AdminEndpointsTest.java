package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;

class AdminEndpointsTest {

    @Test
    void healthReadinessAndMetricsAreServedOnTheAdminPortOnly() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RecordingUpstream upstream = new RecordingUpstream(vertx);
             RunningGateway gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, null);
             TestHttp http = new TestHttp(vertx)) {
            http.postMcp(gateway.port(), "/mcp", "not json");
            http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}");

            // A call is counted when the gateway completes it, just after its answer is written: wait for that, not for luck.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> http.send(get(gateway.gateway().adminPort(),
                    "/metrics"), null).body().toString().contains("decision=\"allowed\",method=\"tools/call\""));
            TestHttp.Reply health = http.send(get(gateway.gateway().adminPort(), "/healthz"), null);
            TestHttp.Reply ready = http.send(get(gateway.gateway().adminPort(), "/readyz"), null);
            TestHttp.Reply metrics = http.send(get(gateway.gateway().adminPort(), "/metrics"), null);
            TestHttp.Reply healthOnTrafficPort = http.send(get(gateway.port(), "/healthz"), null);

            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().path("status").asText()).isEqualTo("UP");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body().toString())
                    .contains("tollgate_rejects_total{reason=\"invalid_json\"} 1.0")
                    .contains("tollgate_rejects_total{reason=\"body_too_large\"} 0.0")
                    .contains("tollgate_requests_total{decision=\"allowed\",method=\"tools/call\",route=\"upstream\"} 1.0")
                    .contains("tollgate_requests_total{decision=\"rejected\",method=\"POST\",route=\"upstream\"} 1.0")
                    .contains("tollgate_request_duration_seconds_bucket{route=\"upstream\"")
                    .contains("tollgate_upstream_duration_seconds_count{route=\"upstream\"} 1")
                    .contains("tollgate_gateway_duration_seconds_count{route=\"upstream\"} 1")
                    .contains("tollgate_sse_streams_open 0.0");
            assertThat(healthOnTrafficPort.status()).isEqualTo(404);
            assertThat(healthOnTrafficPort.reason()).isEqualTo("no_route");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static RequestOptions get(int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    }
}
