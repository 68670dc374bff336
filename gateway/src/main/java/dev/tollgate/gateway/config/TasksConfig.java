package dev.tollgate.gateway.config;

/**
 * Where task and context ownership is kept (who created each MCP or A2A task, who started each A2A context).
 *
 * @param store {@code memory}: each replica knows the tasks created through it (lost on restart) | {@code redis}: every
 *              replica knows every task, through the top-level {@code redis:}
 */
public record TasksConfig(Store store) {

    public static final TasksConfig DEFAULT = new TasksConfig(Store.MEMORY);

    public enum Store { MEMORY, REDIS }
}
