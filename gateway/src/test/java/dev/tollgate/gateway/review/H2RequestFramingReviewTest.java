package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.MtlsH2Fixture;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 requests on the mTLS listener (ALPN h2) that no HTTP/1 request can be, forwarded to an HTTP/1.1 upstream. Each
 * must be answered at once as the client's error, and reach nothing upstream.
 *
 * <p>Review P: a {@code :path} holding a space, CR or LF was routed and decided, then building the upstream's request
 * line threw on the event loop, unhandled: the caller got no answer until the route's timeout. Now 400 {@code invalid_path}.
 *
 * <p>Review Q: field values holding CR, LF, NUL or other controls, and names with a space or ':', make a request malformed
 * (RFC 9113 8.2.1). Vert.x let them through: a value {@code "a\r\n b"} (an HTTP/1 obs-fold) was forwarded verbatim (a
 * Netty upstream unfolds it, Node answers 400), every other one was answered 500, blamed on the upstream. Now 400
 * {@code invalid_header} (or the listener's reset).
 *
 * <p>Review R: a {@code CONNECT} (only {@code :method} and {@code :authority}, RFC 9113 8.5) reached the dispatcher with
 * no target; a NullPointerException left the stream unanswered, the connection busy and nothing logged or audited. Now 405.
 */
class H2RequestFramingReviewTest {

    private static final String A2A_ROUTE = "{name: echo-agent, path: /agents/echo, protocol: a2a, upstream: \"http://127.0.0.1:%d\", policy: p}";
    private static final String TASK = "/agents/echo/a2a/rest/tasks/MINE";

    @TempDir
    Path dir;

    @Test
    void aControlCharacterOrSpaceInAnH2PathIsRefusedAtOnce() throws Exception {
        List<String> wrong = new ArrayList<>();
        try (MtlsH2Fixture fixture = MtlsH2Fixture.start(dir, "allow", A2A_ROUTE)) {
            HttpClient http = fixture.vertxClient();
            for (String path : new String[] {TASK + " HTTP/1.1\r\nX-Smuggled: 1\r\n\r\nGET /a2a/rest/tasks/ACME", TASK + " x", TASK + "\r\n"}) {
                fixture.clearUpstream();
                String result;
                try {
                    result = http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(fixture.port()).setURI(path)
                                    .putHeader("A2A-Version", "1.0"))
                            .compose(r -> r.send().compose(resp -> resp.body().map(body -> resp.version() + " " + resp.statusCode() + " " + body)))
                            .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    result = "EXC " + e;
                }
                Thread.sleep(300);
                if (!result.startsWith("HTTP_2 400") || !fixture.upstreamSaw().isEmpty()) {
                    wrong.add(MtlsH2Fixture.escaped(path) + " => " + MtlsH2Fixture.escaped(result) + " || upstream got: " + fixture.upstreamSaw());
                }
            }
        }
        assertThat(wrong).as("h2 paths with a space or CR/LF not refused 400 within 5 s").isEmpty();
    }

    @Test
    void malformedH2FieldsAreRefusedAsClientErrorsAndNeverFoldedUpstream() throws Exception {
        String[][] probes = {
                {"x-probe", "a\r\nx-smuggled: 1"}, {"x-probe", "a\nx-smuggled: 1"}, {"x-probe", "a\rb"}, {"x-probe", "a\u0000b"},
                {"x-probe", "a\u007fb"}, {"x-probe", "a\u0001b"}, {"x-probe", "a\r\n b"},
                {"a2a-version", "1.0\r\nx-smuggled: 1"}, {"authorization", "Bearer a\r\nx-smuggled: 1"},
                {"x-pr obe", "v"}, {"x-probe:", "v"}, {"x-probe\r\nx-smuggled", "v"}, {"X-Upper", "v"}, {"connection", "close"},
                {"te", "gzip"}, {"transfer-encoding", "chunked"}, {"host", "evil.example"}, {"x-probe", "ok"},
        };
        List<String> wrong = new ArrayList<>();
        try (MtlsH2Fixture fixture = MtlsH2Fixture.start(dir, "allow", A2A_ROUTE)) {
            for (String[] probe : probes) {
                fixture.clearUpstream();
                Http2Headers headers = new DefaultHttp2Headers(false).method("GET").scheme("https").authority("localhost:" + fixture.port()).path(TASK);
                headers.add("a2a-version", "1.0");
                headers.add(probe[0], probe[1]);

                String result = fixture.send(headers);

                Thread.sleep(300);
                boolean control = probe[1].equals("ok");
                boolean right = control ? result.startsWith("status=200")
                        : (result.startsWith("status=400") || result.startsWith("RST")) && fixture.upstreamSaw().isEmpty();
                if (!right) {
                    wrong.add(MtlsH2Fixture.escaped(probe[0]) + ": " + MtlsH2Fixture.escaped(probe[1]) + " => " + MtlsH2Fixture.escaped(result)
                            + " || upstream got: " + fixture.upstreamSaw().stream().map(MtlsH2Fixture::escaped).toList());
                }
            }
        }
        assertThat(wrong)
                .as("h2 fields that are malformed (RFC 9113 8.2.1: CR, LF, NUL in a value; a name with a space, ':' or upper case) must be"
                        + " refused (400 or RST PROTOCOL_ERROR) with nothing sent upstream; an obs-fold must never reach an HTTP/1.1 upstream")
                .isEmpty();
    }

    @Test
    void anH2ConnectRequestIsAnsweredNotLeftOpen() throws Exception {
        String result;
        List<String> reached;
        try (MtlsH2Fixture fixture = MtlsH2Fixture.start(dir, "deny",
                "{name: root, path: /, protocol: mcp, upstream: \"http://127.0.0.1:%d/mcp\", policy: p}")) {
            result = fixture.send(new DefaultHttp2Headers(false).method("CONNECT").authority("localhost:" + fixture.port()));
            reached = List.copyOf(fixture.upstreamSaw());
        }
        assertThat(reached).as("a CONNECT is never forwarded").isEmpty();
        assertThat(result).as("an h2 CONNECT (:method CONNECT, :authority only) must be refused (4xx) or reset, not left unanswered")
                .matches("(?s)status=4\\d\\d.*|RST \\d+|GOAWAY \\d+.*");
    }
}
