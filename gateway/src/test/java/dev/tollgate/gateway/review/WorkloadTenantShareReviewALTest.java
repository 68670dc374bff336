package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ConcurrencyLimits;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.TenantKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review AL, finding 2 (low-medium): since bd56622c TenantKey puts the OAuth principal before the SPIFFE workload, so one
 * mTLS workload (one client app) is as many tenants as it has OAuth subjects. The tenant limits are meant to stop "one
 * tenant that multiplied its callers" (TenantReserve); a workload that multiplies its callers by subject is no longer one
 * tenant, so (a) it holds more than max-concurrent-calls-per-tenant of a route, and (b) it fills the route with tenants
 * that each hold one caller's share, which leaves TenantReserve no "borrowed" room: another workload is refused outright.
 * Before bd56622c the same calls were one tenant "spiffe:W": capped at maxPerTenant and the reserve let workload V in.
 *
 * <p>Input: route maxCalls 4, maxPerCaller 1, maxPerTenant 2. Workload spiffe://example.org/app calls with bearer tokens
 * of subjects u1..u4 (client "app"); then workload spiffe://example.org/other (no token) calls once.
 */
class WorkloadTenantShareReviewALTest {

    private static final String ISSUER = "https://as.example";
    private static final String APP = "spiffe://example.org/app";
    private static final String OTHER = "spiffe://example.org/other";
    private static final ConcurrencyLimits LIMITS = new ConcurrencyLimits(4, 1, 2);

    private static Identity user(String spiffe, String subject) {
        return new Identity(spiffe, null, null, null, subject, null, null, List.of(),
                Map.of(CallerKey.OAUTH_ISSUER, ISSUER, "client_id", "app", "oauth_sub", subject));
    }

    private static ConcurrentCalls.Admission admit(ConcurrentCalls calls, Identity who) {
        return calls.admit("r", CallerKey.of(who), TenantKey.of(who), LIMITS);
    }

    @Test
    void oneWorkloadStaysWithinMaxPerTenantWhateverItsUsers() {
        ConcurrentCalls calls = new ConcurrentCalls();
        int admitted = 0;
        for (String u : List.of("u1", "u2", "u3", "u4")) {
            if (admit(calls, user(APP, u)) instanceof ConcurrentCalls.Admitted) {
                admitted++;
            }
        }
        assertThat(admitted).as("calls in flight of workload %s on one route (max-concurrent-calls-per-tenant 2); tenants: %s",
                APP, List.of(TenantKey.of(user(APP, "u1")), TenantKey.of(user(APP, "u2")))).isLessThanOrEqualTo(2);
    }

    @Test
    void anotherWorkloadStillGetsTheReserveWhenOneWorkloadSpreadOverManyUsers() {
        ConcurrentCalls calls = new ConcurrentCalls();
        ConcurrencyLimits noTenantCap = new ConcurrencyLimits(4, 1, 4);
        for (String u : List.of("u1", "u2", "u3", "u4")) {
            Identity who = user(APP, u);
            calls.admit("r", CallerKey.of(who), TenantKey.of(who), noTenantCap);
        }
        Identity other = new Identity(OTHER, null, null, null, null, null, null, List.of(), Map.of());
        assertThat(calls.admit("r", CallerKey.of(other), TenantKey.of(other), noTenantCap))
                .as("workload %s after workload %s took the route with 4 OAuth users (TenantReserve)", OTHER, APP)
                .isInstanceOf(ConcurrentCalls.Admitted.class);
    }

    /** Control: the same four callers as one tenant (what TenantKey said before bd56622c) leave the reserve to the other. */
    @Test
    void controlTheReserveWorksWhenTheWorkloadIsOneTenant() {
        ConcurrentCalls calls = new ConcurrentCalls();
        ConcurrencyLimits noTenantCap = new ConcurrencyLimits(4, 1, 4);
        for (String u : List.of("u1", "u2", "u3", "u4")) {
            calls.admit("r", CallerKey.of(user(APP, u)), "spiffe:" + APP, noTenantCap);
        }
        assertThat(calls.admit("r", "spiffe:" + OTHER, "spiffe:" + OTHER, noTenantCap)).isInstanceOf(ConcurrentCalls.Admitted.class);
    }
}
