package dev.tollgate.gateway.review;

import dev.tollgate.gateway.identity.DevPki;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review P: on an mTLS listener (ALPN offers h2) a {@code :path} may hold bytes no HTTP/1 request line can: a space, CR,
 * LF. The gateway routes and decides such a path (PathCheck lets them by), then building the HTTP/1.1 request to the
 * upstream throws (Netty: "The URI contain illegal characters") on the event loop, unhandled: the caller gets no answer
 * at all (it hangs until the route's response timeout). Netty 4.2.9 stops the CRLF reaching the upstream (no
 * smuggling); an HTTP/1 target with the same bytes is refused 400 by the listener. Expected: refused 400 invalid_path
 * at once, nothing sent upstream.
 */
class H2ControlCharacterPathReviewPTest {
    @TempDir
    Path dir;

    @Test
    void aControlCharacterOrSpaceInAnH2PathIsRefusedAtOnce() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ServerSocket up = new ServerSocket(0);
        Thread t = new Thread(() -> {
            while (!up.isClosed()) {
                try (Socket s = up.accept()) {
                    s.setSoTimeout(1500);
                    byte[] b = new byte[8000];
                    int n = s.getInputStream().read(b);
                    seen.add(new String(b, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".getBytes());
                } catch (Exception e) {
                    // next
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
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        Vertx vertx = Vertx.vertx();
        RunningGateway gw = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "http://127.0.0.1:%d", policy: p}
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), dir.resolve("policies"), up.getLocalPort()));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setSsl(true)
                .setVerifyHost(false).setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("bundle.pem").toString())));
        String b = "/agents/echo/a2a/rest/tasks/MINE";
        String[] paths = {b + " HTTP/1.1\r\nX-Smuggled: 1\r\n\r\nGET /a2a/rest/tasks/ACME", b + " x", b + "\r\n"};
        List<String> wrong = new CopyOnWriteArrayList<>();
        for (String p : paths) {
            seen.clear();
            String result;
            try {
                result = http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(gw.port()).setURI(p)
                                .putHeader("A2A-Version", "1.0"))
                        .compose(r -> r.send().compose(resp -> resp.body().map(body -> resp.version() + " " + resp.statusCode() + " " + body.toString())))
                        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                result = "EXC " + e;
            }
            Thread.sleep(300);
            if (!result.startsWith("HTTP_2 400") || !seen.isEmpty()) {
                wrong.add(esc(p) + " => " + esc(result.length() > 200 ? result.substring(0, 200) : result) + " || upstream got: "
                        + seen.stream().map(H2ControlCharacterPathReviewPTest::esc).toList());
            }
        }
        gw.close();
        up.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        org.assertj.core.api.Assertions.assertThat(wrong).as("h2 paths with a space or CR/LF not refused 400 within 5 s").isEmpty();
    }

    private static String esc(String s) {
        StringBuilder o = new StringBuilder();
        for (char c : s.toCharArray()) {
            o.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return o.length() > 400 ? o.substring(0, 400) : o.toString();
    }
}
