package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.identity.DevPki;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review R (low, robustness/DoS): an HTTP/2 {@code CONNECT} request on a TLS listener is never answered.
 *
 * <p>Bytes: one HEADERS frame (END_STREAM) on stream 3 holding only {@code :method: CONNECT} and
 * {@code :authority: localhost:<port>} (RFC 9113 8.5: a CONNECT carries neither {@code :scheme} nor {@code :path}). Vert.x
 * accepts it as well formed and hands the gateway a request whose {@code uri()} and {@code path()} are null;
 * {@code RequestDispatcher.handle} runs {@code targetProblem(request.uri())} first and throws a NullPointerException
 * ("Cannot invoke String.length() because uri is null"), which Vert.x logs at ERROR with a stack trace. Nothing answers
 * the stream: the client waits for ever, the connection counts a request in flight (ConnectionTimeouts never arms its
 * idle timeout for it) and the request appears in no access log or audit record; it ran before any route, identity or
 * policy stage. Over HTTP/1.1 the same request ({@code CONNECT host:port HTTP/1.1}) is refused at once (its target is not
 * a path), so only h2 clients can hold streams and connections this way, and every such stream logs an ERROR stack trace.
 * Upstream: nothing reaches it, so this is no bypass; it is a stream the gateway neither decided nor answered.
 *
 * <p>Fix: in {@code RequestDispatcher.handle} treat a null {@code uri()} (CONNECT, which the gateway never proxies) as
 * a 405 method_not_allowed (or 400 invalid_path) before reading the target, e.g.
 * {@code if (request.method() == HttpMethod.CONNECT || request.uri() == null) { errors.respond(..., METHOD_NOT_ALLOWED, ...); return; }}.
 * This test fails today (no answer within 5 s) and passes once the stream is answered 4xx or reset.
 */
class H2ConnectMethodReviewRTest {
    @TempDir
    Path dir;

    @Test
    void anH2ConnectRequestIsAnsweredNotLeftOpen() throws Exception {
        List<String> reached = new CopyOnWriteArrayList<>();
        ServerSocket up = new ServerSocket(0);
        Thread t = new Thread(() -> {
            while (!up.isClosed()) {
                try (Socket s = up.accept()) {
                    reached.add("connection from " + s.getRemoteSocketAddress());
                } catch (Exception e) {
                    // closed
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
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: deny}\nrules: []\n");
        Vertx vertx = Vertx.vertx();
        RunningGateway gw = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: root, path: /, protocol: mcp, upstream: "http://127.0.0.1:%d/mcp", policy: p}
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), dir.resolve("policies"), up.getLocalPort()));
        io.netty.handler.ssl.SslContext ssl = io.netty.handler.ssl.SslContextBuilder.forClient()
                .keyManager(client[0].toFile(), client[1].toFile())
                .trustManager(dir.resolve("bundle.pem").toFile())
                .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
        io.netty.channel.nio.NioEventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        String result;
        try {
            CompletableFuture<String> answer = new CompletableFuture<>();
            io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(group).channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                    .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel c) {
                            c.pipeline().addLast(ssl.newHandler(c.alloc(), "localhost", gw.port()));
                            c.pipeline().addLast(new io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder().server(false).validateHeaders(false)
                                    .frameListener(new io.netty.handler.codec.http2.Http2FrameAdapter() {
                                        @Override
                                        public void onHeadersRead(io.netty.channel.ChannelHandlerContext ctx, int id, io.netty.handler.codec.http2.Http2Headers hs, int pad, boolean end) {
                                            answer.complete("status=" + hs.status());
                                        }
                                        @Override
                                        public void onHeadersRead(io.netty.channel.ChannelHandlerContext ctx, int id, io.netty.handler.codec.http2.Http2Headers hs, int dep, short w, boolean ex, int pad, boolean end) {
                                            onHeadersRead(ctx, id, hs, pad, end);
                                        }
                                        @Override
                                        public void onRstStreamRead(io.netty.channel.ChannelHandlerContext ctx, int id, long code) {
                                            answer.complete("RST " + code);
                                        }
                                        @Override
                                        public void onGoAwayRead(io.netty.channel.ChannelHandlerContext ctx, int last, long code, io.netty.buffer.ByteBuf dbg) {
                                            answer.complete("GOAWAY " + code);
                                        }
                                    }).build());
                        }
                    }).connect("127.0.0.1", gw.port()).sync().channel();
            Thread.sleep(300);
            io.netty.handler.codec.http2.Http2Headers h = new io.netty.handler.codec.http2.DefaultHttp2Headers(false);
            h.method("CONNECT").authority("localhost:" + gw.port());
            io.netty.handler.codec.http2.Http2ConnectionHandler hh = ch.pipeline().get(io.netty.handler.codec.http2.Http2ConnectionHandler.class);
            io.netty.channel.ChannelHandlerContext hctx = ch.pipeline().context(hh);
            ch.eventLoop().execute(() -> {
                hh.encoder().writeHeaders(hctx, 3, h, 0, true, hctx.newPromise());
                try {
                    hh.flush(hctx);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                result = answer.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                result = "no answer within 5 s (stream left open)";
            }
            ch.close().sync();
        } finally {
            group.shutdownGracefully();
            gw.close();
            up.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        assertThat(reached).as("a CONNECT is never forwarded").isEmpty();
        assertThat(result).as("an h2 CONNECT (:method CONNECT, :authority only) must be refused (4xx) or reset, not left unanswered")
                .matches("status=4\\d\\d|RST \\d+|GOAWAY \\d+");
    }
}
