package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tree-less read of an answer accepts only what the whole read (strict parse, JSON-RPC shape, the members the
 * gateway acts on) would relay unchanged, and does accept the ordinary results it exists for.
 */
class PlainResultScanTest {

    static final Set<String> IN_RESULT = Set.of("tools", "task", "inputRequests");
    static final Set<String> IN_MEMBERS = Set.of("inputRequests");
    private static final StrictJsonParser JSON = new StrictJsonParser();
    static final PlainResultScan SCAN = new PlainResultScan(JSON, IN_RESULT, IN_MEMBERS);
    private static final ServerMessageReader READER = new ServerMessageReader(new JsonRpcParser(JSON));

    /** What the gateway's whole read concludes: a readable response to {@code id}, a result object holding nothing acted on. */
    static boolean plainByTree(byte[] body, JsonNode id) {
        if (!(READER.read(body, false) instanceof ServerMessage.Read read)
                || !(read.messages().get(0) instanceof JsonRpcResponse response)
                || response.isError() || response.id() == null || !response.id().value().equals(id)) {
            return false;
        }
        JsonNode result = read.root().get("result");
        if (!result.isObject() || IN_RESULT.stream().anyMatch(result::has)) {
            return false;
        }
        for (JsonNode member : result) {
            if (member.isObject() && IN_MEMBERS.stream().anyMatch(member::has)) {
                return false;
            }
        }
        return true;
    }

    private static boolean onlyResponseMembers(byte[] body) {
        try {
            for (java.util.Iterator<String> names = JSON.parse(body).fieldNames(); names.hasNext(); ) {
                if (!Set.of("jsonrpc", "id", "result").contains(names.next())) {
                    return false;
                }
            }
            return true;
        } catch (dev.tollgate.protocols.json.JsonRejection e) {
            return false;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsOrdinaryResults() {
        assertThat(SCAN.isPlainResult(utf8("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
                + "\"isError\":false,\"structuredContent\":{\"n\":1.5,\"deep\":{\"inputRequests\":{}}}}}"), IntNode.valueOf(7))).isTrue();
        assertThat(SCAN.isPlainResult(utf8(" {\"result\":{},\"id\":\"a\",\"jsonrpc\":\"2.0\"}\n"), TextNode.valueOf("a"))).isTrue();
        assertThat(SCAN.isPlainResult(utf8("{\"jsonrpc\":\"2.0\",\"id\":5000000000,\"result\":{\"t\":\"\\u00e9\\ud83d\\ude00\"}}"),
                LongNode.valueOf(5_000_000_000L))).as("a surrogate pair escape: read whole, to be safe").isFalse();
        assertThat(SCAN.isPlainResult(utf8("{\"jsonrpc\":\"2.0\",\"id\":5000000000,\"result\":{\"t\":\"\\u00e9\"}}"),
                LongNode.valueOf(5_000_000_000L))).isTrue();
    }

    /** The attacker's catalog: every answer here is either refused or acted on by the whole read; none may pass unread. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{},\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"id\":8,\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":1,\"a\":2}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":{\"b\":[{\"c\":1,\"c\":1}]}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{},\"method\":\"sampling/createMessage\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{},\"error\":{\"code\":1,\"message\":\"x\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{},\"params\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7.0,\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}",
            "{\"jsonrpc\":\"2.0 \",\"id\":7,\"result\":{}}",
            "{\"jsonrpc\":2.0,\"id\":7,\"result\":{}}",
            "{\"id\":7,\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tools\":[{\"name\":\"rm\"}]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"task\":{\"taskId\":\"t1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"resultType\":\"input_required\",\"inputRequests\":{\"a\":{\"method\":\"elicitation/create\"}}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tasky\":{\"inputRequests\":{\"a\":{\"method\":\"sampling/createMessage\"}}}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"n\":1e400}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"n\":[[-1e309]]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"n\":1e-400}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"n\":0e-1500000000}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"n\":[1e99999999999]}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"t\":\"\\ud800\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"t\\udfff\":1}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}} {}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}x",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":[]}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"ok\"}",
            "[{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}]",
            "\uFEFF{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":'x'}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":NaN}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":01}}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{/*c*/}}",
            "",
            "   "})
    void fallsBackOnEverythingTheWholeReadRefusesOrActsOn(String answer) {
        assertThat(SCAN.isPlainResult(utf8(answer), IntNode.valueOf(7))).isFalse();
    }

    @Test
    void fallsBackOnBytesThatAreNotUtf8OrTooDeep() {
        byte[] invalid = utf8("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"t\":\"xx\"}}");
        invalid[33] = (byte) 0xC0; // an overlong encoding inside a skipped string
        assertThat(SCAN.isPlainResult(invalid, IntNode.valueOf(7))).isFalse();
        byte[] utf16 = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}".getBytes(StandardCharsets.UTF_16LE);
        assertThat(SCAN.isPlainResult(utf16, IntNode.valueOf(7))).isFalse();
        String deep = "[".repeat(StrictJsonParser.DEFAULT_MAX_NESTING_DEPTH) + "]".repeat(StrictJsonParser.DEFAULT_MAX_NESTING_DEPTH);
        assertThat(SCAN.isPlainResult(utf8("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":" + deep + "}}"), IntNode.valueOf(7))).isFalse();
        assertThat(SCAN.isPlainResult(utf8("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"), null)).isFalse();
    }

    /**
     * Generated answers, many of them mutated: whenever the scan says plain, the whole read says so too; and whenever the
     * whole read says plain, the bytes hold no surrogate escape and the response no member but jsonrpc, id and result
     * (the whole read lets a response carry params; the scan leaves both to it), the scan agrees.
     */
    @Test
    void agreesWithTheWholeReadOnGeneratedAnswers() {
        Random random = new Random(20261204);
        int plain = 0;
        for (int i = 0; i < 40_000; i++) {
            JsonNode id = random.nextBoolean() ? IntNode.valueOf(random.nextInt(3)) : TextNode.valueOf("r" + random.nextInt(3));
            byte[] body = utf8(new AnswerGenerator(random).answer(id.toString()));
            if (random.nextInt(4) == 0) {
                body = AnswerGenerator.mutate(body, random);
            }
            boolean scanned = SCAN.isPlainResult(body, id);
            boolean tree = plainByTree(body, id);
            String shown = new String(body, StandardCharsets.UTF_8);
            if (scanned) {
                assertThat(tree).as("scan accepted what the whole read does not: %s (id %s)", shown, id).isTrue();
                plain++;
            }
            if (tree && !StrictJsonParser.mayHoldSurrogateEscape(body) && onlyResponseMembers(body)) {
                assertThat(scanned).as("scan refused an ordinary result: %s (id %s)", shown, id).isTrue();
            }
        }
        assertThat(plain).as("the generator reaches plain results").isGreaterThan(2_000);
    }

    /** Answers built from the members and values that matter to the two reads, duplicates and all. */
    static final class AnswerGenerator {
        private static final String[] TOP = {"jsonrpc", "id", "result", "result", "id", "jsonrpc", "error", "method", "params", "x"};
        private static final String[] KEYS = {"content", "isError", "structuredContent", "tools", "task", "inputRequests",
                "resultType", "_meta", "text", "a", "a", "taskId", "method", "t\\u00e9", "\\ud800", "\\ud83d\\ude00"};
        private static final String[] SCALARS = {"1", "-0", "0", "1.5", "1e308", "1e309", "-1e400", "1e-400", "0.0e-400", "0e-1001", "1e99999999999", "0e99999999999", "4.9e-324", "1e39", "12345678901234567890123",
                "true", "false", "null", "\"\"", "\"x\"", "\"\\n\\\"\"", "\"\\u00e9\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"",
                "\"é\"", "\"2.0\""};
        private final Random random;

        AnswerGenerator(Random random) {
            this.random = random;
        }

        /** @param id the request's id as JSON, which most answers carry */
        String answer(String id) {
            List<String> members = new ArrayList<>();
            members.add("\"jsonrpc\":" + pick("\"2.0\"", "\"2.0\"", "\"2.0\"", "\"2.0\"", "\"1.0\"", "2.0", "\"2.0 \""));
            members.add("\"id\":" + (random.nextInt(3) != 0 ? id
                    : pick("0", "1", "2", "\"r0\"", "\"r1\"", "\"r2\"", "1.0", "null", "5000000000", "{}", "\"0\"")));
            if (random.nextInt(8) != 0) {
                members.add("\"result\":" + (random.nextInt(10) == 0 ? value(2) : object(1)));
            }
            int extra = random.nextInt(6) == 0 ? 1 + random.nextInt(2) : 0;
            for (int i = 0; i < extra; i++) {
                members.add("\"" + TOP[random.nextInt(TOP.length)] + "\":" + value(1));
            }
            java.util.Collections.shuffle(members, random);
            return "{" + String.join(",", members) + "}";
        }

        private String object(int depth) {
            int n = random.nextInt(4);
            List<String> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                members.add("\"" + KEYS[random.nextInt(KEYS.length)] + "\":" + value(depth + 1));
            }
            return "{" + String.join(",", members) + "}";
        }

        private String value(int depth) {
            int kind = depth > 4 ? 0 : random.nextInt(5);
            if (kind == 3) {
                return object(depth);
            }
            if (kind == 4) {
                int n = random.nextInt(3);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(value(depth + 1));
                }
                return "[" + String.join(",", items) + "]";
            }
            return SCALARS[random.nextInt(SCALARS.length)];
        }

        private String pick(String... options) {
            return options[random.nextInt(options.length)];
        }

        static byte[] mutate(byte[] body, Random random) {
            String text = new String(body, StandardCharsets.UTF_8);
            return switch (random.nextInt(6)) {
                case 0 -> utf8(text.substring(0, random.nextInt(text.length() + 1)));
                case 1 -> utf8(text + pick(random, " ", "x", "{}", "\n", "]"));
                case 2 -> utf8(pick(random, "\uFEFF", " ", "\u0000", "[") + text);
                case 3 -> {
                    byte[] copy = body.clone();
                    copy[random.nextInt(copy.length)] = (byte) (0x80 | random.nextInt(0x80));
                    yield copy;
                }
                case 4 -> {
                    int at = random.nextInt(body.length);
                    yield utf8(text.substring(0, Math.min(at, text.length())) + pick(random, ",", "\"", "}", "{", ":", "\\"));
                }
                default -> utf8("[" + text + "]");
            };
        }

        private static String pick(Random random, String... options) {
            return options[random.nextInt(options.length)];
        }
    }
}
