package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.NodeServer;
import dev.tollgate.gateway.support.RunningGateway;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review AT: a generated corpus of mutated request bodies, differential against the real MCP TypeScript SDK server
 * (ts-server.mjs: express.json, zod). Each body asks for something the attacker's policy denies (get-env, a file under
 * /etc/, the secret or vault resource, the frozen account) in another form: key order, escapes in keys and values,
 * _meta and task members, ids, whitespace, batches, protocol-version and Content-Type headers. Whatever the gateway
 * answers, the upstream must never run a denied call it relayed.
 */
class BodyReadingsCorpusReviewATTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Vertx vertx;
    private static NodeServer server;
    private static RunningGateway gateway;
    private static HttpClient http;

    record Case(String name, Map<String, String> headers, String body) {
    }

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        server = NodeServer.start("ts-server.mjs", Map.of());
        String policy;
        try (InputStream in = BodyReadingsCorpusReviewATTest.class.getResourceAsStream("/attacks/policy.yaml")) {
            policy = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        gateway = RunningGateway.mcpWithPolicy(vertx, server.url("/mcp"), policy, null, "limits:\n  max-batch-messages: 8\n");
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

    // ---- the corpus ----

    /** A denied call: method, params as ordered members (raw JSON text values). */
    record Base(String label, String method, LinkedHashMap<String, String> params) {
    }

    static LinkedHashMap<String, String> members(String... kv) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Base> bases() {
        return List.of(
                new Base("get-env", "tools/call", members("name", "\"get-env\"", "arguments", "{}")),
                new Base("read /etc", "tools/call", members("name", "\"read-file\"", "arguments", "{\"path\":\"/etc/passwd\"}")),
                new Base("secret", "resources/read", members("uri", "\"file:///secret.txt\"")),
                new Base("vault", "resources/read", members("uri", "\"file:///vault/keys\"")),
                new Base("frozen", "tools/call", members("name", "\"transfer\"", "arguments", "{\"to\":18014398509481984,\"amount\":1}")),
                new Base("pay 42", "tools/call", members("name", "\"pay\"", "arguments", "{\"account\":\"42\",\"amount\":1}")));
    }

    static String object(Map<String, String> members, boolean reversed) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(members.entrySet());
        if (reversed) {
            java.util.Collections.reverse(entries);
        }
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> e : entries) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(e.getKey().startsWith("\"") ? e.getKey() : "\"" + e.getKey() + "\"").append(':').append(e.getValue());
        }
        return out.append('}').toString();
    }

    static String envelope(String id, String method, String params, boolean reversed) {
        LinkedHashMap<String, String> top = members("jsonrpc", "\"2.0\"", "id", id, "method", method, "params", params);
        return object(top, reversed);
    }

    static String escapeAll(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }

    static String escapeAllUpper(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(String.format("\\u%04X", (int) c));
        }
        return out.toString();
    }

    /** A JSON string's text, escaped: "get-env" -> "\u0067..." */
    static String escapedString(String jsonString, boolean upper) {
        String inner = jsonString.substring(1, jsonString.length() - 1);
        return "\"" + (upper ? escapeAllUpper(inner) : escapeAll(inner)) + "\"";
    }

    static List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        Map<String, String> plain = Map.of();
        for (Base b : bases()) {
            String method = "\"" + b.method() + "\"";
            String params = object(b.params(), false);
            cases.add(new Case(b.label() + ": as written", plain, envelope("1", method, params, false)));
            cases.add(new Case(b.label() + ": members reversed", plain, envelope("1", method, object(b.params(), true), true)));
            // Escapes: the method, every key, every string value.
            cases.add(new Case(b.label() + ": method escaped", plain, envelope("1", escapedString(method, false), params, false)));
            LinkedHashMap<String, String> escKeys = new LinkedHashMap<>();
            b.params().forEach((k, v) -> escKeys.put("\"" + escapeAll(k) + "\"", v));
            cases.add(new Case(b.label() + ": params keys escaped", plain, envelope("1", method, object(escKeys, false), false)));
            LinkedHashMap<String, String> escValues = new LinkedHashMap<>();
            b.params().forEach((k, v) -> escValues.put(k, v.startsWith("\"") ? escapedString(v, true) : v));
            cases.add(new Case(b.label() + ": params values escaped", plain, envelope("1", method, object(escValues, false), false)));
            String escTop = "{\"" + escapeAll("jsonrpc") + "\":\"2.0\",\"" + escapeAll("id") + "\":1,\"" + escapeAll("method") + "\":" + method
                    + ",\"" + escapeAll("params") + "\":" + params + "}";
            cases.add(new Case(b.label() + ": top keys escaped", plain, escTop));
            if (b.params().containsKey("arguments")) {
                String args = b.params().get("arguments");
                String escArgs = args.replaceAll("\"([a-z]+)\":", "\"\\\\u0000$1\":");
                // keys of arguments escaped (each letter)
                StringBuilder ek = new StringBuilder();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z]+)\":").matcher(args);
                int last = 0;
                while (m.find()) {
                    ek.append(args, last, m.start()).append("\"").append(escapeAll(m.group(1))).append("\":");
                    last = m.end();
                }
                ek.append(args.substring(last));
                LinkedHashMap<String, String> p = new LinkedHashMap<>(b.params());
                p.put("arguments", ek.toString());
                cases.add(new Case(b.label() + ": argument keys escaped", plain, envelope("1", method, object(p, false), false)));
                String slashed = args.replace("/", "\\/");
                p = new LinkedHashMap<>(b.params());
                p.put("arguments", slashed);
                cases.add(new Case(b.label() + ": solidus escaped in arguments", plain, envelope("1", method, object(p, false), false)));
            }
            // Extra params members the SDK passes through or strips.
            for (String extra : List.of("\"_meta\":{}", "\"_meta\":null", "\"_meta\":{\"progressToken\":\"p\"}", "\"task\":{\"ttl\":60000}",
                    "\"_meta\":{\"io.modelcontextprotocol/related-task\":{\"taskId\":\"t\"}}", "\"cursor\":\"c\"", "\"x\":1",
                    "\"__proto__\":{\"name\":\"echo\"}", "\"constructor\":{\"prototype\":{}}", "\"_meta\":{\"__proto__\":{\"a\":1}}")) {
                String withExtra = params.substring(0, params.length() - 1) + "," + extra + "}";
                cases.add(new Case(b.label() + ": params + " + extra, plain, envelope("1", method, withExtra, false)));
                String extraFirst = "{" + extra + "," + params.substring(1);
                cases.add(new Case(b.label() + ": " + extra + " + params", plain, envelope("1", method, extraFirst, false)));
            }
            // Arguments in other shapes (the SDK reads arguments ?? {}, zod refuses a non-object).
            if (b.params().containsKey("arguments")) {
                for (String args : List.of("null", "[]", "\"{}\"", "1", "{\"a\":{\"b\":{\"c\":{\"d\":[[[[1]]]]}}}}")) {
                    LinkedHashMap<String, String> p = new LinkedHashMap<>(b.params());
                    p.put("arguments", args.startsWith("{\"a") ? b.params().get("arguments").replaceFirst("\\}$", ",\"deep\":" + args + "}") : args);
                    cases.add(new Case(b.label() + ": arguments " + args, plain, envelope("1", method, object(p, false), false)));
                }
                LinkedHashMap<String, String> noArgs = new LinkedHashMap<>(b.params());
                noArgs.remove("arguments");
                cases.add(new Case(b.label() + ": arguments missing", plain, envelope("1", method, object(noArgs, false), false)));
            }
            // params in other shapes.
            cases.add(new Case(b.label() + ": params as a list", plain, envelope("1", method, "[" + params + "]", false)));
            cases.add(new Case(b.label() + ": params wrapped", plain, envelope("1", method, "{\"params\":" + params + "}", false)));
            // Ids.
            for (String id : List.of("0", "-1", "\"a\"", "\"\"", "9007199254740991", "-9007199254740991", "\"" + "1".repeat(100) + "\"",
                    "-0", "1e0", "1.0", "null", "true", "{}", "[]")) {
                cases.add(new Case(b.label() + ": id " + id, plain, envelope(id, method, params, false)));
            }
            // Whitespace and framing.
            String body = envelope("1", method, params, false);
            cases.add(new Case(b.label() + ": leading whitespace", plain, " \t\r\n" + body));
            cases.add(new Case(b.label() + ": trailing whitespace", plain, body + "\r\n \t"));
            cases.add(new Case(b.label() + ": whitespace between tokens", plain, body.replace(",", " ,\r\n\t").replace(":", "\n:\t")));
            cases.add(new Case(b.label() + ": trailing garbage", plain, body + "x"));
            cases.add(new Case(b.label() + ": trailing second object", plain, body + body));
            cases.add(new Case(b.label() + ": NUL after body", plain, body + "\u0000"));
            // Batches (2025-03-26 allows them), nested batch.
            Map<String, String> v0326 = Map.of("MCP-Protocol-Version", "2025-03-26");
            cases.add(new Case(b.label() + ": alone in a batch", v0326, "[" + body + "]"));
            cases.add(new Case(b.label() + ": batch after ping", v0326, "[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}," + body + "]"));
            cases.add(new Case(b.label() + ": nested batch", v0326, "[[" + body + "]]"));
            cases.add(new Case(b.label() + ": batch without header", plain, "[" + body + "]"));
            // Protocol versions.
            for (String v : List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "bogus", " 2025-11-25 ", "2025-11-25, 2026-07-28")) {
                cases.add(new Case(b.label() + ": MCP-Protocol-Version " + v, Map.of("MCP-Protocol-Version", v), body));
            }
            // Content types the gateway may accept.
            for (String ct : List.of("application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=\"UTF-8\"",
                    "application/json; foo=bar", "application/json;", "text/plain", "application/x-www-form-urlencoded")) {
                cases.add(new Case(b.label() + ": Content-Type " + ct, Map.of("Content-Type", ct), body));
            }
        }
        return cases;
    }

    // ---- the run ----

    @Test
    void noDeniedCallRunsUpstreamWhateverTheForm() throws Exception {
        List<String> violations = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        for (Case c : corpus()) {
            int mark = server.output().length();
            HttpResponse<String> reply = send(gateway.url("/mcp"), c.headers(), c.body());
            List<JsonNode> executed = executedSince(mark);
            String reason = reason(reply.body());
            table.append(String.format("%-70s %3d %-28s %s%n", c.name(), reply.statusCode(), reason, executed));
            for (JsonNode call : executed) {
                if (denied(call)) {
                    violations.add(c.name() + " -> " + reply.statusCode() + " " + reason + ", upstream ran " + call + "; body " + c.body());
                }
            }
        }
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "revAT-corpus.txt"), table.toString());
        assertThat(violations).as("denied calls the upstream ran through the gateway").isEmpty();
    }

    static boolean denied(JsonNode call) {
        String tool = call.path("tool").asText();
        JsonNode args = call.path("args");
        return switch (tool) {
            case "get-env" -> true;
            case "read-file" -> args.path("path").asText().startsWith("/etc/");
            case "transfer" -> args.path("to").asText().equals("18014398509481984") || args.path("to").asDouble() == 18014398509481984d;
            case "pay" -> args.path("account").asInt() == 42;
            case "resources/read" -> args.path("uri").asText().equals("file:///secret.txt") || args.path("uri").asText().startsWith("file:///vault/");
            default -> false;
        };
    }

    static String reason(String body) {
        try {
            JsonNode answer = JSON.readTree(body);
            JsonNode first = answer.isArray() && answer.size() > 0 ? answer.get(answer.size() - 1) : answer;
            return first.path("error").path("data").path("reason").asText(first.has("result") ? "result" : "");
        } catch (IOException | RuntimeException e) {
            return body.length() > 28 ? body.substring(0, 28) : body;
        }
    }

    static HttpResponse<String> send(String url, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Accept", "application/json, text/event-stream");
        boolean typed = false;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            request.header(h.getKey(), h.getValue());
            typed |= h.getKey().equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** What the server executed since the mark: a marker call sent straight to it bounds the case's output. */
    static List<JsonNode> executedSince(int mark) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        HttpResponse<String> reply = send(server.url("/mcp"), Map.of(),
                "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"" + marker + "\"}}}");
        assertThat(reply.statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server.output().substring(mark).contains(marker)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the upstream never printed the marker call");
            }
            Thread.onSpinWait();
            Thread.sleep(5);
        }
        List<JsonNode> executed = new ArrayList<>();
        for (String line : server.output().substring(mark).split("\n")) {
            if (line.contains(marker)) {
                break;
            }
            if (line.startsWith("EXECUTED ")) {
                JsonNode call = JSON.readTree(line.substring("EXECUTED ".length()));
                if (!call.path("args").path("message").asText().startsWith("marker-")) {
                    executed.add(call);
                }
            }
        }
        return executed;
    }
}
