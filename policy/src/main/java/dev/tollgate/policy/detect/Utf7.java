package dev.tollgate.policy.detect;

/**
 * UTF-7 (RFC 2152) decoding, which Python's codecs offer and Java's charsets do not: a client decoding a blob labelled
 * {@code charset=utf-7} reads {@code +AEkAZwBuAG8AcgBl-} as {@code Ignore}. Written by hand (no library on the project's
 * classpath decodes it): {@code +} opens a run of modified base64 holding UTF-16 code units, ended by {@code -} (taken
 * out) or any character outside base64 (kept); {@code +-} is a plus sign; every other byte is itself. Lenient as
 * Python's is about leftover bits, for reading only.
 */
final class Utf7 {

    private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private Utf7() {
    }

    static String decode(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            char c = (char) (bytes[i] & 0xFF);
            if (c != '+') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i < bytes.length && bytes[i] == '-') {
                out.append('+');
                i++;
                continue;
            }
            int bits = 0;
            int buffered = 0;
            while (i < bytes.length && BASE64.indexOf(bytes[i] & 0xFF) >= 0) {
                bits = bits << 6 | BASE64.indexOf(bytes[i] & 0xFF);
                buffered += 6;
                if (buffered >= 16) {
                    buffered -= 16;
                    out.append((char) (bits >>> buffered & 0xFFFF));
                }
                i++;
            }
            if (i < bytes.length && bytes[i] == '-') {
                i++;
            }
        }
        return out.toString();
    }
}
