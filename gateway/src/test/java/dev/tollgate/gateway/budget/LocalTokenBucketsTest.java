package dev.tollgate.gateway.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalTokenBucketsTest {

    private static final double ONE_A_DAY = 1.0 / Duration.ofDays(1).toSeconds();

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    /** Maintenance and removal notices on the calling thread, so a test sees an owner's count drop at once. */
    private LocalTokenBuckets buckets(long maxBuckets, int maxPerOwner) {
        return new LocalTokenBuckets(now::get, maxBuckets, maxPerOwner, Runnable::run);
    }

    private static boolean taken(Future<Boolean> take) {
        assertThat(take.succeeded()).as("take answered").isTrue();
        return take.result();
    }

    @Test
    void aSlowBucketKeepsItsStateUntilItHasRefilled() {
        // AGT's max calls per run: burst N, one call back a day. It used to be forgotten after an hour unused.
        LocalTokenBuckets buckets = buckets(100, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(taken(buckets.tryTake("cap", "cap|run-1", ONE_A_DAY, 3))).isTrue();
        }
        assertThat(taken(buckets.tryTake("cap", "cap|run-1", ONE_A_DAY, 3))).isFalse();

        advance(Duration.ofHours(2));
        assertThat(taken(buckets.tryTake("cap", "cap|run-1", ONE_A_DAY, 3))).as("two hours later").isFalse();
        advance(Duration.ofHours(20));
        assertThat(taken(buckets.tryTake("cap", "cap|run-1", ONE_A_DAY, 3))).as("22 hours later").isFalse();
        advance(Duration.ofHours(3));
        assertThat(taken(buckets.tryTake("cap", "cap|run-1", ONE_A_DAY, 3))).as("a day's refill: one call").isTrue();
        assertThat(taken(buckets.tryTake("cap", "cap|run-1", ONE_A_DAY, 3))).isFalse();
    }

    @Test
    void aBucketIsForgottenOnceItIsFullAgain() {
        LocalTokenBuckets buckets = buckets(100, 100);
        assertThat(taken(buckets.tryTake("r", "r|a", 10, 5))).isTrue();
        assertThat(buckets.size()).isEqualTo(1);

        advance(Duration.ofMillis(50));
        assertThat(buckets.size()).as("half a token short of full").isEqualTo(1);
        advance(Duration.ofMillis(60));
        assertThat(buckets.size()).as("full again: nothing to remember").isZero();
    }

    @Test
    void aFullTableRefusesNewKeysRatherThanForgetABucketStillRefilling() {
        LocalTokenBuckets buckets = buckets(2, 100);
        assertThat(taken(buckets.tryTake("r", "r|a", 1, 1))).isTrue();
        assertThat(taken(buckets.tryTake("r", "r|b", 1, 1))).isTrue();

        Future<Boolean> third = buckets.tryTake("r", "r|c", 1, 1);
        assertThat(third.failed()).isTrue();
        assertThat(third.cause()).isInstanceOf(LocalTokenBuckets.TableFull.class).hasMessageContaining("rate-limit table full");
        assertThat(taken(buckets.tryTake("r", "r|a", 1, 1))).as("a's bucket is still empty, not replaced by a full one").isFalse();

        advance(Duration.ofSeconds(2));
        assertThat(buckets.size()).isZero();
        assertThat(taken(buckets.tryTake("r", "r|c", 1, 1))).as("room again once the others refilled").isTrue();
    }

    @Test
    void oneOwnerNamingNewKeysFillsOnlyItsOwnShare() {
        // A rule keyed by tenant and tool: the owner is the rule and the caller (RateLimitCheck#caller); the tool is the caller's to name.
        LocalTokenBuckets buckets = buckets(100, 2);
        assertThat(taken(buckets.tryTake("r|axid:acme/a", "r|acme|t1", 1, 1))).isTrue();
        assertThat(taken(buckets.tryTake("r|axid:acme/a", "r|acme|t2", 1, 1))).isTrue();

        Future<Boolean> third = buckets.tryTake("r|axid:acme/a", "r|acme|t3", 1, 1);
        assertThat(third.failed()).isTrue();
        assertThat(third.cause()).isInstanceOf(LocalTokenBuckets.TableFull.class).hasMessageContaining("r|axid:acme/a")
                .hasMessageContaining("max-buckets-per-owner");
        assertThat(taken(buckets.tryTake("r|axid:beta/a", "r|beta|t1", 1, 1))).as("another tenant is not held up").isTrue();
        assertThat(taken(buckets.tryTake("r|axid:acme/a", "r|acme|t1", 1, 1))).as("acme's own bucket, still empty").isFalse();
        assertThat(buckets.heldBy("r|axid:acme/a")).isEqualTo(2);

        advance(Duration.ofSeconds(2));
        assertThat(buckets.heldBy("r|axid:acme/a")).as("refilled buckets are dropped and stop counting").isZero();
        assertThat(taken(buckets.tryTake("r|axid:acme/a", "r|acme|t3", 1, 1))).isTrue();
        assertThat(buckets.heldBy("r|axid:acme/a")).isEqualTo(1);
    }

    @Test
    void aBucketReplacedAfterItRefilledCountsOnce() {
        LocalTokenBuckets buckets = buckets(100, 1);
        assertThat(taken(buckets.tryTake("r", "r|a", 1, 1))).isTrue();
        advance(Duration.ofSeconds(2));
        // Expired but not yet cleaned up: the take replaces it inside compute.
        assertThat(taken(buckets.tryTake("r", "r|a", 1, 1))).isTrue();
        assertThat(buckets.heldBy("r")).isEqualTo(1);
        assertThat(buckets.size()).isEqualTo(1);
    }

    @Test
    void aChangedRuleRefillsAtItsNewRate() {
        LocalTokenBuckets buckets = buckets(100, 100);
        assertThat(taken(buckets.tryTake("r", "r|a", ONE_A_DAY, 1))).isTrue();
        // A reload made the rule 1 per second: the bucket refills at that rate from now on and is dropped when full.
        advance(Duration.ofSeconds(2));
        assertThat(taken(buckets.tryTake("r", "r|a", 1, 1))).isTrue();
        advance(Duration.ofSeconds(2));
        assertThat(buckets.size()).isZero();
    }

    @Test
    void oneTenantIsHeldToItsShareEveryRuleAndCallerTogether() {
        // Review AG: two sub-users of one tenant, a tool-keyed rule and a run-keyed one: all count for the tenant.
        LocalTokenBuckets buckets = new LocalTokenBuckets(now::get, 100, 10, 3, Runnable::run);
        assertThat(taken(buckets.tryTake("tenant:evil", "r|axid:evil/a/u1", "r|evil|t1", 1, 1))).isTrue();
        assertThat(taken(buckets.tryTake("tenant:evil", "r|axid:evil/a/u2", "r|evil|t2", 1, 1))).isTrue();
        assertThat(taken(buckets.tryTake("tenant:evil", "run|run-1", "run|run-1", 1, 1))).isTrue();

        Future<Boolean> fourth = buckets.tryTake("tenant:evil", "run|run-2", "run|run-2", 1, 1);

        assertThat(fourth.failed()).isTrue();
        assertThat(fourth.cause()).isInstanceOf(LocalTokenBuckets.TableFull.class)
                .hasMessage("rate-limit buckets of tenant:evil full: 3 are still refilling (rate-limits.max-buckets-per-tenant)");
        assertThat(taken(buckets.tryTake("tenant:acme", "run|run-2b", "run|run-2b", 1, 1))).as("another tenant").isTrue();
        assertThat(buckets.heldByTenant("tenant:evil")).isEqualTo(3);

        advance(Duration.ofSeconds(2));
        assertThat(buckets.heldByTenant("tenant:evil")).as("refilled buckets stop counting").isZero();
        assertThat(taken(buckets.tryTake("tenant:evil", "run|run-2", "run|run-2", 1, 1))).isTrue();
    }

    @Test
    void aTableOneTenantFilledThroughManyCallersStillAdmitsAnotherTenantFromTheReserve() {
        // Table 8, one owner's share 2: evil's four sub-users take all 8 (6 beyond one owner's share); the reserve is 2.
        LocalTokenBuckets buckets = buckets(8, 2);
        for (int user = 1; user <= 4; user++) {
            for (int tool = 1; tool <= 2; tool++) {
                assertThat(taken(buckets.tryTake("tenant:evil", "r|u" + user, "r|u" + user + "|t" + tool, 1, 1))).isTrue();
            }
        }
        assertThat(buckets.tryTake("tenant:evil", "r|u5", "r|u5|t1", 1, 1).cause())
                .as("the tenant that filled the table").hasMessageContaining("rate-limit table full");

        assertThat(taken(buckets.tryTake("tenant:acme", "r|acme", "r|acme|t1", 1, 1))).as("acme, from the reserve").isTrue();
        assertThat(taken(buckets.tryTake("tenant:acme", "r|acme", "r|acme|t2", 1, 1))).isTrue();
        assertThat(buckets.heldByTenant("tenant:acme")).as("one owner's share at most").isEqualTo(2);
        assertThat(buckets.tryTake("tenant:acme", "r|acme2", "r|acme2|t1", 1, 1).cause())
                .as("past one owner's share, acme too waits").hasMessageContaining("rate-limit table full");
        assertThat(buckets.tryTake("tenant:beta", "r|beta", "r|beta|t1", 1, 1).cause())
                .as("the reserve (a quarter of the table) is taken").hasMessageContaining("rate-limit table full");
        assertThat(buckets.size()).isEqualTo(10);
    }

    @Test
    void aTableSharedByTenantsWithinOneOwnersShareHasNoReserve() {
        LocalTokenBuckets buckets = buckets(4, 2);
        for (String tenant : List.of("a", "b")) {
            for (int tool = 1; tool <= 2; tool++) {
                assertThat(taken(buckets.tryTake(tenant, tenant + "|t" + tool, 1, 1))).isTrue();
            }
        }
        assertThat(buckets.tryTake("c", "c|t1", 1, 1).cause()).hasMessageContaining("rate-limit table full");
    }
}
