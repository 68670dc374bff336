package dev.tollgate.gateway.routing;

import java.util.List;

/**
 * What a route's task and context bindings are kept under (see {@link TaskScopes}).
 *
 * @param name the scope's name: the least origin of the first instances of the routes reaching its server (the route's
 *             own name when it has no upstream). Keys what lives only as long as a call or a stream does (deferred costs,
 *             a stream's unanswered requests, running-task slots).
 * @param keys every name a binding is written under and looked up under: {@code name} first, then the origin of every
 *             other instance of those routes. A reload that removes or reorders a route's first instance renames the
 *             scope, yet its bindings are still found under the instances that stay (review BB: they were kept under the
 *             name alone, and the route's tasks became anyone's).
 */
public record TaskScope(String name, List<String> keys) {

    public TaskScope {
        keys = List.copyOf(keys);
        if (keys.isEmpty() || !keys.get(0).equals(name)) {
            throw new IllegalArgumentException("a task scope's keys start with its name");
        }
    }

    /** A scope kept under its name alone (a route that shares no server, or has no upstream). */
    public static TaskScope named(String name) {
        return new TaskScope(name, List.of(name));
    }
}
