package dev.tollgate.gateway.tasks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Redis keys of task and context bindings: {@code <prefix>:task:<kind>:<sha256>}, the digest taken over the route
 * name's length, the route name and the id. Length-prefixed, so no route name and id pair (colons, spaces, any text)
 * can spell another pair's key; hashed, so an id of any size or content makes a short key of plain characters.
 */
final class TaskStoreKeys {

    static final String TASK = "task";
    static final String CONTEXT = "context";
    static final String DEFERRED_COST = "cost";
    static final String DEFERRED_STREAM = "stream";
    static final String EARLY_RESULT = "early";

    private final String prefix;

    TaskStoreKeys(String prefix) {
        this.prefix = prefix;
    }

    String key(String kind, String route, String id) {
        MessageDigest sha = sha256();
        sha.update((route.length() + ":" + route + ":" + id).getBytes(StandardCharsets.UTF_8));
        return prefix + ":task:" + kind + ":" + HexFormat.of().formatHex(sha.digest());
    }

    /**
     * What a deferred cost, early result or stream answer filed under several keys is kept under, followed by its nonce
     * (a UUID; the keys of its scope hold the nonce: see RedisTaskStore).
     */
    String entryPrefix() {
        return prefix + ":task:entry:";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
