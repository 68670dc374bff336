package dev.tollgate.gateway.identity;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A SPIFFE Workload API agent for tests: java-spiffe's own gRPC service served on a Unix domain socket,
 * handing out SVIDs the test generated. X.509 SVID streams stay open, so {@link #rotate} pushes an update
 * to every connected workload the way a SPIRE agent does before an SVID expires.
 */
final class FakeWorkloadApi implements AutoCloseable {

    /** The header every Workload API client must send (SPIRE refuses calls without it). */
    private static final Metadata.Key<String> SECURITY_HEADER = Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    private final Path socket;
    private final EventLoopGroup boss = new EpollEventLoopGroup(1);
    private final EventLoopGroup workers = new EpollEventLoopGroup(1);
    private final Server server;
    private final List<StreamObserver<Workload.X509SVIDResponse>> streams = new ArrayList<>();
    private Workload.X509SVIDResponse current;
    private Status refusal;

    private FakeWorkloadApi(Path socket, Workload.X509SVIDResponse initial) throws Exception {
        this.socket = socket;
        this.current = initial;
        this.server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .addService(ServerInterceptors.intercept(new Service(), new RequireSecurityHeader()))
                .build()
                .start();
    }

    static FakeWorkloadApi start(Path socket, Workload.X509SVIDResponse initial) throws Exception {
        return new FakeWorkloadApi(socket, initial);
    }

    /** The address as a workload is given it, e.g. in {@code SPIFFE_ENDPOINT_SOCKET}. */
    String address() {
        return "unix:" + socket;
    }

    /** Pushes a new X.509 context on every open stream (and serves it to later callers). */
    synchronized void rotate(Workload.X509SVIDResponse next) {
        current = next;
        streams.forEach(s -> s.onNext(next));
    }

    /** Answers later calls with this error instead of SVIDs. */
    synchronized void refuseWith(Status status) {
        refusal = status;
    }

    synchronized int openStreams() {
        return streams.size();
    }

    /** One SVID (chain and PKCS#8 key, DER) with the bundle of its trust domain, and federated bundles by trust domain. */
    static Workload.X509SVIDResponse response(String spiffeId, DevPki.Issued svid, X509Certificate ca,
                                              java.util.Map<String, X509Certificate> federated) throws Exception {
        Workload.X509SVIDResponse.Builder b = Workload.X509SVIDResponse.newBuilder()
                .addSvids(Workload.X509SVID.newBuilder()
                        .setSpiffeId(spiffeId)
                        .setX509Svid(ByteString.copyFrom(svid.certificate().getEncoded()))
                        .setX509SvidKey(ByteString.copyFrom(svid.keys().getPrivate().getEncoded()))
                        .setBundle(der(ca)));
        for (var e : federated.entrySet()) {
            b.putFederatedBundles("spiffe://" + e.getKey(), der(e.getValue()));
        }
        return b.build();
    }

    static Workload.X509SVIDResponse response(String spiffeId, DevPki.Issued svid, X509Certificate ca) throws Exception {
        return response(spiffeId, svid, ca, java.util.Map.of());
    }

    private static ByteString der(X509Certificate... certs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (X509Certificate c : certs) {
            out.write(c.getEncoded());
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    @Override
    public void close() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private final class Service extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {

        @Override
        public void fetchX509SVID(Workload.X509SVIDRequest request, StreamObserver<Workload.X509SVIDResponse> observer) {
            synchronized (FakeWorkloadApi.this) {
                if (refusal != null) {
                    observer.onError(refusal.asRuntimeException());
                    return;
                }
                streams.add(observer);
                // The workload closing its source cancels the call: it is no longer a stream to push to.
                ((ServerCallStreamObserver<Workload.X509SVIDResponse>) observer).setOnCancelHandler(() -> {
                    synchronized (FakeWorkloadApi.this) {
                        streams.remove(observer);
                    }
                });
                observer.onNext(current);
            }
        }
    }

    private static final class RequireSecurityHeader implements ServerInterceptor {

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            if (!"true".equals(headers.get(SECURITY_HEADER))) {
                call.close(Status.INVALID_ARGUMENT.withDescription("security header missing from request"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }
}
