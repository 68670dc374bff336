package dev.tollgate.gateway.support;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gateway on one MCP route with one policy file ({@code p}), in front of an upstream whose answer each test scripts:
 * the setup the result-policy tests share. The scripted answer's {@code "id":ID} is replaced by the id of the request it
 * answers (numeric ids); what the client sends without a method (a response, as to a server request) gets a 202.
 */
public final class ScriptedMcpGateway implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    /** What the upstream answers with: the status, the body and its content type. */
    private record Scripted(int status, byte[] body, String contentType) {
    }

    private final String policy;
    private final String extraTopLevel;
    /** A directory this rig made for itself (one per test), deleted when the test ends; null when given one. */
    private Path ownDirectory;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final AtomicReference<Scripted> answer = new AtomicReference<>(new Scripted(200, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json"));

    private ScriptedMcpGateway(String policy, String extraTopLevel) {
        this.policy = policy;
        this.extraTopLevel = extraTopLevel;
    }

    private void startIn(Path dir) throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            if (!body.contains("\"method\"")) {
                r.response().setStatusCode(202).end();
                return;
            }
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            Scripted scripted = answer.get();
            String text = new String(scripted.body(), java.nio.charset.StandardCharsets.UTF_8);
            io.vertx.core.buffer.Buffer out = text.contains("\"id\":ID") ? io.vertx.core.buffer.Buffer.buffer(text.replace("\"id\":ID", "\"id\":" + id))
                    : io.vertx.core.buffer.Buffer.buffer(scripted.body());
            r.response().setStatusCode(scripted.status()).putHeader("Content-Type", scripted.contentType()).end(out);
        });
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), policy);
        gateway = RunningGateway.start(vertx, RunningGateway.mcpYaml(upstream.url("/mcp"), dir.resolve("policies"), "p", extraTopLevel));
        http = new TestHttp(vertx);
    }

    /** Starts the gateway with {@code policy} as policy {@code p}; {@code extraTopLevel} is more of its YAML (audit, sessions). */
    public static ScriptedMcpGateway start(Path dir, String policy, String extraTopLevel) throws Exception {
        ScriptedMcpGateway rig = new ScriptedMcpGateway(policy, extraTopLevel);
        rig.startIn(dir);
        return rig;
    }

    /** A rig started before each test and closed after it ({@code @RegisterExtension}), in a directory of its own. */
    public static ScriptedMcpGateway forEachTest(String policy) {
        return new ScriptedMcpGateway(policy, "");
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        ownDirectory = Files.createTempDirectory("tollgate-rig");
        startIn(ownDirectory);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
        if (ownDirectory != null) {
            try (java.util.stream.Stream<Path> paths = Files.walk(ownDirectory)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The upstream answers every later request with {@code body} as JSON. */
    public void answerJson(String body) {
        answer(body, "application/json");
    }

    /** The upstream answers every later request with {@code body} of {@code contentType}. */
    public void answer(String body, String contentType) {
        answer(200, body, contentType);
    }

    /** The upstream answers every later request with {@code status} and {@code body} of {@code contentType}. */
    public void answer(int status, String body, String contentType) {
        answer.set(new Scripted(status, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), contentType));
    }

    /** The same with the body's bytes as they are (not UTF-8, say); ids are not filled in. */
    public void answer(int status, byte[] body, String contentType) {
        answer.set(new Scripted(status, body, contentType));
    }

    /** Sends a JSON-RPC message to the route through the gateway. */
    public TestHttp.Reply post(String json) throws Exception {
        return http.postMcp(gateway.port(), "/mcp", json);
    }

    public TestHttp http() {
        return http;
    }

    public RunningGateway gateway() {
        return gateway;
    }

    public RecordingUpstream upstream() {
        return upstream;
    }

    @Override
    public void close() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }
}
