package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.identity.DevPki;
import dev.tollgate.gateway.support.OAuthRoutes;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review V, finding 1 (high): on an mTLS listener, a route with {@code oauth} binds MCP (and A2A) tasks to the
 * SPIFFE workload only, so every OAuth user whose client runs as that workload owns every other user's tasks.
 *
 * <p>Input: one workload {@code spiffe://example.org/apps/chat} (a chat front-end, an agent host: one SVID, many
 * users) calls the route for alice (bearer token sub=alice) and for bob (bearer token sub=bob). Alice's
 * {@code tools/call} creates task {@code job-1}. Bob, in his own session, sends {@code tasks/get} with
 * {@code taskId: job-1}.
 *
 * <p>Gateway's reading: {@code CallerKey.of} returns {@code "spiffe:" + spiffeId} as soon as there is a SPIFFE ID, before
 * it looks at the OAuth issuer/client/subject, so alice's task is bound to {@code spiffe://example.org/apps/chat} and
 * bob is that same owner: his {@code tasks/get} is forwarded and he reads alice's task (its result via
 * {@code tasks/result}, cancels it via {@code tasks/cancel}, A2A ListTasks lists it). The other reading, the gateway's
 * own: {@code SealedSessions.associatedData} binds the same call's session to the SPIFFE ID <em>and</em> the OAuth
 * subject, client and issuer (bob cannot use alice's session), and on an OAuth-only route the same two users' tasks are
 * kept apart (OAuthCallerBindingTest). Adding mTLS in front of OAuth thus removes the per-user task binding. The same
 * applies when an AXID names tenant/agent: the OAuth subject is then ignored by CallerKey too.
 *
 * <p>Suggested fix: build the owner key from every identity layer that is present (AXID tenant/agent, SPIFFE ID, OAuth
 * issuer/client/subject), each escaped with {@link dev.tollgate.policy.CallerKey#part}, as SealedSessions does, instead
 * of the first layer found; e.g. {@code "spiffe:" + part(spiffe) + "|oauth:" + ...}.
 */
class MtlsOAuthUsersShareTasksReviewVTest {

    private static final String TD = "example.org";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Vertx vertx;
    private MockOAuth2Server authorizationServer;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private DevPki.Issued ca;
    private DevPki.Issued chatApp;
    private String resource;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        authorizationServer = new MockOAuth2Server();
        authorizationServer.start();
        upstream = new RecordingUpstream(vertx);
        upstream.answerAsTaskServer("upstream-session");
        ca = DevPki.ca(TD);
        chatApp = DevPki.svid(ca, "spiffe://example.org/apps/chat");
        Path[] server = DevPki.write(dir, "gateway", DevPki.svid(ca, "spiffe://example.org/tollgate"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), RunningGateway.ALLOW_ALL.replace("allow-all", "p"));
        int port = OAuthRoutes.freePort();
        resource = "https://127.0.0.1:" + port + "/mcp";
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (5 + i);
        }
        gateway = RunningGateway.start(vertx, """
                listeners:
                  - name: mtls
                    host: 127.0.0.1
                    port: %d
                    tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [%s], engine: jdk}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                sessions:
                  max-age: 1h
                  keys:
                    - {id: k, secret: "%s"}
                routes:
                %s
                """.formatted(port, server[0], server[1], dir.resolve("bundle.pem"), TD, dir.resolve("policies"),
                Base64.getEncoder().encodeToString(secret), OAuthRoutes.toolsRoute(upstream.url("/mcp"), resource, authorizationServer).stripTrailing()));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
        authorizationServer.shutdown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void oneOAuthUserDoesNotReadAnotherUsersTaskThroughTheSameWorkload() throws Exception {
        String alice = token("alice");
        String bob = token("bob");
        String aliceSession = initialize(alice);
        String bobSession = initialize(bob);
        assertThat(bobSession).as("the gateway seals sessions per OAuth user").isNotEqualTo(aliceSession);
        Reply sessionBorrowed = post(bob, aliceSession, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}");
        assertThat(sessionBorrowed.status()).as("bob cannot use alice's session: the gateway tells the two apart").isEqualTo(404);

        Reply created = post(alice, aliceSession,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"report\",\"arguments\":{}}}");
        assertThat(created.json().at("/result/task/taskId").asText()).as(created.body()).isEqualTo("job-1");
        int before = upstream.received().size();

        Reply borrowed = post(bob, bobSession, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"job-1\"}}");

        assertThat(borrowed.status()).as("bob must not read alice's task: " + borrowed.body()).isEqualTo(404);
        assertThat(borrowed.json().at("/error/data/reason").asText()).isEqualTo("task_not_found");
        assertThat(upstream.received()).as("nothing of bob's tasks/get reaches the upstream").hasSize(before);
    }

    private String token(String subject) {
        return authorizationServer.issueToken("as", "chat-app", new DefaultOAuth2TokenCallback("as", subject, "JWT", List.of(resource),
                Map.of("scope", "tools:read", "client_id", "chat-app"), 300)).serialize();
    }

    private String initialize(String token) throws Exception {
        Reply reply = post(token, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        String session = reply.headers().get("mcp-session-id");
        assertThat(session).isNotNull();
        return session;
    }

    record Reply(int status, Map<String, String> headers, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    /** One POST over a fresh mTLS connection as the chat workload, HTTP/1.1, Connection: close. */
    private Reply post(String bearer, String session, String json) throws Exception {
        try (SSLSocket socket = (SSLSocket) DevPki.clientContext(chatApp, ca.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\nAuthorization: Bearer " + bearer + "\r\n"
                    + (session == null ? "" : "Mcp-Session-Id: " + session + "\r\n")
                    + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return parse(socket.getInputStream());
        }
    }

    static Reply parse(InputStream in) throws Exception {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String rest = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            int at = 0;
            while (true) {
                int lineEnd = rest.indexOf("\r\n", at);
                int size = Integer.parseInt(rest.substring(at, lineEnd).trim(), 16);
                if (size == 0) {
                    break;
                }
                decoded.write(rest.substring(lineEnd + 2, lineEnd + 2 + size).getBytes(StandardCharsets.ISO_8859_1));
                at = lineEnd + 2 + size + 2;
            }
            rest = decoded.toString(StandardCharsets.ISO_8859_1);
        }
        return new Reply(status, headers, new String(rest.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }
}
