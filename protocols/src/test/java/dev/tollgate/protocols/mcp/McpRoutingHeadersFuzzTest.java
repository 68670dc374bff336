package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcNotification;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link McpRoutingHeaders#mismatch} on arbitrary headers and bodies: never throws; when it lets a request
 * pass, every routing header it carries names what the body names (so an intermediary routing on the header
 * routes the call the gateway decided on), a repeated header never passes, and headers an honest client
 * derives from the body itself always pass (the name base64-encoded, as the spec allows for any value).
 *
 * <p>Input layout: three lines (Mcp-Method, Mcp-Name, MCP-Protocol-Version; a line of exactly {@code -} means
 * the header is absent), then the body. Seeds: {@code McpRoutingHeadersFuzzTestInputs/passesOnlyHeadersThatNameTheBody/}.
 */
class McpRoutingHeadersFuzzTest {

    private static final JsonRpcParser PARSER = new JsonRpcParser(new StrictJsonParser());
    private static final Map<String, String> NAME_SOURCE = Map.of(
            McpMethods.TOOLS_CALL, "name", "prompts/get", "name", "resources/read", "uri",
            "tasks/get", "taskId", "tasks/update", "taskId", "tasks/cancel", "taskId");

    @FuzzTest
    void passesOnlyHeadersThatNameTheBody(byte[] input) {
        String[] header = new String[3];
        int at = 0;
        for (int i = 0; i < 3; i++) {
            int nl = indexOf(input, (byte) '\n', at);
            if (nl < 0) {
                return;
            }
            String line = new String(input, at, nl - at, StandardCharsets.UTF_8);
            header[i] = line.equals("-") ? null : line;
            at = nl + 1;
        }
        JsonRpcPayload payload;
        try {
            payload = PARSER.parse(Arrays.copyOfRange(input, at, input.length));
        } catch (JsonRpcRejection e) {
            return;
        }
        for (JsonRpcMessage message : payload.messages()) {
            Map<String, List<String>> sent = new HashMap<>();
            put(sent, McpRoutingHeaders.MCP_METHOD, header[0]);
            put(sent, McpRoutingHeaders.MCP_NAME, header[1]);
            put(sent, McpHeaders.PROTOCOL_VERSION, header[2]);
            String verdict = McpRoutingHeaders.mismatch(message, lookup(sent));
            if (verdict == null) {
                assertAgrees(message, header);
            }
            assertHonestHeadersPass(message);
        }
    }

    private static void assertAgrees(JsonRpcMessage message, String[] header) {
        String method = method(message);
        if (header[0] != null) {
            assertThat(McpRoutingHeaders.stripOws(header[0])).as("Mcp-Method names the body's method").isEqualTo(method);
        }
        if (header[1] != null) {
            String source = method == null ? null : NAME_SOURCE.get(method);
            JsonNode field = source == null || params(message) == null ? null : params(message).get(source);
            assertThat(field != null && field.isTextual()).as("Mcp-Name passes only when the body names something").isTrue();
            assertThat(McpRoutingHeaders.decode(McpRoutingHeaders.stripOws(header[1]))).isEqualTo(field.textValue());
        }
        String envelope = McpRoutingHeaders.envelopeVersion(message);
        if (envelope != null) {
            assertThat(header[2]).as("the 2026 envelope needs MCP-Protocol-Version").isNotNull();
            assertThat(McpRoutingHeaders.stripOws(header[2])).isEqualTo(envelope);
            if (method != null) {
                assertThat(header[0]).as("the 2026 envelope needs Mcp-Method").isNotNull();
            }
        }
    }

    /** Headers a client derives from the body: pass; the same with one header sent twice: refused. */
    private static void assertHonestHeadersPass(JsonRpcMessage message) {
        String method = method(message);
        String envelope = McpRoutingHeaders.envelopeVersion(message);
        if (method == null || !method.equals(McpRoutingHeaders.stripOws(method))
                || envelope != null && !envelope.equals(McpRoutingHeaders.stripOws(envelope))) {
            return; // a value with surrounding spaces cannot be sent as a plain header: no honest form exists
        }
        Map<String, List<String>> honest = new HashMap<>();
        put(honest, McpRoutingHeaders.MCP_METHOD, method);
        put(honest, McpHeaders.PROTOCOL_VERSION, envelope);
        String source = NAME_SOURCE.get(method);
        JsonNode field = source == null || params(message) == null ? null : params(message).get(source);
        if (field != null && field.isTextual()) {
            put(honest, McpRoutingHeaders.MCP_NAME,
                    "=?base64?" + Base64.getEncoder().encodeToString(field.textValue().getBytes(StandardCharsets.UTF_8)) + "?=");
        }
        assertThat(McpRoutingHeaders.mismatch(message, lookup(honest))).as("headers derived from the body").isNull();

        honest.get(McpRoutingHeaders.MCP_METHOD.toLowerCase(Locale.ROOT)).add(method);
        assertThat(McpRoutingHeaders.mismatch(message, lookup(honest))).as("a repeated header").isNotNull();
    }

    private static String method(JsonRpcMessage message) {
        return message instanceof JsonRpcRequest r ? r.method() : message instanceof JsonRpcNotification n ? n.method() : null;
    }

    private static JsonNode params(JsonRpcMessage message) {
        return message instanceof JsonRpcRequest r ? r.params() : message instanceof JsonRpcNotification n ? n.params() : null;
    }

    private static void put(Map<String, List<String>> headers, String name, String value) {
        if (value != null) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        }
    }

    private static Function<String, List<String>> lookup(Map<String, List<String>> headers) {
        return name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
