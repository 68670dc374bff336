package dev.tollgate.protocols.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 check: overlong forms, surrogates (CESU-8), truncated sequences, stray continuation bytes
 * and code points above U+10FFFF are refused (the JDK decoder in REPORT mode). Pure-ASCII input, the
 * common case for JSON-RPC, is accepted by a plain byte scan without decoding.
 */
final class Utf8Validator {

    /** Decoded chars are thrown away; a small reused window keeps a 1 MiB body from costing 2 MiB of chars. */
    private static final int DECODE_WINDOW_CHARS = 4096;

    private Utf8Validator() {
    }

    /** @return the absolute index of the first byte of the first invalid sequence, or -1 when valid */
    static int firstInvalid(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && bytes[i] >= 0) {
            i++;
        }
        if (i == end) {
            return -1;
        }
        // A fresh decoder per call: CharsetDecoder is stateful and not thread-safe.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, i, end - i);
        CharBuffer window = CharBuffer.allocate(DECODE_WINDOW_CHARS);
        while (true) {
            CoderResult result = decoder.decode(in, window, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                break;
            }
            window.clear();
        }
        window.clear();
        return decoder.flush(window).isError() ? in.position() : -1;
    }
}
