package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review R (low; HTTP/1.1 only, since HTTP/2 forbids the Connection field): the gateway decides on a header it then
 * does not forward. HTTP/1.1 lets a client name any header in {@code Connection} as a hop-by-hop option, and
 * {@code HopByHopHeaders.copyEndToEnd} rightly removes what Connection names before forwarding; but the stages read
 * the request's headers before that, so a header named there is decided on by the gateway and never seen by the agent.
 *
 * <p>Bytes (the real @a2a-js/sdk agent, echo-agent.mjs, behind route {@code /agents/echo}):
 * <pre>
 * POST /agents/echo/a2a/jsonrpc HTTP/1.1
 * Host: 127.0.0.1:G
 * Content-Type: application/json
 * A2A-Version: 1.0
 * A2A-Extensions: urn:example:audit-trail
 * Connection: close, A2A-Extensions
 * Content-Length: N
 *
 * {"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{...,"parts":[{"text":"wire the funds"}]}}}
 * </pre>
 * The gateway read "extensions: [urn:example:audit-trail]" (A2aParseStep.extensionsHeader, into the call's
 * {@code /extensions}) and a policy that lets sends through only with that extension active allowed the call; the agent
 * read no {@code A2A-Extensions} header at all (its request log shows {@code extensions=-}) and ran the send without the
 * extension. The same holds for {@code X-A2A-Extensions}; other headers the gateway reads and Connection can strip
 * ({@code X-Waxell-AXID} with axid.forward: pass, {@code A2A-Version}, {@code Last-Event-ID}, {@code Mcp-Method}/{@code Mcp-Name},
 * {@code MCP-Protocol-Version}, {@code Accept}) only make the gateway stricter or the upstream refuse, as far as checked.
 *
 * <p>Fix: refuse (400 invalid_header) an HTTP/1.x request whose Connection header names anything but hop-by-hop
 * fields (close, keep-alive, upgrade, te, ...), or at least one naming a header the gateway reads (A2A-*, X-A2A-*, Mcp-*,
 * MCP-*, X-Waxell-AXID, Authorization, Last-Event-ID, Accept, Content-Type, Origin); or decide on headers only after the
 * same stripping the forwarded copy gets. Fails today (the agent saw no extension); passes once the request is refused
 * or the agent receives the header the gateway decided on.
 */
class ConnectionNamedA2aExtensionsReviewRTest {

    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: sends-need-the-audit-trail
                condition: {all: [{protocol: a2a}, {not: {arg: {path: /extensions, contains: "urn:example:audit-trail"}}}]}
                action: deny
                message: A2A calls must activate the audit-trail extension.
            """;

    @TempDir
    Path dir;

    @Test
    void aHeaderTheGatewayDecidedOnReachesTheAgent() throws Exception {
        NodeServer agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        Vertx vertx = Vertx.vertx();
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(policies, agent.url("")));
        try {
            String denied = send(gateway, "");
            assertThat(denied).as("control: without the extension the send is denied").doesNotContain("wire the funds").contains("audit-trail");
            long posts = posts(agent);
            String allowed = send(gateway, "A2A-Extensions: urn:example:audit-trail\r\nConnection: close\r\n");
            assertThat(allowed).as("control: with it the send passes").contains("wire the funds");
            assertThat(requestLineAfter(agent, posts)).as("control: the agent read the extension").contains("extensions=urn:example:audit-trail");

            posts = posts(agent);
            String stripped = send(gateway, "A2A-Extensions: urn:example:audit-trail\r\nConnection: close, A2A-Extensions\r\n");
            String agentRead = stripped.contains("wire the funds") ? requestLineAfter(agent, posts) : "(not forwarded)";
            assertThat(!stripped.contains("wire the funds") || agentRead.contains("extensions=urn:example:audit-trail"))
                    .as("the gateway allowed the send on an A2A-Extensions header it then stripped as a Connection option; the agent logged: "
                            + agentRead + " ; the client got: " + stripped.lines().findFirst().orElse(""))
                    .isTrue();
        } finally {
            gateway.close();
            agent.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static long posts(NodeServer agent) {
        return agent.output().lines().filter(l -> l.contains("REQ POST /a2a/jsonrpc")).count();
    }

    /**
     * The agent's log line of the first POST after the first {@code before} ones, waiting (bounded) for it: the agent logs a
     * request before answering it, but its output is read on another thread and can arrive after the client has the answer
     * (the last line read then would be the previous request's).
     */
    private static String requestLineAfter(NodeServer agent, long before) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (posts(agent) <= before && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return agent.output().lines().filter(l -> l.contains("REQ POST /a2a/jsonrpc")).skip(before).findFirst().orElse("(none)");
    }

    private static String send(RunningGateway gateway, String extraHeaders) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m-"
                + System.nanoTime() + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"wire the funds\"}]}}}";
        URI g = URI.create(gateway.url("/"));
        try (Socket s = new Socket(g.getHost(), g.getPort())) {
            s.setSoTimeout(8000);
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /agents/echo/a2a/jsonrpc HTTP/1.1\r\nHost: " + g.getHost() + ":" + g.getPort() + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json\r\nA2A-Version: 1.0\r\n" + (extraHeaders.contains("Connection:") ? "" : "Connection: close\r\n")
                    + extraHeaders + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            // The whole answer: headers, then Content-Length bytes (the gateway may keep the connection open).
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    got.write(buf, 0, n);
                    String text = got.toString(StandardCharsets.UTF_8);
                    int end = text.indexOf("\r\n\r\n");
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
                    if (end >= 0 && m.find() && got.size() >= end + 4 + Integer.parseInt(m.group(1))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // what came so far
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }
}
