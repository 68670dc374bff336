package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.Mode;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event loop leaves the time's formatting and the arguments' digest to the writer thread; what the writer
 * finishes is the record as before: the time as ISO-8601 text, first in the field order, then the digest.
 */
class AuditRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theWriterFormatsTheTimeInItsPlaceAndDigestsTheArguments() throws Exception {
        Instant time = Instant.parse("2026-12-03T17:04:05.123456789Z");
        CallDescription call = CallDescription.mcpToolCall("files", "read_file", JSON.readTree("{\"path\":\"/etc/hosts\"}"));
        Decision allowed = new Decision(Action.ALLOW, "r", null, "p", Mode.ENFORCE);
        var record = new AuditRecords.CallRecord(time, call, Identity.ANONYMOUS, allowed,
                new AuditRecords.Outcome(200, null, 1.5, 1.0, null, "7", null), null, List.of(), null, new ArgumentRedactor(List.of()));
        AuditWriting writing = new AuditWriting(AuditConfig.ArgumentsMode.DIGEST, new InstantText());

        String line = new String(AuditLine.seal(record, 1, AuditChain.GENESIS, writing).bytes(), java.nio.charset.StandardCharsets.UTF_8);

        JsonNode written = JSON.readTree(line);
        assertThat(written.fieldNames().next()).isEqualTo("time");
        assertThat(written.get("time").asText()).isEqualTo("2026-12-03T17:04:05.123456789Z");
        assertThat(written.has("args_digest")).isTrue();
        assertThat(written.has("arguments")).as("DIGEST keeps only the digest").isFalse();
        assertThat(line).startsWith("{\"time\":\"2026-12-03T17:04:05.123456789Z\",\"route\":\"files\"");
    }

    @Test
    void theDigestIsTheSameOnEveryThread() throws Exception {
        byte[] content = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String here = AuditChain.sha256(content);
        String[] there = new String[1];
        Thread other = new Thread(() -> there[0] = AuditChain.sha256(content));
        other.start();
        other.join();

        assertThat(here).isEqualTo(there[0]).isEqualTo(AuditChain.sha256(content))
                .isEqualTo("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    }

    /** How the argument digest's input was written before: the tree turned into maps, sorted, as text, then UTF-8. */
    private static byte[] canonicalAsBefore(JsonNode node) throws Exception {
        ObjectMapper sorted = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        return sorted.writeValueAsString(sorted.treeToValue(node, Object.class)).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theDigestInputIsTheBytesItAlwaysWasForAnyArguments() throws Exception {
        Random random = new Random(20261203);
        for (int i = 0; i < 2_000; i++) {
            JsonNode arguments = randomTree(random, 0);
            assertThat(AuditRecords.canonical(arguments)).as("%s", arguments).isEqualTo(canonicalAsBefore(arguments));
        }
        JsonNode known = JSON.readTree("{\"b\":[1,2.5,\"\ud83d\ude00\",-7e300],\"a\":{\"z\":null,\"y\":true,\"\u00e9\":\"\u4e2d\"}}");
        assertThat(new String(AuditRecords.canonical(known), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":{\"y\":true,\"z\":null,\"\u00e9\":\"\u4e2d\"},\"b\":[1,2.5,\"\ud83d\ude00\",-7.0E300]}");
    }

    @Test
    void aLoneSurrogateIsDigestedAsBeforeNotRefused() throws Exception {
        ObjectNode arguments = JSON.createObjectNode().put("k", "x\ud800y").put("a", "\ud83d\ude00");

        assertThat(AuditRecords.canonical(arguments)).isEqualTo(canonicalAsBefore(arguments));
    }

    private static JsonNode randomTree(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth >= 4 ? random.nextInt(6) : random.nextInt(8);
        return switch (kind) {
            case 0 -> f.textNode(randomText(random));
            case 1 -> f.numberNode(random.nextInt());
            case 2 -> f.numberNode(random.nextLong());
            case 3 -> f.numberNode(random.nextBoolean() ? random.nextDouble() * 1e6 : random.nextGaussian() * Math.pow(10, random.nextInt(600) - 300));
            case 4 -> random.nextBoolean() ? f.booleanNode(random.nextBoolean()) : f.nullNode();
            case 5 -> f.numberNode(new java.math.BigInteger(80, random));
            case 6 -> {
                ArrayNode array = f.arrayNode();
                for (int n = random.nextInt(4); n > 0; n--) {
                    array.add(randomTree(random, depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = f.objectNode();
                for (int n = random.nextInt(5); n > 0; n--) {
                    object.set(randomText(random), randomTree(random, depth + 1));
                }
                yield object;
            }
        };
    }

    /** ASCII with escapes, Latin-1, CJK and astral characters (surrogate pairs), in random order. */
    private static String randomText(Random random) {
        String[] pieces = {"a", "Z", "0", " ", "\"", "\\", "\n", "\u0001", "\u007f", "\u00e9", "\u4e2d", "\ud83d\ude00", "\udbff\udfff", "/", "<"};
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(6); n > 0; n--) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.toString();
    }
}
