package dev.tollgate.protocols.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Finds strings holding an unpaired UTF-16 surrogate. Valid UTF-8 cannot encode one, so in a body that
 * passed UTF-8 validation it can only come from a {@code \\uD8xx}-{@code \\uDFxx} escape: a cheap byte scan
 * for such an escape decides whether the parsed tree needs to be walked at all.
 */
final class UnpairedSurrogates {

    private UnpairedSurrogates() {
    }

    /** True when the bytes hold {@code \\u} followed by D and 8-F (either case): a surrogate escape, or a false alarm. */
    static boolean mayBeEscaped(byte[] body, int offset, int length) {
        int end = offset + length - 3;
        for (int i = offset; i < end; i++) {
            if (body[i] == '\\' && body[i + 1] == 'u' && (body[i + 2] | 0x20) == 'd') {
                int c = body[i + 3] | 0x20;
                if (c == '8' || c == '9' || (c >= 'a' && c <= 'f')) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when any string value or object key in the tree holds an unpaired surrogate. */
    static boolean anyIn(JsonNode node) {
        if (node.isTextual()) {
            return isUnpaired(node.textValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (isUnpaired(field.getKey()) || anyIn(field.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (anyIn(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isUnpaired(String text) {
        return WellFormedText.hasLoneSurrogate(text);
    }
}
