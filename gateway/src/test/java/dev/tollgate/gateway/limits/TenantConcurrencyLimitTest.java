package dev.tollgate.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.ConcurrencyLimits;
import org.junit.jupiter.api.Test;

/** {@link ConcurrentCalls} per tenant (review AG): a tenant's ceiling, and the reserve at the route's limit. */
class TenantConcurrencyLimitTest {

    private final ConcurrentCalls calls = new ConcurrentCalls();

    @Test
    void aTenantIsHeldToItsCeilingWhateverItsCallersAndSlotsComeBack() {
        ConcurrencyLimits limits = new ConcurrencyLimits(10, 1, 2);
        var first = (ConcurrentCalls.Admitted) calls.admit("r", "evil/u1", "tenant:evil", limits);
        assertThat(calls.admit("r", "evil/u2", "tenant:evil", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);

        assertThat(calls.admit("r", "evil/u3", "tenant:evil", limits)).isEqualTo(new ConcurrentCalls.TenantFull(2));
        assertThat(calls.admit("r", "acme/u1", "tenant:acme", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.admit("other-route", "evil/u3", "tenant:evil", limits)).as("per route").isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.inFlight("r")).as("the refused call holds nothing").isEqualTo(3);

        first.release();
        assertThat(calls.admit("r", "evil/u3", "tenant:evil", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
    }

    @Test
    void aRouteOneTenantFilledThroughManyCallersStillAdmitsAnotherTenantFromTheReserve() {
        ConcurrencyLimits limits = new ConcurrencyLimits(8, 2);
        for (int user = 1; user <= 4; user++) {
            for (int call = 0; call < 2; call++) {
                assertThat(calls.admit("r", "evil/u" + user, "tenant:evil", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
            }
        }
        assertThat(calls.admit("r", "evil/u5", "tenant:evil", limits)).as("the tenant that filled the route")
                .isEqualTo(new ConcurrentCalls.RouteFull(8));

        assertThat(calls.admit("r", "acme/u1", "tenant:acme", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.admit("r", "beta/u1", "tenant:beta", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.admit("r", "gamma/u1", "tenant:gamma", limits)).as("the reserve (a quarter of the route) is taken")
                .isEqualTo(new ConcurrentCalls.RouteFull(8));
        assertThat(calls.inFlight("r")).isEqualTo(10);
    }

    @Test
    void aRouteSharedByTenantsWithinOneCallersLimitHasNoReserve() {
        ConcurrencyLimits limits = new ConcurrencyLimits(2, 1);
        assertThat(calls.admit("r", "a", "tenant:a", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.admit("r", "b", "tenant:b", limits)).isInstanceOf(ConcurrentCalls.Admitted.class);
        assertThat(calls.admit("r", "c", "tenant:c", limits)).isEqualTo(new ConcurrentCalls.RouteFull(2));
    }

    @Test
    void runningTasksCountForTheirTenantsCeiling() {
        ConcurrencyLimits limits = new ConcurrencyLimits(10, 5, 2);
        calls.runningTasks().started("s", "t1", () -> calls.holdTask("r", "evil/u1", "tenant:evil"));
        calls.runningTasks().started("s", "t2", () -> calls.holdTask("r", "evil/u2", "tenant:evil"));
        var call = (ConcurrentCalls.Admitted) calls.admit("r", "evil/u3", "tenant:evil", limits);

        assertThat(calls.admitBesideTasks("r", "evil/u3", "tenant:evil", limits)).isEqualTo(new ConcurrentCalls.TenantFull(2));
        call.release();
        var acme = (ConcurrentCalls.Admitted) calls.admit("r", "acme/u1", "tenant:acme", limits);
        assertThat(calls.admitBesideTasks("r", "acme/u1", "tenant:acme", limits)).isNull();
        acme.release();
        assertThat(calls.tenantsInFlight()).as("a tenant's entry goes with its last call").isZero();
    }
}
