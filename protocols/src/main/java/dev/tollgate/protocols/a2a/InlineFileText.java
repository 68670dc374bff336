package dev.tollgate.protocols.a2a;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The text a file part carries inline (a 1.0 {@code raw} part, a 0.3 file's {@code bytes}, a proto {@code fileWithBytes}),
 * decoded so that policy and approvers read what an agent reads: an instruction put in a small text file instead of the
 * message's text was otherwise seen by nobody but the agent (review AD). Given only when every reader of the part gets
 * this same text, else null (the view keeps the file's size alone, and an approval says its view is incomplete):
 * <ul>
 *   <li>the base64 is canonical ({@link #canonical}: a part whose base64 is not is refused before policy);</li>
 *   <li>the bytes are well-formed UTF-8 and the media type names no other charset: an agent honouring
 *       {@code charset=utf-16} reads other text from the same bytes;</li>
 *   <li>the file is at most {@link #MAX_BYTES}: a view is read on every call and kept in audit records and approvals.</li>
 * </ul>
 */
final class InlineFileText {

    /** The largest file decoded into the view. */
    static final int MAX_BYTES = 64 * 1024;

    private InlineFileText() {
    }

    /** The file's text, or null when it is not shown (see the class comment). */
    static String of(String base64, String mediaType) {
        if (base64 == null || base64.isEmpty() || base64.length() > (MAX_BYTES + 2) / 3 * 4 || !utf8(mediaType)) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        if (bytes.length > MAX_BYTES) {
            return null;
        }
        if (!Base64.getEncoder().encodeToString(bytes).equals(base64)) {
            return null; // not canonical: unpadded, or spare bits set, which readers may decode differently
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    /**
     * Whether base64 is canonical: the standard alphabet, a length that is a multiple of 4, at most two {@code =} and only
     * at the end, and no bits set past the last byte. Every decoder reads canonical base64 as the same bytes; Node's
     * {@code Buffer.from} also reads line breaks, the URL-safe alphabet and missing padding, which Python's
     * {@code b64decode} drops or refuses, so a part with any of them is read two ways and refused ({@link A2aParts}).
     * A scan, no decoding: it runs on every inline file, of any size.
     */
    static boolean canonical(String base64) {
        int length = base64.length();
        if (length % 4 != 0) {
            return false;
        }
        int padding = length > 0 && base64.charAt(length - 1) == '=' ? (length > 1 && base64.charAt(length - 2) == '=' ? 2 : 1) : 0;
        int last = -1;
        for (int i = 0; i < length - padding; i++) {
            last = sextet(base64.charAt(i));
            if (last < 0) {
                return false;
            }
        }
        // One '=': the last character carries 2 spare bits; two: 4.
        return padding == 0 || (last & (padding == 1 ? 0b11 : 0b1111)) == 0;
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    }

    /** Whether a media type leaves the text UTF-8: no charset parameter, or utf-8. */
    private static boolean utf8(String mediaType) {
        if (mediaType == null) {
            return true;
        }
        String charset = null;
        for (String parameter : mediaType.split(";")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
                if (charset != null) {
                    return false; // two charsets: readers take either
                }
                charset = pair[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
            }
        }
        return charset == null || charset.equals("utf-8") || charset.equals("utf8");
    }
}
