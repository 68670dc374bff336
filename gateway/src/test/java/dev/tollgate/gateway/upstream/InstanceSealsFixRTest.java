package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import dev.tollgate.gateway.support.TestSessions;
import dev.tollgate.policy.Identity;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fixR (review AY, findings 1 and 6): how sealed records read once the gateway always seals the answering instance. A
 * session id or event id naming no instance was sealed by an earlier version on a route of one instance: it holds while
 * the route has one instance, and is unknown on a route of several (nothing says which holds it), unless a session pins
 * a resumed stream. An event id naming an instance the route no longer lists is unknown (400 unknown_event_id).
 */
class InstanceSealsFixRTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHttp http;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        http = new TestHttp(vertx);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RecordingUpstream upstream() throws Exception {
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        closing.add(upstream);
        return upstream;
    }

    private RunningGateway gateway(String upstreamYaml) throws Exception {
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                %s
                """.formatted(dir.resolve("policies"), TestSessions.YAML, upstreamYaml.indent(4).stripTrailing()));
        closing.add(gateway);
        return gateway;
    }

    private TestHttp.Reply resume(RunningGateway gateway, String lastEventId, String session) throws Exception {
        RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream").putHeader("Last-Event-ID", lastEventId);
        if (session != null) {
            get.putHeader("Mcp-Session-Id", session);
        }
        return http.send(get, null);
    }

    @Test
    void aSessionSealedWithoutItsInstanceHoldsOnARouteOfOneInstance() throws Exception {
        RecordingUpstream a = upstream();
        RunningGateway gateway = gateway("upstream: \"" + a.url("/mcp") + "\"");

        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id",
                TestSessions.sealed("tools", "legacy-session")), Buffer.buffer(CALL));

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(a.received()).hasSize(1);
        assertThat(a.received().get(0).headers().get("Mcp-Session-Id")).isEqualTo("legacy-session");
    }

    @Test
    void aSessionSealedWithoutItsInstanceIsNotFoundOnARouteOfSeveral() throws Exception {
        RecordingUpstream a = upstream();
        RecordingUpstream b = upstream();
        RunningGateway gateway = gateway("upstreams: [{url: \"%s\"}, {url: \"%s\"}]".formatted(a.url("/mcp"), b.url("/mcp")));

        TestHttp.Reply reply = http.send(TestHttp.mcpPost(gateway.port(), "/mcp").putHeader("Mcp-Session-Id",
                TestSessions.sealed("tools", "legacy-session")), Buffer.buffer(CALL));

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.reason()).isEqualTo("session_not_found");
        assertThat(a.received()).isEmpty();
        assertThat(b.received()).isEmpty();
    }

    @Test
    void aStreamWhoseInstanceLeftTheRouteIsNotResumedElsewhere() throws Exception {
        RecordingUpstream a = upstream();
        RunningGateway gateway = gateway("upstream: \"" + a.url("/mcp") + "\"");
        String gone = TestSessions.sealer().sealEventId("tools", Identity.ANONYMOUS, "ev-1", null, "http://127.0.0.1:1/mcp", Instant.now());

        TestHttp.Reply reply = resume(gateway, gone, null);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.reason()).isEqualTo("unknown_event_id");
        assertThat(a.received()).isEmpty();
    }

    @Test
    void anEventIdSealedWithoutItsInstanceResumesOnARouteOfOneInstanceOrWhereItsSessionIs() throws Exception {
        RecordingUpstream a = upstream();
        a.answer(r -> r.response().putHeader("Content-Type", "text/event-stream").end());
        RunningGateway one = gateway("upstream: \"" + a.url("/mcp") + "\"");
        assertThat(resume(one, TestSessions.sealedEventId("tools", "ev-1"), null).status()).isEqualTo(200);
        assertThat(a.received()).hasSize(1);
        assertThat(a.received().get(0).headers().get("Last-Event-ID")).isEqualTo("ev-1");

        RecordingUpstream b = upstream();
        b.answer(r -> r.response().putHeader("Content-Type", "text/event-stream").end());
        RunningGateway several = gateway("upstreams: [{url: \"%s\"}, {url: \"%s\"}]".formatted(a.url("/mcp"), b.url("/mcp")));
        TestHttp.Reply unpinned = resume(several, TestSessions.sealedEventId("tools", "ev-1"), null);
        assertThat(unpinned.status()).isEqualTo(400);
        assertThat(unpinned.reason()).isEqualTo("unknown_event_id");

        String session = TestSessions.sealer().seal("tools", Identity.ANONYMOUS, "session-on-b", b.url("/mcp"), Instant.now());
        assertThat(resume(several, TestSessions.sealedEventId("tools", "ev-2"), session).status()).isEqualTo(200);
        assertThat(b.received()).hasSize(1);
        assertThat(b.received().get(0).headers().get("Last-Event-ID")).isEqualTo("ev-2");
        assertThat(a.received()).hasSize(1);
    }
}
