package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * One sealed audit line, as the bytes that go to the file (newline included), with the sequence number and
 * hash it was sealed with. Built before anything is written, so a record that cannot be turned into
 * well-formed UTF-8 fails here, alone, and never reaches (or poisons) the file writer.
 */
record AuditLine(long seq, String hash, byte[] bytes) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char REPLACEMENT = '\uFFFD';

    /**
     * Numbers the record, names the previous hash, serializes it, replaces unpaired surrogates (client- or
     * server-sent text may hold them; UTF-8 cannot) and seals it (keyed when the operator set a key). The hash covers
     * the text as written.
     */
    static AuditLine seal(AuditEntry record, long seq, String prev, AuditWriting writing) throws IOException {
        byte[] content = utf8(record, seq, prev, writing);
        String hash = writing.seal(content);
        return new AuditLine(seq, hash, AuditChain.sealedLine(content, hash));
    }

    /**
     * The record as UTF-8. Jackson's byte generator writes straight to UTF-8 (no String, no second encoding
     * pass) and gives the same bytes as the text path for every record without a surrogate; it writes any
     * surrogate, paired or lone, as a {@code \\uD8xx}-style escape, so a record whose bytes hold such an escape
     * (or the same six characters as literal text, escaped) is written again on the text path, which keeps pairs
     * as UTF-8 and replaces lone surrogates with U+FFFD.
     */
    static byte[] utf8(AuditEntry record, long seq, String prev, AuditWriting writing) throws IOException {
        byte[] written = writing.lines().write(g -> write(g, record, seq, prev, writing));
        if (!mayHoldSurrogateEscape(written)) {
            return written;
        }
        StringWriter text = new StringWriter(written.length);
        try (JsonGenerator g = JSON.getFactory().createGenerator(text)) {
            write(g, record, seq, prev, writing);
        }
        return wellFormed(text.toString()).getBytes(StandardCharsets.UTF_8);
    }

    /** The writer thread's output for lines. */
    static JsonScratch scratch() {
        return new JsonScratch(JSON);
    }

    private static void write(JsonGenerator g, AuditEntry record, long seq, String prev, AuditWriting writing) throws IOException {
        g.writeStartObject();
        record.writeFields(g, writing);
        g.writeNumberField("seq", seq);
        g.writeStringField("prev", prev);
        g.writeEndObject();
    }

    /** Whether Jackson's byte generator wrote a surrogate here: it writes every one, paired or lone, as an escape. */
    static boolean mayHoldSurrogateEscape(byte[] bytes) {
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == '\\' && bytes[i + 1] == 'u' && (bytes[i + 2] | 0x20) == 'd') {
                int c = bytes[i + 3] | 0x20;
                if (c == '8' || c == '9' || (c >= 'a' && c <= 'f')) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The text with every unpaired surrogate replaced by U+FFFD: encodable as UTF-8, always. */
    static String wellFormed(String text) {
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (fixed != null) {
                    fixed.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && fixed == null) {
                fixed = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (fixed != null) {
                fixed.append(lone ? REPLACEMENT : c);
            }
        }
        return fixed == null ? text : fixed.toString();
    }
}
