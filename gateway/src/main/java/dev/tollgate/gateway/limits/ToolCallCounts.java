package dev.tollgate.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AGT's {@code tool_call_count}: the tool calls (MCP {@code tools/call}, A2A message sends) each run made through this
 * process that the gateway let through. AGT's hosts keep the count in the session's {@code ExecutionContext}
 * ({@code call_count}, raised in {@code post_execute} after a call ran) and a call sees the calls before it; so here a
 * tool call {@link #take takes} its place before it is decided (it sees N-1 as the Nth) and {@link #giveBack gives} it
 * back when it is denied. Taking before deciding makes concurrent calls of one run see distinct counts, so a run
 * cannot pass a limit by sending its calls at once.
 *
 * <p>A run ({@link #runOf}) is the AXID {@code run} of the caller (its tenant, agent and sub-user: {@link CallerKey},
 * so acme's {@code run-1} is not globex's); without a run, the MCP session on its route, as AGT's hosts count per
 * session; without either, the caller on its route (an anonymous caller without a session shares one count per route).
 *
 * <p>In memory, per process: not shared between replicas (a run spread over replicas is counted on each apart; a cap
 * that must hold across replicas is {@code defaults.max_tool_calls}, whose rate bucket is in the shared store). Bounded:
 * a run's count is forgotten after {@link #IDLE} without a call, or to keep {@link #MAX_RUNS} runs, dropping one
 * rarely used; a forgotten run starts again from 0, as a new run or session does.
 */
public final class ToolCallCounts {

    /** How many runs' counts one process keeps. */
    public static final long MAX_RUNS = 200_000;
    /** How long a run's count is kept after its last call. */
    public static final Duration IDLE = Duration.ofHours(24);

    private final Cache<String, AtomicLong> counts;

    public ToolCallCounts() {
        this(MAX_RUNS, IDLE, Ticker.systemTicker(), ForkJoinPool.commonPool());
    }

    /** @param executor where Caffeine drops forgotten runs (tests: the calling thread) */
    ToolCallCounts(long maxRuns, Duration idle, Ticker ticker, Executor executor) {
        this.counts = Caffeine.newBuilder().maximumSize(maxRuns).expireAfterAccess(idle).ticker(ticker)
                .scheduler(Scheduler.systemScheduler()).executor(executor).build();
    }

    /**
     * The run a call counts in: its AXID run within its caller, else its MCP session on its route, else its caller on its
     * route.
     *
     * @param session the upstream's MCP session id the call names, or null (A2A, a stateless server, the first request)
     */
    public static String runOf(Identity identity, String route, String session) {
        String caller = CallerKey.of(identity);
        if (identity.run() != null) {
            return "run|" + CallerKey.part(caller) + '|' + CallerKey.part(identity.run());
        }
        if (session != null) {
            return "session|" + CallerKey.part(caller) + '|' + CallerKey.part(route) + '|' + CallerKey.part(session);
        }
        return "caller|" + CallerKey.part(caller) + '|' + CallerKey.part(route);
    }

    /** The run's tool calls so far, and one more for the call about to be decided: give it back if it is denied. */
    public long take(String run) {
        return counts.get(run, r -> new AtomicLong()).getAndIncrement();
    }

    /** A taken call that was denied: not one of the run's calls. */
    public void giveBack(String run) {
        AtomicLong count = counts.getIfPresent(run);
        if (count != null) {
            count.getAndUpdate(n -> n > 0 ? n - 1 : 0);
        }
    }

    /** How many runs are counted now (after pending evictions). */
    long size() {
        counts.cleanUp();
        return counts.estimatedSize();
    }

    /** The run's tool calls so far, for a call that is not one (a resource read, a task poll). */
    public long peek(String run) {
        AtomicLong count = counts.getIfPresent(run);
        return count == null ? 0 : count.get();
    }
}
