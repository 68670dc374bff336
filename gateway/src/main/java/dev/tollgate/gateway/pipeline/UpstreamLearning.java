package dev.tollgate.gateway.pipeline;

/**
 * What the gateway learns from upstreams' answers and needs to decide later requests: the MCP 2026-07-28
 * {@code x-mcp-header} declarations of each tool (from tools lists) and the tool that created each task (from
 * {@code tools/call} answers). Process-wide, shared by every event loop, not part of the reloadable snapshot.
 */
public record UpstreamLearning(ToolParamHeaders paramHeaders, TaskOrigins taskOrigins) {

    public UpstreamLearning() {
        this(new ToolParamHeaders(), new TaskOrigins());
    }
}
