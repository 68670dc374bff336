package dev.tollgate.gateway.limits;

/**
 * Whether a tenant may take one more of something every tenant shares (rate-limit buckets, a route's slots) once the
 * shared bound is reached (review AG). Below the bound, first come first served. At the bound, a tenant that holds less
 * than one {@code unit} (what one caller may hold: {@code max-buckets-per-owner}, {@code max-concurrent-calls-per-caller})
 * is still admitted, into a reserve of a quarter of the bound (at least one), as long as other tenants hold more than one
 * unit each: the reserve is only ever as large as what they took by spreading over several callers (sub-users, agents,
 * runs), so a bound shared by tenants each within one caller's share stays exactly the bound, and one tenant that
 * multiplied its callers to fill it cannot shut the others out. The tenant that holds more than a unit is refused at the
 * bound (fail closed); so is everyone once the reserve is taken.
 */
public final class TenantReserve {

    private TenantReserve() {
    }

    /** The most a bound may be exceeded by: a quarter of it, at least one. */
    public static long reserve(long bound) {
        return Math.max(1, bound / 4);
    }

    /**
     * @param taken            what every tenant together holds now
     * @param bound            the shared bound
     * @param held             what this tenant holds now
     * @param unit             what one caller may hold
     * @param borrowedByOthers what other tenants hold beyond one unit each, summed
     */
    public static boolean admits(long taken, long bound, long held, long unit, long borrowedByOthers) {
        if (taken < bound) {
            return true;
        }
        return held < unit && taken < bound + Math.min(reserve(bound), borrowedByOthers);
    }

    /** What a tenant holding {@code held} holds beyond one unit. */
    public static long borrowed(long held, long unit) {
        return Math.max(0, held - unit);
    }
}
