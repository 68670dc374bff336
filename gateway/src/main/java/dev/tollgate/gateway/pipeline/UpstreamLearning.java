package dev.tollgate.gateway.pipeline;

/**
 * What the gateway learns from upstreams' answers and needs to decide later requests: the MCP 2026-07-28
 * {@code x-mcp-header} declarations of each tool (from tools lists) and the tool that created each task (from
 * {@code tools/call} answers), and the definitions each route's upstream last listed, held against its pin manifest
 * and against result rules (a tool whose listed definition they withheld is not called). Process-wide, shared by every
 * event loop, not part of the reloadable snapshot. With them, the request ids in flight in each upstream session, by
 * which the upstream pairs its answers with calls, the progress token each task's creating call gave, and the end of
 * what each page of a listing showed, joined before the next page's first entry ({@link ListingTails}), and the values
 * each tool's listed input schema allows where it names them ({@link DeclaredEnums}), and the argument names it declares
 * ({@link ArgumentNameCheck}).
 */
public record UpstreamLearning(ToolParamHeaders paramHeaders, TaskOrigins taskOrigins, dev.tollgate.gateway.pinning.PinWatch pins,
                               SessionRequestIds sessionRequestIds, WithheldTools withheldTools, TaskProgressTokens taskProgressTokens,
                               ListingTails listingTails, DeclaredEnums declaredEnums,
                               ArgumentNameCheck argumentNames) {

    public UpstreamLearning() {
        this(null);
    }

    /** @param registry where pinning differences are counted; null to count nothing */
    public UpstreamLearning(io.micrometer.core.instrument.MeterRegistry registry) {
        this(new ToolParamHeaders(), new TaskOrigins(), new dev.tollgate.gateway.pinning.PinWatch(registry), new SessionRequestIds(),
                new WithheldTools(), new TaskProgressTokens(), new ListingTails(), new DeclaredEnums(),
                new ArgumentNameCheck());
    }

    /** The same learning with task ownership kept in {@code taskOrigins} (one backed by a shared store). */
    public UpstreamLearning withTaskOrigins(TaskOrigins taskOrigins) {
        return new UpstreamLearning(paramHeaders, taskOrigins, pins, sessionRequestIds, withheldTools, taskProgressTokens, listingTails,
                declaredEnums, argumentNames);
    }
}
