package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.pipeline.TaskOrigins;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.gateway.tasks.BindingShares;
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
 * Review AI (fixI3, review AG #5): the task/context table is now bounded per "tenant" ({@code BindingShares}), a full
 * share refusing its owner's new tasks and conversations for {@code tasks.retention} (a day). But the share an OAuth
 * caller counts in is its OAuth CLIENT ({@code oauth:<iss>/<client>}), not its principal: every user of one MCP client
 * application (one public client id used by everybody, a Client ID Metadata Document URL, one DCR registration shipped
 * in the app) is one share, and a token with no {@code client_id}/{@code azp} (Entra v1 tokens carry {@code appid}) puts
 * every user of the issuer in the one share {@code oauth:<iss>/-}. The fix's own {@code TenantKey} (concurrency slots,
 * rate-limit buckets) counts the same callers per SUBJECT ("the principal the token names"). So one ordinary user fills
 * the share and every other user of that client is refused every new task and conversation, {@code task_bindings_full},
 * for a day, while concurrency and rate limits treat them as strangers.
 *
 * <p>Drives the gateway's own {@code TaskOrigins} with the calls {@code TaskBindingClaimStage} makes
 * ({@code learnContext} on a message naming a fresh context, {@code roomForTask}/{@code roomForContext} before forwarding),
 * the owners built by {@code CallerKey.of} from the identity {@code OAuthStage} builds (claims oauth_iss, client_id,
 * oauth_sub; the sub-user is the OAuth subject).
 */
class TaskBindingShareOfOAuthClientReviewAITest {

    private static final TaskScope ROUTE = TaskScope.named("agent");
    private static final String ISSUER = "https://login.example.com/as";
    /** A small tasks.max-bindings-per-tenant, so the share fills in a few calls (default 20,000). */
    private static final int SHARE = 3;

    @Test
    void oneUserOfASharedOAuthClientFillsTheShareOfEveryOtherUserOfThatClient() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        String mallory = CallerKey.of(oauthUser("mallory", "mcp-desktop-app"));
        String alice = CallerKey.of(oauthUser("alice", "mcp-desktop-app"));
        for (int i = 0; i < SHARE; i++) {
            assertThat(learnContext(origins, "mallory-" + i, mallory)).as("mallory's own conversation %d", i).isTrue();
        }

        boolean aliceRoomForContext = room(origins, "roomForContext", alice);
        boolean aliceRoomForTask = room(origins, "roomForTask", alice);
        boolean aliceBound = learnContext(origins, "alice-first-conversation", alice);
        assertThat(aliceBound && aliceRoomForContext)
                .as("alice's FIRST conversation after another user (mallory) of the same OAuth client started %d: room for a context %s,"
                        + " room for a task %s, bound %s (owners %s / %s; TenantKey %s / %s: the concurrency and rate limits count them apart)",
                        SHARE, aliceRoomForContext, aliceRoomForTask, aliceBound, mallory, alice,
                        TenantKey.of(oauthUser("mallory", "mcp-desktop-app")), TenantKey.of(oauthUser("alice", "mcp-desktop-app")))
                .isTrue();
    }

    @Test
    void usersOfTokensWithoutAClientIdAllShareOneShareOfTheIssuer() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        String mallory = CallerKey.of(oauthUser("mallory", null));
        String alice = CallerKey.of(oauthUser("alice", null));
        for (int i = 0; i < SHARE; i++) {
            assertThat(learnContext(origins, "mallory-" + i, mallory)).isTrue();
        }
        boolean aliceBound = learnContext(origins, "alice-first-conversation", alice);
        assertThat(aliceBound)
                .as("alice's FIRST conversation after mallory (same issuer, tokens without client_id/azp, as Entra v1's) started %d:"
                        + " bound %s (owners %s / %s)", SHARE, aliceBound, mallory, alice)
                .isTrue();
    }

    @Test
    void aTenantlessAxidHasAShareForEachSubUserWhileTenantKeyCountsItsAgent() {
        // identity.axid.required-claims without tenant: TenantKey is the agent ("agent:planner"); the binding share is the
        // whole CallerKey, sub-user included, so one agent acting as N users holds N shares (the table has no size bound).
        BindingShares shares = new BindingShares(2);
        int taken = 0;
        for (int user = 0; user < 10; user++) {
            Identity who = new Identity(null, null, "planner", "run-1", "user-" + user, null, null, List.of(), Map.of());
            if (shares.take(CallerKey.of(who))) {
                taken++;
            }
            if (shares.take(CallerKey.of(who))) {
                taken++;
            }
        }
        assertThat(taken)
                .as("bindings ONE tenantless agent (TenantKey %s) got past a share of 2 by acting as 10 sub-users",
                        TenantKey.of(new Identity(null, null, "planner", "run-1", "user-0", null, null, List.of(), Map.of())))
                .isLessThanOrEqualTo(2);
    }

    @Test
    void control_axidTenantsHaveSharesOfTheirOwn() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24), SHARE);
        String evil = CallerKey.of(new Identity(null, "evil", "bot", "r", "u", null, null, List.of(), Map.of()));
        String acme = CallerKey.of(new Identity(null, "acme", "bot", "r", "u", null, null, List.of(), Map.of()));
        for (int i = 0; i < SHARE; i++) {
            assertThat(learnContext(origins, "evil-" + i, evil)).isTrue();
        }
        assertThat(learnContext(origins, "evil-more", evil)).as("evil's share is full").isFalse();
        assertThat(learnContext(origins, "acme-first", acme)).as("acme's share is its own").isTrue();
    }

    /** The identity OAuthStage builds for a token of ISSUER (no AXID): the subject is the sub-user too. */
    private static Identity oauthUser(String subject, String client) {
        Map<String, Object> claims = new HashMap<>();
        claims.put(CallerKey.OAUTH_ISSUER, ISSUER);
        claims.put("oauth_sub", subject);
        if (client != null) {
            claims.put("client_id", client);
        }
        return new Identity(null, null, null, null, subject, null, null, List.of(), claims);
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
