package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.routing.TaskScope;
import java.time.Duration;
import java.util.List;

/**
 * The progress token of the call that created each task, by task scope and task id: a task reports progress under that
 * token for its whole life (MCP 2025-11-25), on the stream of a later {@code tasks/result} or {@code tasks/get}, which
 * carries no token of its own. Learnt from the {@code tools/call} answer that names the task; per replica (a task
 * created through another replica is not known here, and its streams are not held to a token). Bounded in size and
 * time: a million tasks grow nothing past {@link #MAX_TASKS}, and a task's token is forgotten a day after it was learnt.
 * Kept under every key of the task's scope ({@code TaskScope#keys}) and looked up under each, as its binding is: a reload
 * that renames the scope (removing or reordering the route's first instance) keeps the task's token (review BG). Each
 * copy names the scope it was learnt for, as a binding does: one found under a key that a reload gave to another server
 * ({@link TaskScope#foreign}) is that server's old task's, and is passed over (fix AA).
 */
public final class TaskProgressTokens {

    static final int MAX_TASKS = 100_000;

    private record Key(String scope, String taskId) {
    }

    /** A token as kept under one key of its task's scope, naming that scope ({@link TaskScope#name}). */
    private record Held(JsonNode token, String madeUnder) {
    }

    private final Cache<Key, Held> tokens = Caffeine.newBuilder().maximumSize(MAX_TASKS).expireAfterWrite(Duration.ofDays(1)).build();

    /** Keeps the token as {@link HeldIds#keyOf} holds it: the client chose it, up to the body limit, and it is kept a day. */
    void created(String scope, String taskId, JsonNode progressToken) {
        created(TaskScope.named(scope), taskId, progressToken);
    }

    /** As {@link #created(TaskScope, String, JsonNode)} for a scope of these keys alone in its configuration. */
    void created(List<String> scopes, String taskId, JsonNode progressToken) {
        created(new TaskScope(scopes.get(0), scopes), taskId, progressToken);
    }

    /** As {@link #created(String, String, JsonNode)}, under every key of the scope (another server's copy replaced). */
    void created(TaskScope scope, String taskId, JsonNode progressToken) {
        Held held = new Held(HeldIds.keyOf(progressToken), scope.name());
        scope.keys().forEach(key -> tokens.put(new Key(key, taskId), held));
    }

    /**
     * The token the task's creating call gave, in its {@link HeldIds#keyOf} form (compare it with other tokens in that
     * form), or null when this replica does not know the task (or it gave none).
     */
    JsonNode of(String scope, String taskId) {
        return of(TaskScope.named(scope), taskId);
    }

    /** As {@link #of(TaskScope, String)} for a scope of these keys alone in its configuration. */
    JsonNode of(List<String> scopes, String taskId) {
        return of(new TaskScope(scopes.get(0), scopes), taskId);
    }

    /**
     * As {@link #of(String, String)}: the token found under the first of the scope's keys that holds one of this scope's
     * (not another server's now).
     */
    JsonNode of(TaskScope scope, String taskId) {
        for (String key : scope.keys()) {
            Held held = tokens.getIfPresent(new Key(key, taskId));
            if (held != null && scope.owns(held.madeUnder())) {
                return held.token();
            }
        }
        return null;
    }
}
