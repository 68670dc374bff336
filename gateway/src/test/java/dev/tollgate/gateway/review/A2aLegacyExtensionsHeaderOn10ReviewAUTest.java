package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AU (medium): an A2A 1.0 call carrying its extensions only in the 0.3 header {@code X-A2A-Extensions} is decided
 * with those extensions, while the agent runs it without them.
 *
 * <p>{@code A2aParseStep.extensionsHeader} / {@code A2aHeaders.requestedExtensions} read {@code A2A-Extensions}, else
 * {@code X-A2A-Extensions}, whatever generation the call is. The @a2a-js/sdk 1.3.0 agent picks the header by
 * generation: its 0.3 handlers (JSON-RPC with no A2A-Version or exactly 0.3; the /v1/ REST router) read
 * {@code X-A2A-Extensions ?? A2A-Extensions}, its 1.0 handlers ({@code SendMessage} with {@code A2A-Version: 1.0};
 * {@code /message:send}) read only {@code A2A-Extensions} (server/express/index.js: {@code useLegacy ?
 * req.header(LEGACY_HTTP_EXTENSION_HEADER) ?? req.header(HTTP_EXTENSION_HEADER) : req.header(HTTP_EXTENSION_HEADER)}, and
 * the REST 1.0 router's {@code Extensions.parseServiceParameter(req.header(HTTP_EXTENSION_HEADER))}). So a policy that
 * lets sends through only with an extension active (an audit trail, a consent or data-residency extension) allows a 1.0
 * send that names it in {@code X-A2A-Extensions} only, and the agent's executor is handed no requested extension.
 *
 * <p>The agent is the real SDK echo agent declaring {@code urn:example:audit-trail} in its card
 * ({@code CARD_EXTENSIONS}) and echoing {@code ctx.context.requestedExtensions} ({@code ECHO_REQUESTED_EXTENSIONS}).
 * Controls: 1.0 with {@code A2A-Extensions} and 0.3 with {@code X-A2A-Extensions} reach the executor with the extension.
 *
 * <p>Fix: read the extension header the call's generation is served with (1.0: {@code A2A-Extensions} only, so a 1.0
 * call with only {@code X-A2A-Extensions} is decided with no extension), or, since the Java SDK 1.0.0.Alpha3 reads the
 * X- spelling, refuse 400 header_mismatch a 1.0 call whose extensions are only in {@code X-A2A-Extensions} (or decide it
 * under both readings, the stronger refusal winning, as the path tenant is).
 */
class A2aLegacyExtensionsHeaderOn10ReviewAUTest {

    private static final String EXT = "urn:example:audit-trail";
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: sends-need-the-audit-trail
                condition: {all: [{protocol: a2a}, {method: [SendMessage, SendStreamingMessage]}, {not: {arg: {path: /extensions, contains: "%s"}}}]}
                action: deny
                message: A2A sends must activate the audit-trail extension.
            """.formatted(EXT);
    private static final Pattern REQUESTED = Pattern.compile("\\[reqext ([^\\]]*)\\]");

    @TempDir
    Path dir;

    private NodeServer agent;
    private Vertx vertx;
    private RunningGateway gateway;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        agent = NodeServer.start("a2a/echo-agent.mjs", Map.of("PORT", "0", "STEP_MS", "5", "CARD_EXTENSIONS", EXT,
                "ECHO_REQUESTED_EXTENSIONS", "1"));
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        vertx = Vertx.vertx();
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: echo-agent, path: /agents/echo, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(policies, agent.url("")));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void aJsonRpc10SendWithTheExtensionOnlyInTheLegacyHeaderIsNotAllowedWithoutIt() throws Exception {
        String denied = jsonRpc10(Map.of());
        assertThat(denied).as("control: without the extension the send is denied").doesNotContain("wire the funds").contains("audit-trail");
        assertThat(requestedBy(jsonRpc10(Map.of("A2A-Extensions", EXT))))
                .as("control: 1.0 with A2A-Extensions: the executor is handed the extension").isEqualTo(EXT);
        assertThat(requestedBy(jsonRpc03(Map.of("X-A2A-Extensions", EXT))))
                .as("control: 0.3 with X-A2A-Extensions: the executor is handed the extension").isEqualTo(EXT);

        String answer = jsonRpc10(Map.of("X-A2A-Extensions", EXT));
        assertThat(!answer.contains("wire the funds") || EXT.equals(requestedBy(answer)))
                .as("the gateway allowed a 1.0 SendMessage on urn:example:audit-trail read from X-A2A-Extensions, while the agent's"
                        + " 1.0 handler reads only A2A-Extensions and ran it without the extension; answer: " + answer)
                .isTrue();
    }

    @Test
    void aRest10SendWithTheExtensionOnlyInTheLegacyHeaderIsNotAllowedWithoutIt() throws Exception {
        assertThat(requestedBy(rest10(Map.of("A2A-Extensions", EXT))))
                .as("control: 1.0 REST with A2A-Extensions: the executor is handed the extension").isEqualTo(EXT);

        String answer = rest10(Map.of("X-A2A-Extensions", EXT));
        assertThat(!answer.contains("wire the funds") || EXT.equals(requestedBy(answer)))
                .as("the gateway allowed a 1.0 message:send on urn:example:audit-trail read from X-A2A-Extensions, while the agent's"
                        + " 1.0 REST router reads only A2A-Extensions and ran it without the extension; answer: " + answer)
                .isTrue();
    }

    /** What the executor said it was handed as requested extensions, or null when the answer carries no echo. */
    private static String requestedBy(String answer) {
        Matcher m = REQUESTED.matcher(answer);
        return m.find() ? m.group(1) : null;
    }

    private String jsonRpc10(Map<String, String> headers) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m-"
                + System.nanoTime() + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"wire the funds\"}]}}}";
        return post("/agents/echo/a2a/jsonrpc", "application/json", "1.0", headers, body);
    }

    private String jsonRpc03(Map<String, String> headers) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"message\":{\"kind\":\"message\",\"messageId\":\"m-"
                + System.nanoTime() + "\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"wire the funds\"}]}}}";
        return post("/agents/echo/a2a/jsonrpc", "application/json", null, headers, body);
    }

    private String rest10(Map<String, String> headers) throws Exception {
        String body = "{\"message\":{\"messageId\":\"m-" + System.nanoTime() + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"wire the funds\"}]}}";
        return post("/agents/echo/a2a/rest/message:send", "application/a2a+json", "1.0", headers, body);
    }

    private String post(String path, String contentType, String version, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(15))
                .header("Content-Type", contentType).header("Accept", "application/json, application/a2a+json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (version != null) {
            request.header("A2A-Version", version);
        }
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
