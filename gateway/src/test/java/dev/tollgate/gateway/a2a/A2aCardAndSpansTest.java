package dev.tollgate.gateway.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.config.TelemetryConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.gateway.telemetry.Telemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Card rewriting with a configured public URL and the gateway's security, and the a2a.* span attributes. */
class A2aCardAndSpansTest {

    private static final String PUBLIC_URL = "https://agents.example.com/echo";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private InMemorySpanExporter spans;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        Files.writeString(dir.resolve("a2a.yaml"), A2aJsSdkThroughGatewayTest.POLICY);
        GatewayServices services = new GatewayServices(new GatewayMetrics(),
                Telemetry.of(sdk, new TelemetryConfig("tollgate", "none", false, List.of())), null);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - name: agent
                    path: /agent
                    protocol: a2a
                    upstream: "%s"
                    policy: a2a
                    a2a: {public-url: "%s", card-security: gateway}
                """.formatted(dir, upstream.url("/base"), PUBLIC_URL), services);
        http = new TestHttp(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void cardIsRewrittenToThePublicUrlWithTheGatewaysSecurityAndAFreshEtag() throws Exception {
        String agent = upstream.url("/base");
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").putHeader("ETag", "\"upstream\"")
                .putHeader("Cache-Control", "public, max-age=3600").end("""
                {"name":"A","supportedInterfaces":[
                   {"url":"%1$s/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"},
                   {"url":"%1$s/rest","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"},
                   {"url":"grpc://127.0.0.1:50051","protocolBinding":"GRPC","protocolVersion":"1.0"},
                   {"url":"https://elsewhere.example.net/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],
                 "url":"%1$s/rpc","preferredTransport":"JSONRPC","protocolVersion":"0.3",
                 "additionalInterfaces":[{"url":"%1$s/rest","transport":"HTTP+JSON"}],
                 "securitySchemes":{"upstreamKey":{"apiKeySecurityScheme":{"location":"header","name":"X-Key"}}},
                 "securityRequirements":[{"schemes":{"upstreamKey":{"list":[]}}}],
                 "skills":[{"id":"echo","securityRequirements":[{"schemes":{"upstreamKey":{"list":[]}}}]},{"id":"admin-reset"}],
                 "signatures":[{"protected":"x","signature":"y"}]}""".formatted(agent)));
        RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/.well-known/agent-card.json").putHeader("Accept-Encoding", "gzip").putHeader("If-None-Match", "\"upstream\"");

        TestHttp.Reply reply = http.send(get, null);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode card = reply.json();
        assertThat(card.path("supportedInterfaces")).extracting(i -> i.path("url").asText())
                .containsExactly(PUBLIC_URL + "/rpc", PUBLIC_URL + "/rest");
        assertThat(card.path("url").asText()).isEqualTo(PUBLIC_URL + "/rpc");
        assertThat(card.path("additionalInterfaces").get(0).path("url").asText()).isEqualTo(PUBLIC_URL + "/rest");
        assertThat(card.has("signatures")).isFalse();
        assertThat(card.path("skills")).extracting(s -> s.path("id").asText()).containsExactly("echo");
        assertThat(card.path("skills").get(0).has("securityRequirements")).isFalse();
        // The route does not check AXIDs, so the gateway advertises no scheme rather than the agent's.
        assertThat(card.path("securitySchemes").isEmpty()).isTrue();
        assertThat(card.path("securityRequirements").isEmpty()).isTrue();
        assertThat(reply.body().toString()).doesNotContain(String.valueOf(upstream.port()));
        String etag = reply.headers().get("ETag");
        assertThat(etag).startsWith("\"tg-").isNotEqualTo("\"upstream\"");
        assertThat(reply.headers().get("Cache-Control")).isEqualTo("private, max-age=300");
        // The card is fetched uncompressed and unconditionally, so it can be rewritten.
        assertThat(upstream.received().get(0).uri()).isEqualTo("/base/.well-known/agent-card.json");
        assertThat(upstream.received().get(0).headers().contains("Accept-Encoding")).isFalse();
        assertThat(upstream.received().get(0).headers().contains("If-None-Match")).isFalse();

        TestHttp.Reply again = http.send(get.putHeader("If-None-Match", etag), null);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body().length()).isZero();
    }

    @Test
    void unreadableCardIsNotPassedOn() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("[\"http://127.0.0.1:1/leak\"]"));

        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/.well-known/agent.json"), null);

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.body().toString()).doesNotContain("leak").contains("a2a_invalid_agent_card");
    }

    @Test
    void extendedCardOverJsonRpcIsRewrittenToo() throws Exception {
        upstream.answer(r -> r.response().putHeader("Content-Type", "application/json").end("""
                {"jsonrpc":"2.0","id":4,"result":{"name":"A","supportedInterfaces":[
                  {"url":"%s/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"skills":[{"id":"admin-x"},{"id":"echo"}],
                  "signatures":[{"protected":"x","signature":"y"}]}}""".formatted(upstream.url("/base"))));

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent/rpc",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"agent/getAuthenticatedExtendedCard\"}");

        JsonNode card = reply.json().path("result");
        assertThat(card.path("supportedInterfaces").get(0).path("url").asText()).isEqualTo(PUBLIC_URL + "/rpc");
        assertThat(card.path("skills")).extracting(s -> s.path("id").asText()).containsExactly("echo");
        assertThat(card.has("signatures")).isFalse();
    }

    @Test
    void spansCarryTheA2aMethodTaskAndContext() throws Exception {
        http.postMcp(gateway.port(), "/agent/rpc", """
                {"jsonrpc":"2.0","id":9,"method":"message/send","params":{"message":{"kind":"message","messageId":"m","role":"user",
                 "taskId":"task-1","contextId":"ctx-1","parts":[{"kind":"text","text":"hi"}],"metadata":{"skillId":"echo"}}}}""");
        http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port()).setURI("/agent/rest/tasks/task-2"), null);

        // A forwarded call's span ends when the answer is complete, which the client may see first.
        await().atMost(Duration.ofSeconds(5)).until(() -> servers().size() == 2);
        List<SpanData> servers = servers();
        SpanData send = servers.get(0);
        assertThat(send.getName()).isEqualTo("SendMessage echo");
        assertThat(send.getAttributes().get(CallAttributes.A2A_METHOD)).isEqualTo("SendMessage");
        assertThat(send.getAttributes().get(CallAttributes.A2A_TASK_ID)).isEqualTo("task-1");
        assertThat(send.getAttributes().get(CallAttributes.A2A_CONTEXT_ID)).isEqualTo("ctx-1");
        assertThat(send.getAttributes().get(CallAttributes.A2A_SKILL)).isEqualTo("echo");
        assertThat(send.getAttributes().get(CallAttributes.A2A_PROTOCOL_VERSION)).isEqualTo("0.3");
        assertThat(send.getAttributes().get(CallAttributes.POLICY_ALLOWED)).isTrue();
        SpanData get = servers.get(1);
        assertThat(get.getAttributes().get(CallAttributes.A2A_METHOD)).isEqualTo("GetTask");
        assertThat(get.getAttributes().get(CallAttributes.A2A_TASK_ID)).isEqualTo("task-2");
        assertThat(get.getAttributes().get(CallAttributes.A2A_BINDING)).isEqualTo("http+json");
    }

    private List<SpanData> servers() {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).toList();
    }
}
