package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.grpc.Status;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An mTLS listener fed by the SPIFFE Workload API: a fake agent on a Unix socket serves SVIDs generated
 * here to java-spiffe's real client; a rotation pushed on the open stream reaches new connections while a
 * connection opened before keeps working; an agent that is absent or gives nothing usable stops startup.
 */
class WorkloadApiSvidSourceTest {

    private static final String GATEWAY_ID = "spiffe://example.org/tollgate";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search\",\"arguments\":{}}}";

    @TempDir
    Path dir;
    Vertx vertx;
    RecordingUpstream upstream;
    DevPki.Issued ca;
    DevPki.Issued client;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        ca = DevPki.ca("example.org");
        client = DevPki.svid(ca, "spiffe://example.org/agents/planner");
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL);
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String yaml(String socket, String... trustDomainLists) {
        StringBuilder listeners = new StringBuilder();
        for (int i = 0; i < trustDomainLists.length; i++) {
            listeners.append("  - {name: mtls").append(i).append(", host: 127.0.0.1, port: 0, tls: {source: workload-api, socket: \"")
                    .append(socket).append("\", timeout: 2s, trust-domains: ").append(trustDomainLists[i]).append("}}\n");
        }
        return """
                listeners:
                %sadmin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all}]
                """.formatted(listeners, dir.resolve("policies"), upstream.url("/mcp"));
    }

    @Test
    void rotationPushedByTheAgentReachesNewConnectionsWithoutDroppingOpenOnes() throws Exception {
        DevPki.Issued first = DevPki.svid(ca, GATEWAY_ID);
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"), FakeWorkloadApi.response(GATEWAY_ID, first, ca.certificate()));
             RunningGateway gateway = RunningGateway.start(vertx, yaml(agent.address(), "[example.org]"));
             MtlsConnection before = MtlsConnection.open(gateway.port(), client, ca.certificate())) {
            assertThat(before.serverSerial()).isEqualTo(first.certificate().getSerialNumber());
            assertThat(before.post("/mcp", CALL)).isEqualTo(200);
            assertThat(agent.openStreams()).as("the gateway keeps one stream open to the agent").isEqualTo(1);

            DevPki.Issued second = DevPki.svid(ca, GATEWAY_ID);
            agent.rotate(FakeWorkloadApi.response(GATEWAY_ID, second, ca.certificate()));

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (MtlsConnection after = MtlsConnection.open(gateway.port(), client, ca.certificate())) {
                    return after.serverSerial().equals(second.certificate().getSerialNumber());
                }
            });
            try (MtlsConnection after = MtlsConnection.open(gateway.port(), client, ca.certificate())) {
                assertThat(after.serverCertificate().getNotBefore()).isEqualTo(second.certificate().getNotBefore());
                assertThat(after.post("/mcp", CALL)).isEqualTo(200);
            }
            assertThat(before.post("/mcp", CALL)).as("the connection opened before the rotation still serves calls").isEqualTo(200);
            assertThat(before.serverSerial()).isEqualTo(first.certificate().getSerialNumber());
            assertThat(upstream.received()).hasSize(3);
        }
    }

    @Test
    void rotatedBundleStopsTrustingTheOldCertificateAuthority() throws Exception {
        DevPki.Issued newCa = DevPki.ca("example.org");
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"),
                FakeWorkloadApi.response(GATEWAY_ID, DevPki.svid(ca, GATEWAY_ID), ca.certificate()));
             RunningGateway gateway = RunningGateway.start(vertx, yaml(agent.address(), "[example.org]"))) {
            DevPki.Issued server = DevPki.svid(newCa, GATEWAY_ID);
            agent.rotate(FakeWorkloadApi.response(GATEWAY_ID, server, newCa.certificate()));
            DevPki.Issued newClient = DevPki.svid(newCa, "spiffe://example.org/agents/planner");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (MtlsConnection c = MtlsConnection.open(gateway.port(), newClient, newCa.certificate())) {
                    return c.post("/mcp", CALL) == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            upstream.received().clear();

            assertRefused(gateway.port(), client, newCa);
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Test
    void federatedBundleIsTrustedOnlyWhereTheListenerListsItsTrustDomain() throws Exception {
        DevPki.Issued partnerCa = DevPki.ca("partner.org");
        DevPki.Issued partner = DevPki.svid(partnerCa, "spiffe://partner.org/agents/broker");
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"), FakeWorkloadApi.response(GATEWAY_ID,
                DevPki.svid(ca, GATEWAY_ID), ca.certificate(), Map.of("partner.org", partnerCa.certificate())));
             RunningGateway gateway = RunningGateway.start(vertx, yaml(agent.address(), "[example.org]", "[example.org, partner.org]"))) {
            int ownOnly = gateway.gateway().ports().get(0);
            int withPartner = gateway.gateway().ports().get(1);

            assertRefused(ownOnly, partner, ca);
            assertThat(upstream.received()).isEmpty();
            try (MtlsConnection c = MtlsConnection.open(withPartner, partner, ca.certificate())) {
                assertThat(c.post("/mcp", CALL)).as("the agent's federated bundle is real: listed, it is trusted").isEqualTo(200);
            }
        }
    }

    @Test
    void unreachableAgentFailsStartupNamingTheSocket() {
        Path nobody = dir.resolve("nobody.sock");
        long started = System.nanoTime();

        assertThatThrownBy(() -> RunningGateway.start(vertx, yaml("unix:" + nobody, "[example.org]")))
                .hasMessageContaining("listener mtls0")
                .hasMessageContaining("no SVID from the SPIFFE Workload API at unix:" + nobody + " within PT2S");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("bounded by the configured timeout").isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void agentThatRefusesTheWorkloadFailsStartup() throws Exception {
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"),
                FakeWorkloadApi.response(GATEWAY_ID, DevPki.svid(ca, GATEWAY_ID), ca.certificate()))) {
            agent.refuseWith(Status.INVALID_ARGUMENT.withDescription("no identity issued"));

            assertThatThrownBy(() -> RunningGateway.start(vertx, yaml(agent.address(), "[example.org]")))
                    .hasMessageContaining("the SPIFFE Workload API at " + agent.address() + " answered without a usable SVID");
        }
    }

    @Test
    void svidWhoseKeyDoesNotMatchItsCertificateFailsStartup() throws Exception {
        DevPki.Issued cert = DevPki.svid(ca, GATEWAY_ID);
        DevPki.Issued otherKey = DevPki.svid(ca, GATEWAY_ID);
        DevPki.Issued mismatched = new DevPki.Issued(cert.certificate(), otherKey.keys());
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"), FakeWorkloadApi.response(GATEWAY_ID, mismatched, ca.certificate()))) {
            assertThatThrownBy(() -> RunningGateway.start(vertx, yaml(agent.address(), "[example.org]")))
                    .hasMessageContaining("answered without a usable SVID");
        }
    }

    @Test
    void closingTheGatewayClosesItsStreamToTheAgent() throws Exception {
        try (FakeWorkloadApi agent = FakeWorkloadApi.start(dir.resolve("agent.sock"),
                FakeWorkloadApi.response(GATEWAY_ID, DevPki.svid(ca, GATEWAY_ID), ca.certificate()))) {
            RunningGateway gateway = RunningGateway.start(vertx, yaml(agent.address(), "[example.org]"));
            assertThat(agent.openStreams()).isEqualTo(1);

            gateway.close();

            await().atMost(Duration.ofSeconds(10)).until(() -> agent.openStreams() == 0);
        }
    }

    /** The handshake (or, under TLS 1.3, the first read after it) fails: the call never reaches the gateway's pipeline. */
    private static void assertRefused(int port, DevPki.Issued peer, DevPki.Issued serverCa) {
        assertThatThrownBy(() -> {
            try (MtlsConnection c = MtlsConnection.open(port, peer, serverCa.certificate())) {
                c.post("/mcp", CALL);
            }
        }).isInstanceOf(IOException.class);
    }
}
