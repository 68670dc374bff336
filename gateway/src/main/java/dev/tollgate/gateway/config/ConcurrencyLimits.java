package dev.tollgate.gateway.config;

/**
 * How many calls may be in flight on one route at once, in all, per tenant and per caller. A call holds its slot from
 * the moment its caller is known until its answer is complete, so an SSE stream holds one for its whole life.
 * Over a limit the gateway answers 429 at once instead of queueing for an upstream connection: one caller holding
 * streams open cannot starve the others, and nobody waits on an exhausted pool.
 *
 * @param maxCalls     calls in flight on the route, every caller together (default: the route's max-connections); a
 *                     tenant within one caller's limit is still admitted past it while another tenant holds more than
 *                     one caller's limit, from a reserve (see limits.TenantReserve)
 * @param maxPerCaller calls in flight per caller (CallerKey: the AXID tenant, agent and sub-user, else the SPIFFE ID,
 *                     with the OAuth issuer, client and subject when present; else the client's IP address)
 * @param maxPerTenant calls in flight per tenant (TenantKey: the AXID tenant, else the SPIFFE ID, else the OAuth
 *                     subject; else the client's IP address), every one of its agents, sub-users and runs together
 *                     (default: maxCalls)
 */
public record ConcurrencyLimits(int maxCalls, int maxPerCaller, int maxPerTenant) {

    public static final int DEFAULT_MAX_PER_CALLER = 64;

    /** No tenant limit beyond the route's. */
    public ConcurrencyLimits(int maxCalls, int maxPerCaller) {
        this(maxCalls, maxPerCaller, maxCalls);
    }

    public static ConcurrencyLimits defaultsFor(int maxConnections) {
        return new ConcurrencyLimits(maxConnections, Math.min(DEFAULT_MAX_PER_CALLER, maxConnections));
    }
}
