package dev.tollgate.protocols.json;

import java.nio.charset.StandardCharsets;

/**
 * Text that UTF-8 carries as itself: no unpaired UTF-16 surrogate. {@code String.getBytes(UTF_8)} (and every client that
 * encodes a String for the wire, Redis's included) writes each unpaired surrogate as {@code '?'}, so {@code "alice\uD800"}
 * and {@code "alice?"} would be one key there while they are two names everywhere else (review BR). Identity claims
 * holding one are refused where they are read; the keys built as bytes refuse them as well, in case a later path
 * lets one through.
 */
public final class WellFormedText {

    private WellFormedText() {
    }

    /** True when the text holds a high surrogate not followed by a low one, or a low one not preceded by a high one. */
    public static boolean hasLoneSurrogate(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(ch)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The text, for a key a store encodes as UTF-8.
     *
     * @throws IllegalArgumentException when it holds an unpaired surrogate (it would key as another text's bytes)
     */
    public static String checked(String text, String what) {
        if (text != null && hasLoneSurrogate(text)) {
            throw new IllegalArgumentException(what + " holds an unpaired UTF-16 surrogate: it has no UTF-8 encoding of its own");
        }
        return text;
    }

    /**
     * The text's UTF-8 bytes.
     *
     * @throws IllegalArgumentException when it holds an unpaired surrogate, which getBytes would write as another text's
     */
    public static byte[] utf8(String text, String what) {
        return checked(text, what).getBytes(StandardCharsets.UTF_8);
    }
}
