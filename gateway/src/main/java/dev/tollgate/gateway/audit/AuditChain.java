package dev.tollgate.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain over audit lines. A line is the record's JSON (which names the previous record's hash in
 * {@code "prev"}) followed by its own {@code "hash"}: the SHA-256 of exactly the bytes of the line up to
 * and without {@code ,"hash":"..."}, closed by {@code }}. Editing any field, the decision included, or
 * removing or reordering a line breaks the chain at that line.
 */
public final class AuditChain {

    /** The {@code prev} of the very first record. */
    public static final String GENESIS = "0".repeat(64);
    static final String HASH_FIELD = ",\"hash\":\"";
    private static final int HASH_HEX_CHARS = 64;

    private AuditChain() {
    }

    /** Appends the hash to a record serialized without it: {@code {...}} becomes {@code {...,"hash":"<hex>"}}. */
    static String seal(String recordJson) {
        return recordJson.substring(0, recordJson.length() - 1) + HASH_FIELD + sha256(recordJson) + "\"}";
    }

    /** The record's content as it was hashed, or null when the line does not end in a well-formed hash field. */
    static String content(String line) {
        int at = line.lastIndexOf(HASH_FIELD);
        if (at < 0 || line.length() != at + HASH_FIELD.length() + HASH_HEX_CHARS + 2 || !line.endsWith("\"}")) {
            return null;
        }
        return line.substring(0, at) + "}";
    }

    static String claimedHash(String line) {
        int at = line.lastIndexOf(HASH_FIELD);
        return line.substring(at + HASH_FIELD.length(), at + HASH_FIELD.length() + HASH_HEX_CHARS);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
