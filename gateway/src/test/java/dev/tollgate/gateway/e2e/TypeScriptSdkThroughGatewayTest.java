package dev.tollgate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.e2e.fixture.ConformanceFixtureServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official MCP TypeScript SDK client ({@code ts-client.mjs}: StreamableHTTPClientTransport, initialize, tools/list,
 * echo, add, a progress-streaming tool, session DELETE) prints the same line through the gateway as direct.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TypeScriptSdkThroughGatewayTest {

    private static final long CLIENT_TIMEOUT_SECONDS = 60;

    private static ConformanceFixtureServer fixture;
    private static GatewayUnderTest gateway;
    private static NodeProcesses node;

    @BeforeAll
    static void start() throws Exception {
        fixture = ConformanceFixtureServer.start();
        gateway = GatewayUnderTest.start(fixture.url());
        node = new NodeProcesses();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void typeScriptClientSeesTheSameSessionThroughTheGatewayAsDirect() throws Exception {
        NodeProcesses.Result direct = node.run(CLIENT_TIMEOUT_SECONDS, "ts-client.mjs", fixture.url());
        List<String> sessionsBefore = fixture.issuedSessionIds();
        NodeProcesses.Result viaGateway = node.run(CLIENT_TIMEOUT_SECONDS, "ts-client.mjs", gateway.localhostUrl());

        assertThat(direct.exitCode()).as(direct.output()).isZero();
        assertThat(viaGateway.exitCode()).as(viaGateway.output()).isZero();
        System.out.println("TS-CLIENT direct  " + direct.lastLine());
        System.out.println("TS-CLIENT gateway " + viaGateway.lastLine());
        assertThat(viaGateway.lastLine()).isEqualTo(direct.lastLine())
                .contains("\"protocolVersion\":\"2025-11-25\"")
                .contains("\"text\":\"hello from typescript\"")
                .contains("\"text\":\"42\"")
                .contains("\"progress\":[\"0/100\",\"50/100\",\"100/100\"]");

        String gatewaySession = fixture.issuedSessionIds().stream().filter(id -> !sessionsBefore.contains(id)).findFirst().orElseThrow();
        assertThat(fixture.exchanges()).as("terminateSession's DELETE went through the gateway to the fixture")
                .anySatisfy(e -> {
                    assertThat(e.method()).isEqualTo("DELETE");
                    assertThat(e.requestSessionId()).isEqualTo(gatewaySession);
                    assertThat(e.status()).isBetween(200, 299);
                });
    }
}
