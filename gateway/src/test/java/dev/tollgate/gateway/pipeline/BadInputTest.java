package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.RawHttpReply;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reject reason and every limit: the bad input gets the exact status, JSON-RPC code and reason,
 * its counter moves, and the upstream sees nothing.
 */
class BadInputTest {

    private static final int MAX_BODY_BYTES = 2048; // room for an id of the longest length allowed plus one
    private static final int MAX_JSON_DEPTH = 8;
    private static final int MAX_BATCH_MESSAGES = 3;
    private static final String VALID_CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{}}}";

    private static Vertx vertx;
    private static RecordingUpstream upstream;
    private static RunningGateway gateway;
    private static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        gateway = RunningGateway.mcp(vertx, upstream.url("/mcp"), null, """
                limits:
                  max-body-bytes: %d
                  max-json-depth: %d
                  max-batch-messages: %d
                """.formatted(MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_BATCH_MESSAGES));
        http = new TestHttp(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clearUpstream() {
        upstream.received().clear();
    }

    record Case(String name, UnaryOperator<RequestOptions> request, byte[] body, RejectReason reason) {
        Arguments args() {
            return Arguments.of(this);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("not JSON", "hello", RejectReason.INVALID_JSON),
                bad("truncated JSON", "{\"jsonrpc\":\"2.0\",", RejectReason.INVALID_JSON),
                bad("trailing garbage after the document", VALID_CALL + "x", RejectReason.INVALID_JSON),
                bad("empty body", "", RejectReason.EMPTY_BODY),
                bad("duplicate key: gateway and upstream could read different tool names",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"safe\",\"name\":\"rm_rf\"}}",
                        RejectReason.DUPLICATE_KEY),
                bad("nesting deeper than the limit", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":" + "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH) + "}",
                        RejectReason.NESTING_TOO_DEEP),
                new Case("invalid UTF-8 (overlong slash)", r -> r, concat("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a", new byte[]{(byte) 0xC0, (byte) 0xAF}, "\"}"),
                        RejectReason.INVALID_UTF8).args(),
                bad("JSON that is not JSON-RPC", "{\"hello\":\"world\"}", RejectReason.NOT_JSONRPC),
                bad("wrong jsonrpc version", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", RejectReason.NOT_JSONRPC),
                bad("id that is an object", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", RejectReason.INVALID_ID),
                bad("method that is a number", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", RejectReason.INVALID_METHOD),
                bad("tools/call without a tool name", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}", RejectReason.INVALID_PARAMS),
                bad("tools/call without an id (policy decides requests; a server may run it all the same)",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"rm_rf\",\"arguments\":{}}}",
                        RejectReason.REQUEST_AS_NOTIFICATION),
                new Case("a batch whose second call has no id", r -> r.putHeader("MCP-Protocol-Version", "2025-03-26"),
                        ("[" + VALID_CALL + ",{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"rm_rf\",\"arguments\":{}}}]")
                                .getBytes(StandardCharsets.UTF_8), RejectReason.REQUEST_AS_NOTIFICATION).args(),
                bad("resource URI a server reads as another (FILE: is file: to the TypeScript SDK)",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"FILE:///secret.txt\"}}",
                        RejectReason.NON_CANONICAL_URI),
                bad("empty batch", "[]", RejectReason.EMPTY_BATCH),
                bad("batch with two calls of one id", "[" + VALID_CALL + "," + VALID_CALL + "]", RejectReason.DUPLICATE_ID),
                bad("a number with an exponent beyond an int", VALID_CALL.replace("\"arguments\":{}", "\"arguments\":{\"n\":1e99999999999}"), RejectReason.INVALID_JSON),
                bad("a number a double holds as zero", VALID_CALL.replace("\"arguments\":{}", "\"arguments\":{\"n\":1e-400}"), RejectReason.INVALID_JSON),
                bad("id beyond 2^53", VALID_CALL.replace("\"id\":7", "\"id\":9007199254740993"), RejectReason.INVALID_ID),
                bad("string id of 1,025 characters", VALID_CALL.replace("\"id\":7", "\"id\":\"" + "i".repeat(1025) + "\""), RejectReason.INVALID_ID),
                new Case("batch under MCP 2025-11-25 (batching removed in 2025-06-18)",
                        r -> r.putHeader("MCP-Protocol-Version", "2025-11-25"),
                        ("[" + VALID_CALL + "," + VALID_CALL.replace("\"id\":7", "\"id\":8") + "]").getBytes(StandardCharsets.UTF_8),
                        RejectReason.BATCH_NOT_SUPPORTED).args(),
                new Case("body over the limit, declared by Content-Length", r -> r,
                        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(MAX_BODY_BYTES) + "\"}}").getBytes(StandardCharsets.UTF_8),
                        RejectReason.BODY_TOO_LARGE).args(),
                new Case("wrong Content-Type", r -> r.putHeader("Content-Type", "text/plain"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.UNSUPPORTED_MEDIA_TYPE).args(),
                new Case("no Content-Type", r -> r.removeHeader("Content-Type"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.UNSUPPORTED_MEDIA_TYPE).args(),
                new Case("charset other than UTF-8 (an upstream would decode other text)", r -> r.putHeader("Content-Type", "application/json; charset=utf-7"),
                        VALID_CALL.getBytes(StandardCharsets.UTF_8), RejectReason.UNSUPPORTED_MEDIA_TYPE).args(),
                new Case("compressed body (an upstream would inflate it)", r -> r.putHeader("Content-Encoding", "gzip"),
                        VALID_CALL.getBytes(StandardCharsets.UTF_8), RejectReason.UNSUPPORTED_MEDIA_TYPE).args(),
                new Case("two Content-Type headers", r -> r.putHeader("Content-Type", java.util.List.of("application/json", "application/json; charset=utf-7")),
                        VALID_CALL.getBytes(StandardCharsets.UTF_8), RejectReason.UNSUPPORTED_MEDIA_TYPE).args(),
                bad("unpaired surrogate in the tool name (not Unicode text)",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\\ud800\",\"arguments\":{}}}",
                        RejectReason.LONE_SURROGATE),
                new Case("batch over limits.max-batch-messages", r -> r.putHeader("MCP-Protocol-Version", "2025-03-26"),
                        ("[" + String.join(",", java.util.stream.IntStream.rangeClosed(1, MAX_BATCH_MESSAGES + 1)
                                .mapToObj(id -> VALID_CALL.replace("\"id\":7", "\"id\":" + id)).toList()) + "]").getBytes(StandardCharsets.UTF_8),
                        RejectReason.BATCH_TOO_LARGE).args(),
                new Case("foreign Origin (DNS rebinding)", r -> r.putHeader("Origin", "http://evil.example.com"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.FORBIDDEN_ORIGIN).args(),
                new Case("foreign Host (DNS rebinding)", r -> r.putHeader("Host", "evil.example.com"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.FORBIDDEN_HOST).args(),
                new Case("PUT is not an MCP verb", r -> r.setMethod(HttpMethod.PUT), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.METHOD_NOT_ALLOWED).args(),
                new Case("path with dot-segments", r -> r.setURI("/mcp/../admin"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.INVALID_PATH).args(),
                new Case("path with an encoded slash", r -> r.setURI("/mcp/..%2Fadmin"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.INVALID_PATH).args(),
                new Case("path with a path parameter (Tomcat: /mcp/..;/admin is /admin)", r -> r.setURI("/mcp/..;/admin"),
                        VALID_CALL.getBytes(StandardCharsets.UTF_8), RejectReason.INVALID_PATH).args(),
                new Case("path with an empty segment", r -> r.setURI("/mcp//x"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.INVALID_PATH).args(),
                new Case("path escaping a letter (%6D is m)", r -> r.setURI("/%6Dcp"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.INVALID_PATH).args(),
                new Case("path no route covers", r -> r.setURI("/other"), VALID_CALL.getBytes(StandardCharsets.UTF_8),
                        RejectReason.NO_ROUTE).args());
    }

    private static Arguments bad(String name, String body, RejectReason reason) {
        return new Case(name, r -> r, body.getBytes(StandardCharsets.UTF_8), reason).args();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void rejectsWithStableErrorAndForwardsNothing(Case c) throws Exception {
        double before = gateway.gateway().metrics().rejectCount(c.reason());
        TestHttp.Reply reply = http.send(c.request().apply(TestHttp.mcpPost(gateway.port(), "/mcp")), Buffer.buffer(c.body()));

        assertThat(reply.status()).as("HTTP status").isEqualTo(c.reason().httpStatus());
        assertThat(reply.headers().get("Content-Type")).startsWith("application/json");
        assertThat(reply.json().path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(reply.errorCode()).as("JSON-RPC code").isEqualTo(c.reason().jsonRpcCode());
        assertThat(reply.reason()).as("stable reason").isEqualTo(c.reason().code());
        assertThat(gateway.gateway().metrics().rejectCount(c.reason())).as("counter").isEqualTo(before + 1);
        assertThat(upstream.received()).as("upstream saw nothing").isEmpty();
    }

    /**
     * The answer comes while the client is still sending: the body's last chunk is written only after the
     * 413 has been read. A plain socket with a read timeout, because an HTTP client that sees its answer
     * before it has finished writing may drop it (the Vert.x client once left the reply pending for ever).
     */
    @Test
    void chunkedBodyOverTheLimitIsRejectedWhileStreaming() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            writeChunk(out, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"");
            for (int i = 0; i < 4; i++) {
                writeChunk(out, "x".repeat(MAX_BODY_BYTES / 2));
            }
            out.flush();

            TestHttp.Reply reply = RawHttpReply.read(socket.getInputStream());

            assertThat(reply.status()).isEqualTo(413);
            assertThat(reply.reason()).isEqualTo("body_too_large");
            writeChunk(out, "\"}}");
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        assertThat(upstream.received()).isEmpty();
    }

    private static void writeChunk(OutputStream out, String chunk) throws java.io.IOException {
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void bodyExactlyAtTheLimitIsForwarded() throws Exception {
        String prefix = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"";
        String suffix = "\"}}";
        String body = prefix + "x".repeat(MAX_BODY_BYTES - prefix.length() - suffix.length()) + suffix;
        assertThat(body.length()).isEqualTo(MAX_BODY_BYTES);

        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", body);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.received().get(0).body().toString()).isEqualTo(body);
    }

    @Test
    void nestingExactlyAtTheLimitIsForwarded() throws Exception {
        // The envelope object is depth 1, "params" array depth 2, so MAX_JSON_DEPTH - 1 arrays reach the limit.
        String nested = "[".repeat(MAX_JSON_DEPTH - 1) + "]".repeat(MAX_JSON_DEPTH - 1);
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":" + nested + "}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void errorEchoesTheRequestIdWhenItCanBeRecovered() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{}}");

        assertThat(reply.reason()).isEqualTo("invalid_params");
        assertThat(reply.json().path("id").asInt()).isEqualTo(42);
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] pa = a.getBytes(StandardCharsets.UTF_8);
        byte[] pc = c.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[pa.length + b.length + pc.length];
        System.arraycopy(pa, 0, out, 0, pa.length);
        System.arraycopy(b, 0, out, pa.length, b.length);
        System.arraycopy(pc, 0, out, pa.length + b.length, pc.length);
        return out;
    }
}
