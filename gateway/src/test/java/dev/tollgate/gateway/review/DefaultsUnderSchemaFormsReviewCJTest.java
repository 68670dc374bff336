package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Review CJ (high): the schema defaults fix ({@code ToolDefaults}) fills a left-out member only through
 * {@code properties}, an object {@code items} and plain {@code $ref}s, and gives up on the whole schema past 64
 * reference resolutions. The official TypeScript SDK (1.x, zod 4 and zod 3) lists ordinary zod shapes in the other forms
 * and fills their defaults all the same before the handler runs (review-cj-defaults-server.mjs):
 * <ul>
 * <li>{@code Opts.nullable()}: {@code anyOf [object, null]}; a discriminated union: {@code oneOf};</li>
 * <li>a registered schema given a description: {@code {description, allOf: [{$ref}]}};</li>
 * <li>{@code z.record(z.string(), Opts)}: {@code additionalProperties}; {@code z.tuple([Opts])}: {@code items: [..]};</li>
 * <li>zod 3 with one flag schema reused by 40 flags: 39 {@code $ref: #/properties/f0}, and the reader, which counts every
 * resolution of the whole read against {@code MAX_REFS} = 64 (two per referencing property: 33 references are enough), reads no default at all,
 * the top-level {@code mode: DESTROY} included.</li>
 * </ul>
 * A rule denying {@code mode: DESTROY} at each place is passed by a call leaving the member out, and the tool destroys.
 */
class DefaultsUnderSchemaFormsReviewCJTest {

    private static final String POLICY = """
            name: wipes
            defaults: {action: allow}
            rules:
              - name: no-destroy
                condition: {any: [{arg: {path: /mode, eq: DESTROY}}, {arg: {path: /opts/mode, eq: DESTROY}},
                                  {arg: {path: /opts/k/mode, eq: DESTROY}}, {arg: {path: /opts/0/mode, eq: DESTROY}}]}
                action: deny
                message: No destroying wipes.
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("review-cj-defaults-server.mjs", Map.of());
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), POLICY, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static JsonNode post(int port, String method, String params) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static String executedDuring(ThrowingSupplier<JsonNode> call, JsonNode[] reply) throws Exception {
        int mark = server.markAfterPosting("/mark");
        reply[0] = call.get();
        return server.printedSince(mark, "/mark").lines().filter(l -> l.startsWith("EXECUTED")).reduce("", (a, b) -> a + b + "\n");
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "wipe_nullable  | {\"opts\":{}}",
            "wipe_union     | {\"opts\":{\"kind\":\"disk\"}}",
            "wipe_described | {\"opts\":{}}",
            "wipe_map       | {\"opts\":{\"k\":{}}}",
            "wipe_tuple     | {\"opts\":[{}]}",
            "flags          | {}",
    })
    void aMemberLeftOutThatZodFillsWithDestroyIsDecidedAsFilled(String tool, String arguments) throws Exception {
        String params = "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}";
        JsonNode[] reply = new JsonNode[1];
        String direct = executedDuring(() -> post(server.port(), "tools/call", params), reply);
        assertThat(direct).as("the attack is real: zod fills the left-out mode with DESTROY").contains("\"mode\":\"DESTROY\"");

        assertThat(post(gateway.port(), "tools/list", "{}").path("result").path("tools")).hasSize(6);
        String through = executedDuring(() -> post(gateway.port(), "tools/call", params), reply);
        assertThat(reply[0].path("error").path("data").path("reason").asText()).as(reply[0].toString())
                .isEqualTo(RejectReason.POLICY_DENIED.code());
        assertThat(through).as("the denied call never ran").isEmpty();
    }
}
