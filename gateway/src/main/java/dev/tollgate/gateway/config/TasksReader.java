package dev.tollgate.gateway.config;

import java.util.Set;

/** Reads {@code tasks: {store: memory|redis}}. */
final class TasksReader {

    static final Set<String> FIELDS = Set.of("store");

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
        return new TasksConfig(store);
    }
}
