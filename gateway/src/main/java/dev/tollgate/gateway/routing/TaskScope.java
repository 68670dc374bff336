package dev.tollgate.gateway.routing;

import java.util.List;
import java.util.Set;

/**
 * What a route's task and context bindings are kept under (see {@link TaskScopes}).
 *
 * @param name the scope's name: the least origin of the first instances of the routes reaching its server (the route's
 *             own name when it has no upstream). A binding names the scope it was made under by it.
 * @param keys every name a binding is written under and looked up under: {@code name} first, then the origin of every
 *             other instance of those routes. A reload that removes or reorders a route's first instance renames the
 *             scope, yet its bindings are still found under the instances that stay (review BB: they were kept under the
 *             name alone, and the route's tasks became anyone's).
 * @param foreign the keys of every other scope of the same configuration. A binding names the scope it was made under;
 *             one found here that names a scope now among these was made for the server that scope's origins serve now,
 *             and is not this route's (review BG: an origin a reload moved to another server carried the first server's
 *             bindings, and one caller's task "1" there was another's).
 */
public record TaskScope(String name, List<String> keys, Set<String> foreign) {

    public TaskScope {
        keys = List.copyOf(keys);
        foreign = Set.copyOf(foreign);
        if (keys.isEmpty() || !keys.get(0).equals(name)) {
            throw new IllegalArgumentException("a task scope's keys start with its name");
        }
        if (keys.stream().anyMatch(foreign::contains)) {
            throw new IllegalArgumentException("a task scope's keys are its own");
        }
    }

    /** A scope alone in its configuration. */
    public TaskScope(String name, List<String> keys) {
        this(name, keys, Set.of());
    }

    /** Whether a binding made under the scope named {@code madeUnder} is this scope's (not another server's now). */
    public boolean owns(String madeUnder) {
        return madeUnder == null || !foreign.contains(madeUnder);
    }

    /** A scope kept under its name alone (a route that shares no server, or has no upstream). */
    public static TaskScope named(String name) {
        return new TaskScope(name, List.of(name));
    }
}
