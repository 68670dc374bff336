package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The audit line's bytes come from Jackson's UTF-8 generator when the record holds no surrogate, from the text
 * path otherwise: both must give the bytes the text path always gave, since the hash chain covers them.
 */
class AuditLineEncodingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The text path's bytes for the record sealed as seq 7 after "prev". */
    private static byte[] textPath(ObjectNode record) throws Exception {
        ObjectNode line = record.deepCopy().put("seq", 7).put("prev", "prev");
        return AuditLine.wellFormed(JSON.writeValueAsString(line)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8(ObjectNode record) throws Exception {
        return AuditLine.utf8(new TreeAuditEntry(record), 7, "prev", TreeAuditEntry.WRITING);
    }

    @Test
    void recordsWithoutSurrogatesGiveTheTextPathsBytes() throws Exception {
        Random random = new Random(15);
        for (int n = 0; n < 2_000; n++) {
            ObjectNode record = JSON.createObjectNode();
            record.put("n", random.nextLong()).put("latency_ms", random.nextDouble() * 1000).put("allowed", random.nextBoolean());
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                // ASCII, control characters, Latin-1, other BMP text, quotes and backslashes; no surrogates.
                int kind = random.nextInt(5);
                char c = switch (kind) {
                    case 0 -> (char) random.nextInt(0x20);
                    case 1 -> (char) (0x20 + random.nextInt(0x60));
                    case 2 -> (char) (0x80 + random.nextInt(0x780));
                    case 3 -> (char) (0xE000 + random.nextInt(0x1FFE));
                    default -> "\"\\/".charAt(random.nextInt(3));
                };
                text.append(c);
            }
            record.putObject("arguments").put("text", text.toString()).putArray("list").add(text.reverse().toString()).add(n);
            assertThat(utf8(record)).as("record %d", n).isEqualTo(textPath(record));
        }
    }

    @Test
    void surrogatesPairedOrLoneTakeTheTextPath() throws Exception {
        ObjectNode record = JSON.createObjectNode().put("pair", "ok \ud83d\ude00").put("lone", "x\ud800");
        byte[] bytes = utf8(record);
        assertThat(bytes).isEqualTo(textPath(record));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("ok \ud83d\ude00", "x\uFFFD").doesNotContain("\\u");
    }

    @Test
    void textThatSpellsASurrogateEscapeIsKeptAsWritten() throws Exception {
        // The six characters \uD800 as literal text: escaped as \\uD800, never read as a surrogate.
        ObjectNode record = JSON.createObjectNode().put("tool", "\\uD800 and \\udfff");
        assertThat(utf8(record)).isEqualTo(textPath(record));
        assertThat(JSON.readTree(utf8(record)).path("tool").asText()).isEqualTo("\\uD800 and \\udfff");
    }
}
