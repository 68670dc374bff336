package dev.tollgate.gateway.review;

import dev.tollgate.gateway.identity.DevPki;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review Q: on the mTLS listener (ALPN h2) a HEADERS frame may carry field values holding CR, LF, NUL or other controls, and
 * names with a space or ':', which RFC 9113 8.2.1 makes a malformed request (stream error PROTOCOL_ERROR). Vert.x lets
 * them through; the gateway routes and decides the call, then: (1) a value "a\r\n b" (CR LF followed by a space: an
 * HTTP/1 obs-fold) is written verbatim into the HTTP/1.1 request - the gateway read one field "a\r\n b", a Netty/Vert.x
 * upstream unfolds it to "a  b", Node answers 400 (RFC 9112 5.2: a gateway must reject or replace an obs-fold, never forward
 * it); (2) every other such value or name is answered 500 internal_error "upstream ... failed: IllegalArgumentException"
 * (the review P catch: prompt, nothing sent) - a client's malformed request reported as the gateway's/upstream's fault.
 * The client is a raw Netty HTTP/2 connection with header validation off (Vert.x's client refuses to send these).
 */
class H2HeaderBytesReviewQTest {
    @TempDir
    Path dir;

    @Test
    void malformedH2FieldsAreRefusedAsClientErrorsAndNeverFoldedUpstream() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ServerSocket up = new ServerSocket(0);
        Thread t = new Thread(() -> {
            while (!up.isClosed()) {
                try (Socket s = up.accept()) {
                    s.setSoTimeout(1500);
                    byte[] b = new byte[8000];
                    int n = s.getInputStream().read(b);
                    seen.add(new String(b, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".getBytes());
                } catch (Exception e) {
                    // next
                }
            }
        });
        t.setDaemon(true);
        t.start();
        DevPki.Issued ca = DevPki.ca("example.org");
        Path[] server = DevPki.write(dir, "gateway", DevPki.serverSvid(ca, "spiffe://example.org/tollgate", Duration.ofHours(1), "localhost"));
        Path[] client = DevPki.write(Files.createDirectories(dir.resolve("c")), "client", DevPki.svid(ca, "spiffe://example.org/agents/planner"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Vertx vertx = Vertx.vertx();
        RunningGateway gw = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "http://127.0.0.1:%d", policy: p}
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), dir.resolve("policies"), up.getLocalPort()));
        io.netty.handler.ssl.SslContext ssl = io.netty.handler.ssl.SslContextBuilder.forClient()
                .keyManager(client[0].toFile(), client[1].toFile())
                .trustManager(dir.resolve("bundle.pem").toFile())
                .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
        String[][] probes = {
                {"x-probe", "a\r\nx-smuggled: 1"}, {"x-probe", "a\nx-smuggled: 1"}, {"x-probe", "a\rb"}, {"x-probe", "a\u0000b"},
                {"x-probe", "a\u007fb"}, {"x-probe", "a\u0001b"}, {"x-probe", "a\r\n b"},
                {"a2a-version", "1.0\r\nx-smuggled: 1"}, {"authorization", "Bearer a\r\nx-smuggled: 1"},
                {"x-pr obe", "v"}, {"x-probe:", "v"}, {"x-probe\r\nx-smuggled", "v"}, {"X-Upper", "v"}, {"connection", "close"},
                {"te", "gzip"}, {"transfer-encoding", "chunked"}, {"host", "evil.example"}, {"x-probe", "ok"},
        };
        List<String> wrong = new CopyOnWriteArrayList<>();
        io.netty.channel.nio.NioEventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        for (String[] p : probes) {
            seen.clear();
            java.util.concurrent.CompletableFuture<String> answer = new java.util.concurrent.CompletableFuture<>();
            long t0 = System.nanoTime();
            io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(group).channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                    .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel c) {
                            c.pipeline().addLast(ssl.newHandler(c.alloc(), "localhost", gw.port()));
                            c.pipeline().addLast(new io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder().server(false).validateHeaders(false)
                                    .frameListener(new io.netty.handler.codec.http2.Http2FrameAdapter() {
                                        final StringBuilder sb = new StringBuilder();
                                        @Override
                                        public void onHeadersRead(io.netty.channel.ChannelHandlerContext ctx, int id, io.netty.handler.codec.http2.Http2Headers hs, int pad, boolean end) {
                                            sb.append("status=").append(hs.status()).append(' ');
                                            if (end) answer.complete(sb.toString());
                                        }
                                        @Override
                                        public void onHeadersRead(io.netty.channel.ChannelHandlerContext ctx, int id, io.netty.handler.codec.http2.Http2Headers hs, int dep, short w, boolean ex, int pad, boolean end) {
                                            onHeadersRead(ctx, id, hs, pad, end);
                                        }
                                        @Override
                                        public int onDataRead(io.netty.channel.ChannelHandlerContext ctx, int id, io.netty.buffer.ByteBuf data, int pad, boolean end) {
                                            sb.append(data.toString(StandardCharsets.UTF_8));
                                            if (end) answer.complete(sb.toString());
                                            return data.readableBytes() + pad;
                                        }
                                        @Override
                                        public void onRstStreamRead(io.netty.channel.ChannelHandlerContext ctx, int id, long code) {
                                            answer.complete(sb + "RST " + code);
                                        }
                                        @Override
                                        public void onGoAwayRead(io.netty.channel.ChannelHandlerContext ctx, int last, long code, io.netty.buffer.ByteBuf dbg) {
                                            answer.complete(sb + "GOAWAY " + code + " " + dbg.toString(StandardCharsets.UTF_8));
                                        }
                                    }).build());
                        }
                    }).connect("127.0.0.1", gw.port()).sync().channel();
            Thread.sleep(300);
            io.netty.handler.codec.http2.Http2Headers h = new io.netty.handler.codec.http2.DefaultHttp2Headers(false);
            h.method("GET").scheme("https").authority("localhost:" + gw.port()).path("/agents/echo/a2a/rest/tasks/MINE");
            h.add("a2a-version", "1.0");
            h.add(p[0], p[1]);
            io.netty.handler.codec.http2.Http2ConnectionHandler hh = ch.pipeline().get(io.netty.handler.codec.http2.Http2ConnectionHandler.class);
            io.netty.channel.ChannelHandlerContext hctx = ch.pipeline().context(hh);
            ch.eventLoop().execute(() -> {
                hh.encoder().writeHeaders(hctx, 3, h, 0, true, hctx.newPromise());
                hctx.flush();
            });
            String result;
            try {
                result = answer.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                result = "EXC " + e;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            ch.close();
            Thread.sleep(300);
            boolean control = p[1].equals("ok");
            boolean right = control ? result.startsWith("status=200") : (result.startsWith("status=400") || result.startsWith("RST")) && seen.isEmpty();
            if (!right) {
                wrong.add(esc(p[0]) + ": " + esc(p[1]) + " => " + esc(result.length() > 120 ? result.substring(0, 120) : result)
                        + " || upstream got: " + seen.stream().map(H2HeaderBytesReviewQTest::esc).toList());
            }
            System.out.println("PROBE " + esc(p[0]) + ": " + esc(p[1]) + " => " + ms + "ms " + esc(result.length() > 200 ? result.substring(0, 200) : result)
                    + " || upstream got: " + seen.stream().map(H2HeaderBytesReviewQTest::esc).toList());
        }
        group.shutdownGracefully();
        gw.close();
        up.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        org.assertj.core.api.Assertions.assertThat(wrong)
                .as("h2 fields that are malformed (RFC 9113 8.2.1: CR, LF, NUL in a value; a name with a space, ':' or upper case) must be"
                        + " refused (400 or RST PROTOCOL_ERROR) with nothing sent upstream; an obs-fold must never reach an HTTP/1.1 upstream")
                .isEmpty();
    }

    private static String esc(String s) {
        StringBuilder o = new StringBuilder();
        for (char c : s.toCharArray()) {
            o.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return o.length() > 400 ? o.substring(0, 400) : o.toString();
    }
}
