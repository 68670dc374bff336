package dev.tollgate.gateway.support;

import dev.tollgate.gateway.identity.DevPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
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
import java.util.concurrent.TimeoutException;

/**
 * A gateway on an mTLS listener (HTTP/2 by ALPN) in front of a raw upstream that records the bytes of every request it
 * gets and answers {@code 200 {}}, and a client SVID to reach it with: for tests that send HTTP/2 frames Vert.x's own
 * client refuses to write (control bytes, tabs, CONNECT), with Netty's codec and header validation off.
 */
public final class MtlsH2Fixture implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final ServerSocket upstream;
    private final List<String> upstreamSaw = new CopyOnWriteArrayList<>();
    private final Path dir;
    private final Path[] client;
    private final RunningGateway gateway;
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final SslContext ssl;

    /**
     * @param defaultAction the policy's default ({@code allow} or {@code deny}); it has no rules
     * @param route         one route's YAML flow mapping with {@code %d} where the upstream's port goes, its policy {@code p}
     */
    public static MtlsH2Fixture start(Path dir, String defaultAction, String route) throws Exception {
        return new MtlsH2Fixture(dir, defaultAction, route);
    }

    private MtlsH2Fixture(Path dir, String defaultAction, String route) throws Exception {
        this.dir = dir;
        upstream = new ServerSocket(0);
        Thread accepting = new Thread(this::record, "raw-upstream");
        accepting.setDaemon(true);
        accepting.start();
        DevPki.Issued ca = DevPki.ca("example.org");
        Path[] server = DevPki.write(dir, "gateway", DevPki.serverSvid(ca, "spiffe://example.org/tollgate", Duration.ofHours(1), "localhost"));
        client = DevPki.write(Files.createDirectories(dir.resolve("c")), "client", DevPki.svid(ca, "spiffe://example.org/agents/planner"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: " + defaultAction + "}\nrules: []\n");
        gateway = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - %s
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), dir.resolve("policies"), route.formatted(upstream.getLocalPort())));
        ssl = SslContextBuilder.forClient().keyManager(client[0].toFile(), client[1].toFile()).trustManager(dir.resolve("bundle.pem").toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
    }

    private void record() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept()) {
                s.setSoTimeout(1500);
                byte[] b = new byte[8000];
                int n = s.getInputStream().read(b);
                upstreamSaw.add(new String(b, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                // closed, or the next connection
            }
        }
    }

    public int port() {
        return gateway.port();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The requests the upstream received, as bytes (ISO-8859-1), since the last {@link #clearUpstream()}. */
    public List<String> upstreamSaw() {
        return upstreamSaw;
    }

    public void clearUpstream() {
        upstreamSaw.clear();
    }

    /** Vert.x's own HTTP/2 client with the client SVID (it validates what it sends). */
    public HttpClient vertxClient() {
        return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setSsl(true)
                .setVerifyHost(false).setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("bundle.pem").toString())));
    }

    /**
     * Sends one HEADERS frame (END_STREAM) on stream 3 of a new connection, header validation off, and waits for the answer:
     * {@code "status=NNN <body>"}, {@code "RST <code>"}, {@code "GOAWAY <code> <debug>"}, or "no answer within 5 s".
     */
    public String send(Http2Headers headers) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
                c.pipeline().addLast(ssl.newHandler(c.alloc(), "localhost", gateway.port()));
                c.pipeline().addLast(new Http2ConnectionHandlerBuilder().server(false).validateHeaders(false).frameListener(new Answer(answer)).build());
            }
        }).connect("127.0.0.1", gateway.port()).sync().channel();
        try {
            Thread.sleep(300); // the TLS handshake and the connection preface
            Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
            ChannelHandlerContext context = channel.pipeline().context(handler);
            channel.eventLoop().execute(() -> {
                handler.encoder().writeHeaders(context, 3, headers, 0, true, context.newPromise());
                context.flush();
            });
            return answer.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "no answer within 5 s";
        } finally {
            channel.close().sync();
        }
    }

    /** Collects one stream's answer: its status and body, or its reset, or the connection's GOAWAY. */
    private static final class Answer extends Http2FrameAdapter {
        private final CompletableFuture<String> answer;
        private final StringBuilder text = new StringBuilder();

        Answer(CompletableFuture<String> answer) {
            this.answer = answer;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int id, Http2Headers headers, int padding, boolean end) {
            text.append("status=").append(headers.status()).append(' ');
            if (end) {
                answer.complete(text.toString());
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int id, Http2Headers headers, int dependency, short weight, boolean exclusive,
                                  int padding, boolean end) {
            onHeadersRead(ctx, id, headers, padding, end);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int id, ByteBuf data, int padding, boolean end) {
            text.append(data.toString(StandardCharsets.UTF_8));
            if (end) {
                answer.complete(text.toString());
            }
            return data.readableBytes() + padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int id, long code) {
            answer.complete(text + "RST " + code);
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int last, long code, ByteBuf debug) {
            answer.complete(text + "GOAWAY " + code + " " + debug.toString(StandardCharsets.UTF_8));
        }
    }

    /** Control and non-ASCII characters as \xNN, at most 400 characters: for assertion messages. */
    public static String escaped(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.length() > 400 ? out.substring(0, 400) : out.toString();
    }

    @Override
    public void close() throws Exception {
        group.shutdownGracefully();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }
}
