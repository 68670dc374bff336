package dev.tollgate.gateway.config;

import java.time.Duration;

/**
 * Where task and context ownership is kept (who created each MCP or A2A task, who started each A2A context).
 *
 * @param store     {@code memory}: each replica knows the tasks created through it (lost on restart) | {@code redis}: every
 *                  replica knows every task, through the top-level {@code redis:}
 * @param retention how long a task or context is kept after it was last named (Redis keeps it one twenty-fourth longer)
 * @param maxBindingsPerTenant the most tasks, and the most contexts, one tenant (else one caller) holds in a replica's
 *                             table: past it, calls that could start more are refused 429 {@code task_bindings_full}
 */
public record TasksConfig(Store store, Duration retention, int maxBindingsPerTenant) {

    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    /** Tens of megabytes per tenant at most; a busy tenant's day of conversations fits. */
    public static final int DEFAULT_MAX_BINDINGS_PER_TENANT = 20_000;
    public static final TasksConfig DEFAULT = new TasksConfig(Store.MEMORY, DEFAULT_RETENTION, DEFAULT_MAX_BINDINGS_PER_TENANT);

    public enum Store { MEMORY, REDIS }
}
