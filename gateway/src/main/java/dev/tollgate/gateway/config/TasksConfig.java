package dev.tollgate.gateway.config;

import java.time.Duration;

/**
 * Where task and context ownership is kept (who created each MCP or A2A task, who started each A2A context).
 *
 * @param store     {@code memory}: each replica knows the tasks created through it (lost on restart) | {@code redis}: every
 *                  replica knows every task, through the top-level {@code redis:}
 * @param retention how long a task or context is kept after it was last named (Redis keeps it one twenty-fourth longer)
 */
public record TasksConfig(Store store, Duration retention) {

    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final TasksConfig DEFAULT = new TasksConfig(Store.MEMORY, DEFAULT_RETENTION);

    public enum Store { MEMORY, REDIS }
}
