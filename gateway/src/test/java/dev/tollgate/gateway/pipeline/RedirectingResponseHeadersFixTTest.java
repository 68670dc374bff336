package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix T: only the upstream's {@code Location} was kept from relayed answers. {@code Content-Location}, {@code Link},
 * {@code Refresh}, {@code Alt-Svc} (an alternative service for the gateway's own origin, which a client may connect to
 * next instead of the gateway) and the other headers that point a client (or a proxy in front of the gateway) at a URL
 * of the upstream's choosing passed through. A raw loopback upstream sends every one of them, on MCP and A2A routes,
 * with answers to calls, SSE answers and streams, agent cards and errors: the client sees none of them, and still sees
 * the upstream's other headers.
 */
class RedirectingResponseHeadersFixTTest {

    /** Each pointing header the upstream sends, with a value naming a URL (or file) of its own. */
    private static final List<String> POINTING = List.of(
            "Location: http://evil.example/next",
            "Content-Location: http://evil.example/content",
            "Link: <http://evil.example/preload.js>; rel=preload; as=script",
            "Link: <http://evil.example/>; rel=preconnect",
            "Refresh: 0; url=http://evil.example/",
            "Alt-Svc: h2=\"evil.example:443\"; ma=86400, h3=\":8443\"; ma=86400",
            "Report-To: {\"group\":\"g\",\"max_age\":86400,\"endpoints\":[{\"url\":\"http://evil.example/r\"}]}",
            "Reporting-Endpoints: default=\"http://evil.example/r\"",
            "NEL: {\"report_to\":\"g\",\"max_age\":86400}",
            "SourceMap: http://evil.example/map",
            "X-SourceMap: http://evil.example/map",
            "Speculation-Rules: \"http://evil.example/rules.json\"",
            "X-Accel-Redirect: /internal/secrets",
            "X-Sendfile: /etc/passwd",
            "X-Lighttpd-Send-File: /etc/passwd");
    private static final List<String> POINTING_NAMES = POINTING.stream()
            .map(line -> line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT)).distinct().toList();
    private static final String CARD = "{\"name\":\"A\",\"description\":\"An agent\",\"version\":\"1\","
            + "\"supportedInterfaces\":[{\"url\":\"%s\",\"protocolBinding\":\"JSONRPC\",\"protocolVersion\":\"1.0\"}],"
            + "\"capabilities\":{\"streaming\":true},\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],"
            + "\"skills\":[{\"id\":\"chat\",\"name\":\"Chat\",\"description\":\"Chats\",\"tags\":[\"text\"]}]}";
    private static final String A2A_MESSAGE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":"
            + "{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"did it\"}]}}}";

    @TempDir
    Path dir;
    private Vertx vertx;
    private RawUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RawUpstream();
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("p.yaml"), RunningGateway.ALLOW_ALL);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: allow-all}
                """.formatted(dir.resolve("policies"), upstream.url("/mcp"), upstream.url("/a")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void anMcpAnswerCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"result\"");
        assertNothingPointsElsewhere(reply);
    }

    @Test
    void anMcpAnswerStreamedAsEventsCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.headers().get("Content-Type")).startsWith("text/event-stream");
        assertThat(reply.body().toString()).contains("\"result\"");
        assertNothingPointsElsewhere(reply);
    }

    @Test
    void anMcpErrorAnswerCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(400);
        assertNothingPointsElsewhere(reply);
    }

    @Test
    void anMcpGetStreamCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/mcp").putHeader("Accept", "text/event-stream"), null);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("notifications/message");
        assertNothingPointsElsewhere(reply);
    }

    @Test
    void anAgentCardCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.send(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/agent/.well-known/agent-card.json").putHeader("Accept", "application/json"), null);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("\"skills\"");
        assertNothingPointsElsewhere(reply);
    }

    @Test
    void anA2aAnswerCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent", message(1));

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().toString()).contains("did it");
        assertNothingPointsElsewhere(reply);
    }

    @Test
    void anA2aErrorAnswerCarriesNoHeaderPointingElsewhere() throws Exception {
        TestHttp.Reply reply = http.postMcp(gateway.port(), "/agent", message(2));

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(500);
        assertNothingPointsElsewhere(reply);
    }

    private static String message(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m" + id
                + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}}}";
    }

    private void assertNothingPointsElsewhere(TestHttp.Reply reply) {
        assertThat(upstream.answered).as("the raw upstream answered the call").isPositive();
        assertThat(reply.headers().get("X-Upstream-Marker")).as("the upstream's other headers are relayed: " + reply.headers())
                .isEqualTo("kept");
        List<String> relayed = reply.headers().names().stream().map(n -> n.toLowerCase(Locale.ROOT)).filter(POINTING_NAMES::contains).toList();
        assertThat(relayed).as("headers pointing the client elsewhere relayed from the upstream: " + reply.headers()).isEmpty();
    }

    /** An HTTP/1.1 upstream written byte by byte: each answer carries every pointing header, then the connection closes. */
    private static final class RawUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final Thread acceptor;
        volatile int answered;

        RawUpstream() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::acceptAll, "raw-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getLocalPort() + path;
        }

        private void acceptAll() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    answer(socket);
                } catch (IOException e) {
                    // closed, or a peer that went away: next
                }
            }
        }

        private void answer(Socket socket) throws IOException {
            InputStream in = socket.getInputStream();
            String requestLine = readLine(in);
            int length = 0;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            String path = requestLine.split(" ")[1];
            boolean get = requestLine.startsWith("GET ");
            int status = 200;
            String type = "application/json";
            String content;
            if (get && path.endsWith("agent-card.json")) {
                content = CARD.formatted(url("/a"));
            } else if (get) {
                type = "text/event-stream";
                content = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"x\"}}\n\n";
            } else if (path.startsWith("/a")) {
                if (body.contains("\"id\":2")) {
                    status = 500;
                    content = "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32603,\"message\":\"agent failed\"}}";
                } else {
                    content = A2A_MESSAGE;
                }
            } else if (body.contains("\"id\":2")) {
                type = "text/event-stream";
                content = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n";
            } else if (body.contains("\"id\":3")) {
                status = 400;
                content = "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32600,\"message\":\"bad request\"}}";
            } else {
                content = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";
            }
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\n");
            if (!type.equals("text/event-stream")) {
                head.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            POINTING.forEach(line -> head.append(line).append("\r\n"));
            head.append("X-Upstream-Marker: kept\r\nConnection: close\r\n\r\n");
            // Counted before the answer is written: the client can read the relayed answer (and assert on this count)
            // before this thread gets to run again after flushing it, as a CI run on a loaded machine did.
            answered++;
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("closed mid-request");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
