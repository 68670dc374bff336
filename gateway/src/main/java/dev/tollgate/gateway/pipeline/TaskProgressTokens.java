package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * The progress token of the call that created each task, by route and task id: a task reports progress under that
 * token for its whole life (MCP 2025-11-25), on the stream of a later {@code tasks/result} or {@code tasks/get}, which
 * carries no token of its own. Learnt from the {@code tools/call} answer that names the task; per replica (a task
 * created through another replica is not known here, and its streams are not held to a token). Bounded in size and
 * time: a million tasks grow nothing past {@link #MAX_TASKS}, and a task's token is forgotten a day after it was learnt.
 */
public final class TaskProgressTokens {

    static final int MAX_TASKS = 100_000;

    private record Key(String route, String taskId) {
    }

    private final Cache<Key, JsonNode> tokens = Caffeine.newBuilder().maximumSize(MAX_TASKS).expireAfterWrite(Duration.ofDays(1)).build();

    /** Keeps the token as {@link HeldIds#keyOf} holds it: the client chose it, up to the body limit, and it is kept a day. */
    void created(String route, String taskId, JsonNode progressToken) {
        tokens.put(new Key(route, taskId), HeldIds.keyOf(progressToken));
    }

    /**
     * The token the task's creating call gave, in its {@link HeldIds#keyOf} form (compare it with other tokens in that
     * form), or null when this replica does not know the task (or it gave none).
     */
    JsonNode of(String route, String taskId) {
        return tokens.getIfPresent(new Key(route, taskId));
    }
}
