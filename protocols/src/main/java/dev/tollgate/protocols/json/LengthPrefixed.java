package dev.tollgate.protocols.json;

import java.nio.ByteBuffer;

/**
 * Strings as one unambiguous byte string: each part marked present or null and prefixed with its UTF-8 length, so no two
 * different lists encode alike (["ab", "c"] and ["a", "bc"], null and ""). What seals bind as associated data. A part
 * holding an unpaired surrogate is refused ({@link IllegalArgumentException}): UTF-8 has no bytes of its own for it.
 */
public final class LengthPrefixed {

    private LengthPrefixed() {
    }

    public static byte[] encode(String... parts) {
        byte[][] encoded = new byte[parts.length][];
        int size = 0;
        for (int i = 0; i < parts.length; i++) {
            // Checked: getBytes would write an unpaired surrogate as '?', two owners as one (review BR).
            encoded[i] = parts[i] == null ? new byte[0] : WellFormedText.utf8(parts[i], "part " + i);
            size += 5 + encoded[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < parts.length; i++) {
            out.put(parts[i] == null ? (byte) 0 : (byte) 1).putInt(encoded[i].length).put(encoded[i]);
        }
        return out.array();
    }
}
