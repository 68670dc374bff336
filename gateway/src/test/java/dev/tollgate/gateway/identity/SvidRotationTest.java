package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.reload.ReloadWatcher;
import dev.tollgate.gateway.reload.SnapshotLoader;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.policy.check.CheckRegistry;
import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's SVID is rotated on disk: new connections get the new certificate, without a restart. */
class SvidRotationTest {

    @TempDir
    Path dir;

    @Test
    void newConnectionsGetTheRotatedSvid() throws Exception {
        Vertx vertx = Vertx.vertx();
        DevPki.Issued ca = DevPki.ca("example.org");
        DevPki.Issued first = DevPki.svid(ca, "spiffe://example.org/tollgate");
        Path[] files = DevPki.write(dir, "gateway", first);
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        try (RecordingUpstream upstream = new RecordingUpstream(vertx)) {
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, """
                    listeners:
                      - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: gateway.pem, private-key: gateway-key.pem, trust-bundle: bundle.pem, trust-domains: [example.org]}}
                    admin: {host: 127.0.0.1, port: 0}
                    policies: {directory: policies}
                    routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: p}]
                    """.formatted(upstream.url("/mcp")));
            SnapshotLoader loader = new SnapshotLoader(CheckRegistry.withDefaults());
            Gateway gateway = Gateway.start(vertx, loader.load(config), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            try (ReloadWatcher watcher = new ReloadWatcher(config, gateway, loader).start(Duration.ofMillis(50))) {
                DevPki.Issued client = DevPki.svid(ca, "spiffe://example.org/agents/a");
                assertThat(serverSerial(gateway, client, ca)).isEqualTo(first.certificate().getSerialNumber());

                DevPki.Issued second = DevPki.svid(ca, "spiffe://example.org/tollgate");
                DevPki.write(dir, "gateway", second);
                Files.setLastModifiedTime(files[0], FileTime.fromMillis(System.currentTimeMillis() + 5_000));

                await().atMost(Duration.ofSeconds(10)).until(() -> second.certificate().getSerialNumber().equals(serverSerial(gateway, client, ca)));
            } finally {
                gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static BigInteger serverSerial(Gateway gateway, DevPki.Issued client, DevPki.Issued ca) throws Exception {
        try (SSLSocket socket = (SSLSocket) DevPki.clientContext(client, ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", gateway.port())) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
