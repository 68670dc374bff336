package dev.tollgate.protocols.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 check: overlong forms, surrogates, truncated and out-of-range sequences are refused (the
 * JDK decoder's REPORT mode). Pure-ASCII input, the common case for JSON-RPC, is accepted by a plain
 * byte scan without decoding.
 */
final class Utf8Validator {

    private Utf8Validator() {
    }

    /** @return the offset of the first invalid byte region, or -1 when the bytes are valid UTF-8 */
    static int firstInvalid(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && bytes[i] >= 0) {
            i++;
        }
        if (i == end) {
            return -1;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, i, end - i));
            return -1;
        } catch (CharacterCodingException e) {
            return i;
        }
    }
}
