package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;

/**
 * The floor under the Vert.x floor, as a load-harness target ({@code run.sh --targets netty-bare}): the same work as
 * {@link BareVertxProxy} (read the request, parse it as JSON, forward it, read the answer, parse it, relay it) written
 * straight on Netty's HTTP/1.1 codec, without Vert.x. Two NIO event loops, TCP_NODELAY on both sides, and each client
 * connection pinned to one upstream connection opened on its own event loop (the cheapest pairing there is: no pool,
 * no hand-off, no per-request futures). It exists to answer one question with a measurement: how much of the gap
 * between {@code vertx-bare} and nginx is Vert.x's request path, and how much is the JVM and Netty on this machine.
 * A client that pipelines requests is not served (one request in flight per connection, as wrk sends them).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tollgate.bench.BareNettyProxy PORT UPSTREAM_URL}
 */
public final class BareNettyProxy {

    private static final int EVENT_LOOPS = 2;
    private static final int MAX_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BareNettyProxy() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: BareNettyProxy PORT UPSTREAM_URL");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        URI upstream = URI.create(args[1]);
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(EVENT_LOOPS, NioIoHandler.newFactory());
        Bootstrap upstreamSide = new Bootstrap().channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(upstream.getHost(), upstream.getPort());
        Channel server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY),
                                new ClientSide(upstreamSide, upstream));
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("bare Netty proxy on 127.0.0.1:" + port + " -> " + upstream);
        server.closeFuture().sync();
    }

    /** Parses a message body as JSON, as the gateway parses every request and answer; false when it is not JSON. */
    private static boolean isJson(ByteBuf body) {
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
            JSON.readTree((java.io.InputStream) in);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /** One client connection and the upstream connection it owns. */
    private static final class ClientSide extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final Bootstrap upstreamSide;
        private final URI upstream;
        private ChannelFuture upstreamConnection;
        private boolean keepAlive;

        ClientSide(Bootstrap upstreamSide, URI upstream) {
            this.upstreamSide = upstreamSide;
            this.upstream = upstream;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            upstreamConnection = upstreamSide.clone(client.eventLoop()).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BODY), new UpstreamSide(ClientSide.this, client));
                }
            }).connect();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            upstreamConnection.channel().close();
            ctx.fireChannelInactive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            keepAlive = HttpUtil.isKeepAlive(request);
            if (!isJson(request.content())) {
                relay(ctx.channel(), response(HttpResponseStatus.BAD_REQUEST, Unpooled.EMPTY_BUFFER));
                return;
            }
            FullHttpRequest forwarded = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, upstream.getRawPath(),
                    request.content().retain());
            forwarded.headers().set(HttpHeaderNames.HOST, upstream.getAuthority())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, forwarded.content().readableBytes());
            if (upstreamConnection.isSuccess()) {
                upstreamConnection.channel().writeAndFlush(forwarded, upstreamConnection.channel().voidPromise());
            } else {
                upstreamConnection.addListener(connected -> {
                    if (connected.isSuccess()) {
                        upstreamConnection.channel().writeAndFlush(forwarded);
                    } else {
                        forwarded.release();
                        relay(ctx.channel(), response(HttpResponseStatus.BAD_GATEWAY, Unpooled.EMPTY_BUFFER));
                    }
                });
            }
        }

        void relay(Channel client, FullHttpResponse answer) {
            if (keepAlive) {
                HttpUtil.setKeepAlive(answer, true);
                client.writeAndFlush(answer, client.voidPromise());
            } else {
                client.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** The upstream connection's answers, parsed and relayed to the client connection that owns it. */
    private static final class UpstreamSide extends SimpleChannelInboundHandler<FullHttpResponse> {

        private final ClientSide owner;
        private final Channel client;

        UpstreamSide(ClientSide owner, Channel client) {
            this.owner = owner;
            this.client = client;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse answer) {
            if (!isJson(answer.content())) {
                owner.relay(client, response(HttpResponseStatus.BAD_GATEWAY, Unpooled.EMPTY_BUFFER));
                return;
            }
            owner.relay(client, response(answer.status(), answer.content().retain()));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            client.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
