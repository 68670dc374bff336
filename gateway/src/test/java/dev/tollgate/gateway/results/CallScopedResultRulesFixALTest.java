package dev.tollgate.gateway.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review BT (finding 2), fixed: a result is read with the call it answers, so result rules scoped by {@code prompt:},
 * {@code resource:} or {@code method:} apply to a prompt's messages, to list entries of that prompt or resource, and
 * {@code method: tools/call} no longer to a resource's contents.
 */
class CallScopedResultRulesFixALTest {

    private static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: greet-secrets
                condition: {all: [{direction: result}, {prompt: greet}, {check: {name: secrets}}]}
                action: redact
              - name: vault-listing
                condition: {all: [{direction: result}, {resource: "file:///vault/*"}, {check: {name: secrets}}]}
                action: deny
              - name: tool-results-only
                condition: {all: [{direction: result}, {method: tools/call}, {check: {name: secrets}}]}
                action: deny
            """;

    @TempDir
    Path dir;
    private Vertx vertx;
    private RecordingUpstream upstream;
    private RunningGateway gateway;
    private TestHttp http;
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        upstream = new RecordingUpstream(vertx);
        upstream.answer(r -> {
            String body = upstream.received().get(upstream.received().size() - 1).body().toString();
            String method = body.replaceAll("(?s).*\"method\":\"([^\"]+)\".*", "$1");
            String key = method.equals("prompts/get") ? method + "#" + body.replaceAll("(?s).*\"name\":\"([^\"]+)\".*", "$1") : method;
            String answer = answers.get(key);
            if (answer == null || !body.contains("\"method\"")) {
                r.response().setStatusCode(202).end();
                return;
            }
            String id = body.replaceAll("(?s).*\"id\":(\\d+).*", "$1");
            r.response().putHeader("Content-Type", "application/json").end(answer.replace("\"id\":ID", "\"id\":" + id));
        });
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve("p.yaml"), POLICY);
        gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                audit: {directory: %s, arguments: digest}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: p}
                """.formatted(policies, dir.resolve("audit"), upstream.url("/mcp")));
        http = new TestHttp(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gateway.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String promptAnswer(String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\""
                + text + "\"}}]}}";
    }

    private static String promptGet(int id, String name) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"prompts/get\",\"params\":{\"name\":\"" + name + "\"}}";
    }

    @Test
    void aPromptScopedRuleRedactsThatPromptsMessagesOnly() throws Exception {
        answers.put("prompts/get#greet", promptAnswer("key " + AWS_KEY));
        answers.put("prompts/get#other", promptAnswer("key " + AWS_KEY));

        TestHttp.Reply greet = http.postMcp(gateway.port(), "/mcp", promptGet(1, "greet"));
        TestHttp.Reply other = http.postMcp(gateway.port(), "/mcp", promptGet(2, "other"));

        assertThat(greet.json().path("result").toString()).doesNotContain(AWS_KEY).contains("[REDACTED");
        assertThat(other.json().path("result").toString()).contains(AWS_KEY);
    }

    @Test
    void aResourceScopedRuleWithholdsThatResourcesListEntryAndAToolsCallRuleNoResourceContents() throws Exception {
        answers.put("resources/list", "{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"resources\":["
                + "{\"uri\":\"file:///vault/keys\",\"name\":\"keys\",\"description\":\"holds " + AWS_KEY + "\"},"
                + "{\"uri\":\"file:///public/keys\",\"name\":\"pub\",\"description\":\"holds " + AWS_KEY + "\"}]}}");
        answers.put("resources/read", "{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"contents\":[{\"uri\":\"file:///public/keys\","
                + "\"text\":\"key " + AWS_KEY + "\"}]}}");

        JsonNode listed = http.postMcp(gateway.port(), "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}").json();
        List<String> uris = java.util.stream.StreamSupport.stream(listed.path("result").path("resources").spliterator(), false)
                .map(r -> r.path("uri").asText()).toList();
        assertThat(uris).containsExactly("file:///public/keys");

        JsonNode read = http.postMcp(gateway.port(), "/mcp",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///public/keys\"}}").json();
        assertThat(read.path("result").toString()).as("a tools/call-scoped rule does not read a resource").contains(AWS_KEY);
    }
}
