package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a client-chosen JSON-RPC id or progress token is held as once its call is gone from the heap: a table that keeps
 * it for minutes or a day must not keep whatever the client chose, up to the body limit (review AG: six abandoned calls
 * with 3 MiB ids held 18 MiB for 15 minutes). Compare only held forms with each other.
 */
final class HeldIds {

    /** An id whose JSON text is at most this long is held as it is; a longer one as the digest of its type and text. */
    static final int MAX_KEPT_ID_CHARS = 64;

    private HeldIds() {
    }

    /**
     * The id itself when its text is short, else a {@link BinaryNode} of the SHA-256 of its JSON type and text (32
     * bytes). A parsed id is never a binary node, so a short id never equals a digest; two long ids are one key only when
     * their type and text are (up to a SHA-256 collision), so no id is refused or matched for another's sake. Anything
     * but a string or a number (null, missing) is returned as it is.
     */
    static JsonNode keyOf(JsonNode id) {
        if (id == null || !(id.isTextual() || id.isNumber())) {
            return id;
        }
        String text = id.isTextual() ? id.textValue() : id.toString();
        if (text.length() <= MAX_KEPT_ID_CHARS) {
            return id;
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        sha256.update((byte) (id.isTextual() ? 's' : 'n'));
        sha256.update(text.getBytes(StandardCharsets.UTF_8));
        return BinaryNode.valueOf(sha256.digest());
    }
}
