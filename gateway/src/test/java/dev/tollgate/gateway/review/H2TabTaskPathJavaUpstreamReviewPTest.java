package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.identity.DevPki;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review P: over h2 (mTLS listener, ALPN h2) a {@code :path} may end in HTAB, VT or FF, which no HTTP/1 request line
 * to the gateway can carry (its own parser splits on them). The gateway reads task {@code <acme's id>\t}, bound to
 * nobody, and forwards {@code GET /a2a/rest/tasks/<acme's id>\t HTTP/1.1}; a Java upstream whose HTTP/1 parser takes
 * those bytes as the space before the version (Netty: Vert.x/Quarkus; Tomcat for HTAB) reads task {@code <acme's id>}
 * and serves it to globex. The upstream here is a Vert.x server acting as an A2A agent's HTTP+JSON API.
 */
class H2TabTaskPathJavaUpstreamReviewPTest {
    @TempDir
    Path dir;

    @Test
    void aTrailingTabInAnH2PathDoesNotReachAnotherCallersTaskOnAJavaUpstream() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<String> agentPaths = new CopyOnWriteArrayList<>();
        List<String> cancels = new CopyOnWriteArrayList<>();
        String task = "{\"id\":\"t-acme-1\",\"contextId\":\"c-acme-1\",\"status\":{\"state\":\"TASK_STATE_COMPLETED\"},"
                + "\"artifacts\":[{\"artifactId\":\"a\",\"parts\":[{\"text\":\"acme merger plan\"}]}]}";
        HttpServer agent = vertx.createHttpServer().requestHandler(req -> {
            agentPaths.add(req.path());
            if (req.method() == HttpMethod.POST && req.path().equals("/a2a/rest/message:send")) {
                req.body().onSuccess(b -> req.response().putHeader("Content-Type", "application/json").end("{\"task\":" + task + "}"));
            } else if (req.method() == HttpMethod.POST && req.path().replaceAll("/$", "").equals("/a2a/rest/tasks/t-acme-1:cancel")) {
                // Express (strict: false) and many routers take a trailing slash as the same route.
                cancels.add(req.path());
                req.response().putHeader("Content-Type", "application/json").end(task.replace("COMPLETED", "CANCELED"));
            } else if (req.method() == HttpMethod.GET && req.path().equals("/a2a/rest/tasks/t-acme-1")) {
                req.response().putHeader("Content-Type", "application/json").end(task);
            } else {
                req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end("{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"message\":\"no task\"}}");
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        DevPki.Issued ca = DevPki.ca("example.org");
        Path[] server = DevPki.write(dir, "gateway", DevPki.serverSvid(ca, "spiffe://example.org/tollgate", Duration.ofHours(1), "localhost"));
        Path[] acme = DevPki.write(Files.createDirectories(dir.resolve("acme")), "c", DevPki.svid(ca, "spiffe://example.org/agents/acme"));
        Path[] globex = DevPki.write(Files.createDirectories(dir.resolve("globex")), "c", DevPki.svid(ca, "spiffe://example.org/agents/globex"));
        Files.writeString(dir.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules: []\n");
        RunningGateway gw = RunningGateway.start(vertx, """
                listeners:
                  - {name: mtls, host: 127.0.0.1, port: 0, tls: {cert-chain: %s, private-key: %s, trust-bundle: %s, trust-domains: [example.org]}}
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: java-agent, path: /agents/java, protocol: a2a, upstream: "http://127.0.0.1:%d", policy: p}
                """.formatted(server[0], server[1], dir.resolve("bundle.pem"), dir.resolve("policies"), agent.actualPort()));
        try {
            HttpClient asAcme = h2(vertx, acme);
            HttpClient asGlobex = h2(vertx, globex);
            String sent = call(asAcme, gw.port(), HttpMethod.POST, "/agents/java/a2a/rest/message:send",
                    "{\"message\":{\"messageId\":\"m1\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"acme merger plan\"}]}}");
            assertThat(sent).as("acme's send").startsWith("HTTP_2 200").contains("t-acme-1");
            assertThat(call(asGlobex, gw.port(), HttpMethod.GET, "/agents/java/a2a/rest/tasks/t-acme-1", null))
                    .as("control: globex is refused acme's task").doesNotContain("merger");
            List<String> reached = new ArrayList<>();
            for (String tail : new String[] {"\t", "\u000b", "\u000c"}) {
                String answer = call(asGlobex, gw.port(), HttpMethod.GET, "/agents/java/a2a/rest/tasks/t-acme-1" + tail, null);
                if (answer.contains("merger")) {
                    reached.add(String.format("tail \\x%02x -> %s", (int) tail.charAt(0), answer));
                }
            }
            // The same byte after a trailing slash: the gateway's last segment is the tab (no ':' in it), so a POST there is
            // JSON-RPC to it (body: an allowed ListTasks); the agent reads POST /tasks/<acme's id>:cancel/.
            call(asGlobex, gw.port(), HttpMethod.POST, "/agents/java/a2a/rest/tasks/t-acme-1:cancel/\t",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ListTasks\",\"params\":{}}");
            if (!cancels.isEmpty()) {
                reached.add("POST .../tasks/t-acme-1:cancel/\\t -> the agent canceled acme's task at " + cancels);
            }
            assertThat(reached).as("globex read acme's task (agent saw paths " + agentPaths + ")").isEmpty();
        } finally {
            gw.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private HttpClient h2(Vertx vertx, Path[] client) {
        return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setSsl(true)
                .setVerifyHost(false).setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("bundle.pem").toString())));
    }

    private static String call(HttpClient http, int port, HttpMethod method, String path, String body) {
        try {
            return http.request(new RequestOptions().setMethod(method).setHost("localhost").setPort(port).setURI(path)
                            .putHeader("A2A-Version", "1.0").putHeader("Content-Type", "application/json"))
                    .compose(r -> (body == null ? r.send() : r.send(body)).compose(resp -> resp.body().map(b -> resp.version() + " " + resp.statusCode() + " " + b)))
                    .toCompletionStage().toCompletableFuture().get(8, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "EXC " + e;
        }
    }
}
