package dev.tollgate.gateway.config;

/**
 * How many calls may be in flight on one route at once, in all and per caller. A call holds its slot from
 * the moment its caller is known until its answer is complete, so an SSE stream holds one for its whole life.
 * Over either limit the gateway answers 429 at once instead of queueing for an upstream connection: one
 * caller holding streams open cannot starve the others, and nobody waits on an exhausted pool.
 *
 * @param maxCalls     calls in flight on the route, every caller together (default: the route's max-connections)
 * @param maxPerCaller calls in flight per caller: the AXID tenant and agent, else the SPIFFE ID, else the
 *                     client's IP address
 */
public record ConcurrencyLimits(int maxCalls, int maxPerCaller) {

    public static final int DEFAULT_MAX_PER_CALLER = 64;

    public static ConcurrencyLimits defaultsFor(int maxConnections) {
        return new ConcurrencyLimits(maxConnections, Math.min(DEFAULT_MAX_PER_CALLER, maxConnections));
    }
}
