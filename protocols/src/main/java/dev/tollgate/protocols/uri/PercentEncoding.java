package dev.tollgate.protocols.uri;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-encoding in a URI's path, read as servers' routers read it. */
public final class PercentEncoding {

    private PercentEncoding() {
    }

    /** A path segment percent-decoded as UTF-8 (no {@code +} for space: that is a query's rule), or null when malformed. */
    public static String decodedSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder out = new StringBuilder(segment.length());
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                int high = i + 2 < segment.length() ? hexValue(segment.charAt(i + 1)) : -1;
                int low = high < 0 ? -1 : hexValue(segment.charAt(i + 2));
                if (low < 0) {
                    return null;
                }
                run.write(high * 16 + low);
                i += 2;
                continue;
            }
            if (!appendUtf8(out, run)) {
                return null;
            }
            out.append(c);
        }
        return appendUtf8(out, run) ? out.toString() : null;
    }

    /** Appends the escaped bytes gathered so far as UTF-8 text and empties the run; false when they are not UTF-8. */
    private static boolean appendUtf8(StringBuilder out, ByteArrayOutputStream run) {
        if (run.size() == 0) {
            return true;
        }
        try {
            out.append(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(run.toByteArray())));
            run.reset();
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** An ASCII hex digit's value, or -1 ({@code Character.digit} would also take other scripts' digits). */
    public static int hexValue(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
