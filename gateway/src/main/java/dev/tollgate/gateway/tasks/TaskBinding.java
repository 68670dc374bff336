package dev.tollgate.gateway.tasks;

/**
 * Who a task or a context is bound to, as replicas share it: the tool (MCP) or skill (A2A) whose call created the task,
 * the caller who created it (null: an anonymous caller, which binds nobody), and the upstream instance holding it (null
 * when unknown or the route has one). A context binding carries its owner only.
 */
public record TaskBinding(String tool, String owner, String instance) {
}
