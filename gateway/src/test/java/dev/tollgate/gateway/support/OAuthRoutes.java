package dev.tollgate.gateway.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/** The pieces of a gateway configuration whose route validates tokens of a mock authorization server (issuer "as"). */
public final class OAuthRoutes {

    private OAuthRoutes() {
    }

    /** A loopback port free now: the listener's, fixed in advance because the route's {@code resource} names it. */
    public static int freePort() throws IOException {
        return TestPorts.unclaimed();
    }

    /** The mock server's issuer as a route names it (no trailing slash). */
    public static String issuer(MockOAuth2Server server) {
        return server.issuerUrl("as").toString().replaceAll("/+$", "");
    }

    /**
     * The YAML of route {@code tools} at {@code /mcp} under policy {@code p}, requiring scope {@code tools:read}, indented
     * to stand under {@code routes:}.
     */
    public static String toolsRoute(String upstreamUrl, String resource, MockOAuth2Server server) {
        return """
                  - name: tools
                    path: /mcp
                    protocol: mcp
                    policy: p
                    upstream: "%s"
                    oauth:
                      resource: "%s"
                      issuer: "%s"
                      required-scopes: ["tools:read"]
                """.formatted(upstreamUrl, resource, issuer(server));
    }
}
