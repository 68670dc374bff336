package dev.tollgate.protocols.a2a;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The text a file part carries inline (a 1.0 {@code raw} part, a 0.3 file's {@code bytes}, a proto {@code fileWithBytes},
 * or any of them sent as a {@code data:} URL, {@link DataUrl}), decoded so that policy and approvers read what an agent
 * reads: an instruction put in a small text file instead of the message's text was otherwise seen by nobody but the agent
 * (review AD). Given only when every reader of the part gets this same text, else null (the view keeps the file's size
 * alone, and an approval says its view is incomplete):
 * <ul>
 *   <li>the base64 is canonical ({@link #canonical}: a part whose base64 is not is refused before policy);</li>
 *   <li>the bytes are well-formed UTF-8 and no media type names another charset: an agent honouring
 *       {@code charset=utf-16} (or {@code charset*=''utf-16}, RFC 2231) reads other text from the same bytes. Only
 *       {@code charset=utf-8} is vouched for, and {@code charset=us-ascii} when every byte is ASCII;</li>
 *   <li>the text holds no NUL (U+0000): a text file has none, and UTF-16 text is valid UTF-8 full of them;</li>
 *   <li>the file is at most {@link #MAX_BYTES}: a view is read on every call and kept in audit records and approvals.</li>
 * </ul>
 * A leading byte-order mark is not part of the text: readers differ on it (WHATWG's UTF-8 decode, which Node's
 * {@code fetch} of a {@code data:} URL and {@code TextDecoder} use, drops it; {@code Buffer.toString} keeps it, an
 * invisible first character), and a rule anchored at the start ({@code ^Wire}) read on the kept one would miss what the
 * agent reads as the file's first word.
 */
final class InlineFileText {

    /** The largest file decoded into the view. */
    static final int MAX_BYTES = 64 * 1024;

    private InlineFileText() {
    }

    /** The file's text, or null when it is not shown (see the class comment). */
    static String of(String base64, String mediaType) {
        if (base64 == null || base64.isEmpty() || base64.length() > (MAX_BYTES + 2) / 3 * 4) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        if (!Base64.getEncoder().encodeToString(bytes).equals(base64)) {
            return null; // not canonical: unpadded, or spare bits set, which readers may decode differently
        }
        return text(bytes, mediaType);
    }

    /**
     * The text of a file's bytes, or null when it is not shown (see the class comment). Every media type given must leave
     * the text UTF-8: a {@code data:} URL has its own and the part has another, and a reader may honour either.
     */
    static String text(byte[] bytes, String... mediaTypes) {
        if (bytes == null || bytes.length == 0 || bytes.length > MAX_BYTES) {
            return null;
        }
        boolean ascii = ascii(bytes);
        for (String mediaType : mediaTypes) {
            Declared declared = declared(mediaType);
            if (declared == Declared.OTHER || declared == Declared.US_ASCII && !ascii) {
                return null;
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
        // A text file holds no NUL. Bytes that are UTF-8 full of NULs are text in another charset (ASCII written as UTF-16
        // is valid UTF-8: "T\0r\0a\0..."), which an agent honouring a charset the gateway did not recognise reads as words.
        if (text.indexOf('\0') >= 0) {
            return null;
        }
        return text.startsWith(BYTE_ORDER_MARK) ? text.substring(BYTE_ORDER_MARK.length()) : text;
    }

    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
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

    /** The charset a media type declares, as far as the gateway vouches for its reading. */
    private enum Declared {
        /** No charset parameter: readers take UTF-8 (the A2A SDKs, Node's {@code Response.text()}). */
        NONE,
        UTF_8,
        /** ASCII text reads the same in UTF-8 and in every charset a reader may map the label to (windows-1252 for WHATWG). */
        US_ASCII,
        /** Another charset, a charset spelt some other way, or two charsets: readers may read other text from the bytes. */
        OTHER
    }

    /**
     * The charset a media type declares. Any parameter whose name starts with {@code charset} declares one: the RFC 2231
     * spellings ({@code charset*=''utf-16}, {@code charset*0=utf-16}, {@code charset*0*=...}) name a charset for Python's
     * {@code email} package (review AH), and only {@code charset=utf-8} (or {@code utf8}, quoted or not) is vouched for.
     */
    private static Declared declared(String mediaType) {
        if (mediaType == null) {
            return Declared.NONE;
        }
        Declared declared = Declared.NONE;
        for (String parameter : mediaType.split(";", -1)) {
            String[] pair = parameter.split("=", 2);
            if (!pair[0].trim().toLowerCase(Locale.ROOT).startsWith("charset")) {
                continue;
            }
            if (declared != Declared.NONE || pair.length < 2 || !pair[0].trim().equalsIgnoreCase("charset")) {
                return Declared.OTHER; // two charsets (readers take either), or one named the RFC 2231 way or without a value
            }
            String value = pair[1].trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            declared = switch (value.toLowerCase(Locale.ROOT)) {
                case "utf-8", "utf8" -> Declared.UTF_8;
                case "us-ascii", "ascii" -> Declared.US_ASCII;
                default -> Declared.OTHER;
            };
        }
        return declared;
    }
}
