package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.pipeline.TaskOrigins;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.TenantKey;
import io.vertx.core.Future;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review AJ (fixK1, review AI #1/#2): the task/context binding share is now {@code TenantKey.ofCaller(CallerKey)}, read
 * back from the owner's CallerKey. Two holes:
 *
 * <ol>
 *   <li>{@code ofCaller} disagrees with {@code TenantKey.of} for a tenantless AXID on a SPIFFE workload (the javadoc says
 *   so): CallerKey keeps the AXID agent, not the workload, so the share is {@code agent:<slug>}, one share for EVERY
 *   workload whose agent has that slug, while the concurrency and rate-limit shares ({@code TenantKey.of}) are one per
 *   workload. Workload A's agent "planner" fills the share and workload B's "planner" is refused its first task; and one
 *   workload holds one share per agent slug it has AXIDs for.</li>
 *   <li>An OAuth user behind a SPIFFE workload (a hosted agent platform with mTLS, each user signing in with OAuth) counts
 *   in the WORKLOAD's share ({@code spiffe:...}), not the subject's: review AI #1 (one user of a shared MCP client app
 *   locks every other user out of tasks and conversations for a day) is back whenever the client app has a SPIFFE ID.
 *   CallerKey keeps the users apart (review V), the share lumps them.</li>
 * </ol>
 *
 * <p>Drives the gateway's own {@code TaskOrigins} as review AI's test does ({@code learnContext}, {@code roomForContext}),
 * with owners built by {@code CallerKey.of} from the identities the SPIFFE, AXID and OAuth stages build.
 */
class TaskBindingShareTenantKeyReviewAJTest {

    private static final TaskScope ROUTE = TaskScope.named("agent");
    private static final String ISSUER = "https://login.example.com/as";
    /** A small tasks.max-bindings-per-tenant, so the share fills in a few calls (default 20,000). */
    private static final int SHARE = 3;

    @Test
    void tenantlessAxidAgentsOfTwoSpiffeWorkloadsShareOneBindingShare() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        Identity teamA = new Identity("spiffe://corp.example/team-a/runner", null, "planner", "run-1", null, null, null, List.of(), Map.of());
        Identity teamB = new Identity("spiffe://corp.example/team-b/runner", null, "planner", "run-7", null, null, null, List.of(), Map.of());
        String ownerA = CallerKey.of(teamA);
        String ownerB = CallerKey.of(teamB);
        for (int i = 0; i < SHARE; i++) {
            assertThat(learnContext(origins, "team-a-" + i, ownerA)).as("team A's own conversation %d", i).isTrue();
        }
        boolean roomForB = room(origins, "roomForContext", ownerB);
        boolean boundB = learnContext(origins, "team-b-first", ownerB);
        assertThat(roomForB && boundB)
                .as("team B's FIRST conversation after ANOTHER workload (team A) filled a share of %d: room for a context %s, bound %s"
                        + " (owners %s / %s; binding share TenantKey.ofCaller %s / %s; TenantKey.of, which the concurrency and rate"
                        + " limits use: %s / %s)", SHARE, roomForB, boundB, ownerA, ownerB, TenantKey.ofCaller(ownerA),
                        TenantKey.ofCaller(ownerB), TenantKey.of(teamA), TenantKey.of(teamB))
                .isTrue();
    }

    @Test
    void oneSpiffeWorkloadHoldsOneBindingShareForEachAgentSlug() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        int bound = 0;
        for (int agent = 0; agent < 10; agent++) {
            Identity who = new Identity("spiffe://corp.example/team-a/runner", null, "agent-" + agent, "run", null, null, null,
                    List.of(), Map.of());
            for (int i = 0; i < SHARE; i++) {
                if (learnContext(origins, "a" + agent + "-" + i, CallerKey.of(who))) {
                    bound++;
                }
            }
        }
        assertThat(bound)
                .as("bindings ONE SPIFFE workload (TenantKey.of %s) got past a share of %d with tenantless AXIDs of 10 agent slugs",
                        TenantKey.of(new Identity("spiffe://corp.example/team-a/runner", null, "agent-0", "run", null, null, null,
                                List.of(), Map.of())), SHARE)
                .isLessThanOrEqualTo(SHARE);
    }

    @Test
    void oneOAuthUserBehindASharedSpiffeWorkloadFillsEveryOtherUsersShare() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        String workload = "spiffe://corp.example/agent-platform";
        String mallory = CallerKey.of(oauthUserBehind(workload, "mallory"));
        String alice = CallerKey.of(oauthUserBehind(workload, "alice"));
        assertThat(mallory).as("CallerKey keeps the two users apart (review V)").isNotEqualTo(alice);
        for (int i = 0; i < SHARE; i++) {
            assertThat(learnContext(origins, "mallory-" + i, mallory)).as("mallory's own conversation %d", i).isTrue();
        }
        boolean aliceRoom = room(origins, "roomForContext", alice);
        boolean aliceBound = learnContext(origins, "alice-first", alice);
        assertThat(aliceRoom && aliceBound)
                .as("alice's FIRST conversation after another OAuth user (mallory) of the same SPIFFE workload filled a share"
                        + " of %d: room for a context %s, bound %s (owners %s / %s; share %s / %s)", SHARE, aliceRoom, aliceBound, mallory, alice,
                        TenantKey.ofCaller(mallory), TenantKey.ofCaller(alice))
                .isTrue();
    }

    @Test
    void control_oauthUsersWithoutAWorkloadHaveSharesOfTheirOwn() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        String mallory = CallerKey.of(oauthUserBehind(null, "mallory"));
        String alice = CallerKey.of(oauthUserBehind(null, "alice"));
        for (int i = 0; i < SHARE; i++) {
            assertThat(learnContext(origins, "mallory-" + i, mallory)).isTrue();
        }
        assertThat(learnContext(origins, "mallory-more", mallory)).as("mallory's share is full").isFalse();
        assertThat(learnContext(origins, "alice-first", alice)).as("alice's share is her own").isTrue();
    }

    /** The identity the SPIFFE and OAuth stages build for a user's token on a workload's connection (no AXID). */
    private static Identity oauthUserBehind(String spiffeId, String subject) {
        Map<String, Object> claims = new HashMap<>();
        claims.put(CallerKey.OAUTH_ISSUER, ISSUER);
        claims.put("oauth_sub", subject);
        claims.put("client_id", "agent-platform");
        return new Identity(spiffeId, null, null, null, subject, null, null, List.of(), claims);
    }

    private static boolean learnContext(TaskOrigins origins, String context, String owner) throws Exception {
        Method m = TaskOrigins.class.getDeclaredMethod("learnContext", TaskScope.class, String.class, String.class);
        m.setAccessible(true);
        @SuppressWarnings("unchecked")
        Future<Boolean> done = (Future<Boolean>) m.invoke(origins, ROUTE, context, owner);
        assertThat(done.succeeded()).as("learnContext completes at once with the memory store").isTrue();
        return done.result();
    }

    private static boolean room(TaskOrigins origins, String method, String owner) throws Exception {
        Method m = TaskOrigins.class.getDeclaredMethod(method, String.class);
        m.setAccessible(true);
        return (Boolean) m.invoke(origins, owner);
    }
}
