package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
     * server-sent text may hold them; UTF-8 cannot) and seals it. The hash covers the text as written.
     */
    static AuditLine seal(ObjectNode record, long seq, String prev) throws JsonProcessingException {
        record.put("seq", seq);
        record.put("prev", prev);
        byte[] content = wellFormed(JSON.writeValueAsString(record)).getBytes(StandardCharsets.UTF_8);
        String hash = AuditChain.sha256(content);
        return new AuditLine(seq, hash, AuditChain.sealedLine(content, hash));
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
