package dev.tollgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.protocols.json.ExactNumbers;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.protocols.sse.SseDecoder;
import dev.tollgate.protocols.sse.SseEvent;
import dev.tollgate.protocols.sse.SseFramingException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what an upstream defines, straight from it (not through the gateway, which would hide what it does not
 * know): an MCP server's tools, every page of {@code tools/list} in one session of its own, or an A2A agent's skills
 * from its public card. For {@code tollgate pin}, on the operator's machine: blocking I/O is fine here.
 */
final class UpstreamDefinitions {

    /** Reads numbers as the gateway reads tools lists, so a pin records what the gateway will compare. */
    private static final ObjectMapper JSON = ExactNumbers.readingExactly(new ObjectMapper());
    static final String PROTOCOL_VERSION = "2025-11-25";
    /** A server that keeps handing out cursors is not listed forever. */
    static final int MAX_PAGES = 100;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> headers;
    private final Duration timeout;

    /** @param headers sent with every request (an upstream's own credential, for example) */
    UpstreamDefinitions(Map<String, String> headers, Duration timeout) {
        this.headers = headers;
        this.timeout = timeout;
    }

    /** Every tool the MCP server at {@code url} lists. */
    List<JsonNode> mcpTools(URI url) throws IOException, InterruptedException {
        ObjectNode init = request(1, "initialize");
        ObjectNode params = init.putObject("params");
        params.put("protocolVersion", PROTOCOL_VERSION);
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "tollgate-pin").put("version", "1");
        Answer initialized = post(url, init, null, null);
        String session = initialized.session();
        String version = initialized.message().path("result").path("protocolVersion").asText(PROTOCOL_VERSION);
        post(url, JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"), session, version);
        List<JsonNode> tools = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode list = request(2 + page, "tools/list");
            if (cursor != null) {
                list.putObject("params").put("cursor", cursor);
            }
            JsonNode result = post(url, list, session, version).message().path("result");
            if (!result.path("tools").isArray()) {
                throw new IOException("the tools/list answer has no tools array: " + abbreviate(result.toString()));
            }
            result.get("tools").forEach(tools::add);
            cursor = result.path("nextCursor").isTextual() ? result.get("nextCursor").textValue() : null;
            if (cursor == null) {
                if (session != null) {
                    close(url, session, version);
                }
                return tools;
            }
        }
        throw new IOException("the server still had a next page after " + MAX_PAGES + " pages of tools");
    }

    /** Every skill of the A2A agent whose public card is at {@code url}'s well-known path. */
    List<JsonNode> a2aSkills(URI url) throws IOException, InterruptedException {
        String base = url.toString().endsWith("/") ? url.toString() : url + "/";
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(base + ".well-known/agent-card.json")).timeout(timeout).GET();
        headers.forEach(get::header);
        HttpResponse<byte[]> response = http.send(get.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + base + ".well-known/agent-card.json answered " + response.statusCode());
        }
        JsonNode card = JSON.readTree(response.body());
        List<JsonNode> skills = new ArrayList<>();
        card.path("skills").forEach(skills::add);
        return skills;
    }

    private record Answer(JsonNode message, String session) {
    }

    private static ObjectNode request(int id, String method) {
        return JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    }

    /** POSTs a message; for a request, its response (read from JSON or from the SSE stream the server answers with). */
    private Answer post(URI url, ObjectNode message, String session, String version) throws IOException, InterruptedException {
        HttpRequest.Builder post = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(message)));
        if (session != null) {
            post.header("Mcp-Session-Id", session);
        }
        if (version != null) {
            post.header("MCP-Protocol-Version", version);
        }
        headers.forEach(post::header);
        HttpResponse<byte[]> response = http.send(post.build(), HttpResponse.BodyHandlers.ofByteArray());
        String method = message.path("method").asText();
        if (!message.has("id")) {
            if (response.statusCode() / 100 != 2) {
                throw new IOException(method + " answered HTTP " + response.statusCode());
            }
            return new Answer(null, session);
        }
        if (response.statusCode() != 200) {
            throw new IOException(method + " answered HTTP " + response.statusCode() + ": " + abbreviate(new String(response.body())));
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        JsonNode answer = type.startsWith("text/event-stream") ? fromStream(response.body(), message.get("id")) : JSON.readTree(response.body());
        if (answer == null || answer.has("error")) {
            throw new IOException(method + " failed: " + (answer == null ? "no response in the stream" : abbreviate(answer.get("error").toString())));
        }
        return new Answer(answer, response.headers().firstValue("Mcp-Session-Id").orElse(session));
    }

    private static JsonNode fromStream(byte[] body, JsonNode id) throws IOException {
        try {
            for (SseEvent event : new SseDecoder().feed(body)) {
                if (event.data() == null || event.data().isEmpty()) {
                    continue;
                }
                JsonNode message = JSON.readTree(event.data());
                if (id.equals(message.get("id")) && (message.has("result") || message.has("error"))) {
                    return message;
                }
            }
            return null;
        } catch (SseFramingException e) {
            throw new IOException("unreadable event stream: " + e.getMessage(), e);
        }
    }

    private void close(URI url, String session, String version) {
        HttpRequest.Builder delete = HttpRequest.newBuilder(url).timeout(timeout).DELETE()
                .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", version);
        headers.forEach(delete::header);
        try {
            http.send(delete.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // The server ends an abandoned session itself; the pin is already read.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
