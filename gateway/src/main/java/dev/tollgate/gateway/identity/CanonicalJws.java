package dev.tollgate.gateway.identity;

import com.nimbusds.jose.util.Base64URL;

/**
 * Whether a compact JWS is spelled exactly as an encoder writes it. Nimbus's base64url decoder skips characters
 * outside the alphabet and ignores the last character's unused bits, so one signed token had dozens of spellings
 * (a space, '!', '~' inserted, padding appended, the last character changed), each verifying to the same claims but
 * cached as its own key: one valid token could fill a verified-token cache, and the spellings differ from what an
 * upstream checking the same token would accept. Every token the gateway verifies (AXIDs, OAuth bearer JWTs) is
 * refused unless canonical, before it is parsed.
 */
final class CanonicalJws {

    private CanonicalJws() {
    }

    /** Three parts, each only the base64url alphabet, no padding, and the last character's unused bits zero. */
    static boolean isCanonicalCompact(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String part : parts) {
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!alphabet) {
                    return false;
                }
            }
            if (part.length() % 4 == 1 || !Base64URL.encode(new Base64URL(part).decode()).toString().equals(part)) {
                return false; // a length no encoder writes, or unused bits set in the last character
            }
        }
        return true;
    }
}
