package dev.tollgate.gateway.config;

import java.time.Duration;
import java.util.Set;

/** Reads {@code tasks: {store: memory|redis, retention: 24h, max-bindings-per-tenant: 20000}}. */
final class TasksReader {

    static final Set<String> FIELDS = Set.of("store", "retention", "max-bindings-per-tenant");

    /** Below a second a task would be forgotten between two calls of one exchange; past 30 days memory is the limit. */
    private static final Duration MIN_RETENTION = Duration.ofSeconds(1);
    private static final Duration MAX_RETENTION = Duration.ofDays(30);

    private TasksReader() {
    }

    static TasksConfig read(NodeReader root, RedisConfig redis) {
        if (!root.has("tasks")) {
            return TasksConfig.DEFAULT;
        }
        NodeReader t = root.child("tasks");
        if (!t.isObject()) {
            t.problem("must be a mapping such as {store: redis}");
            return TasksConfig.DEFAULT;
        }
        t.rejectUnknown(FIELDS);
        TasksConfig.Store store = t.choice("store", TasksConfig.Store.class, TasksConfig.Store.MEMORY);
        if (store == TasksConfig.Store.REDIS && redis == null) {
            t.problemAt("store", "redis needs the top-level redis: {uri: ...} section");
        }
        Duration retention = t.duration("retention", TasksConfig.DEFAULT_RETENTION);
        if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
            t.problemAt("retention", "must be between 1s and 720h (30 days)");
        }
        int perTenant = t.positiveInt("max-bindings-per-tenant", TasksConfig.DEFAULT_MAX_BINDINGS_PER_TENANT);
        return new TasksConfig(store, retention, perTenant);
    }
}
