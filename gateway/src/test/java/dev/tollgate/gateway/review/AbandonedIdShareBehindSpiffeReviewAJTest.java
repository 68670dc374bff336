package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.gateway.pipeline.SessionRequestIds;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.TenantKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review AJ (fixK2, review AI #3): abandoned request ids are now held per {@code TenantKey} share, the largest share giving
 * back first. {@code TenantKey} is the SPIFFE ID before the OAuth subject, so every OAuth user behind one SPIFFE workload
 * (a hosted agent platform connecting with mTLS, each user signing in with OAuth) is one share: one user abandoning
 * {@code MAX_ABANDONED_PER_CALLER} (10,000) ids, one batch, gives back every other user's held ids at once. The victim's id
 * is then free in her session while her upstream still runs the call (the TypeScript SDK sends its late result to the
 * next POST carrying the id), which is what the hold is for (review AG #1, review AI #3).
 *
 * <p>Drives the gateway's own {@code SessionRequestIds} with the calls {@code SessionRequestIdStage} makes (claim with
 * {@code TenantKey.ofHolder(identity)}, then abandon when the client went away). [Fixture updated with the fix: the stage
 * passed TenantKey.of when the review was written and passes TenantKey.ofHolder now (capacity and holdings shares were
 * split after review AL); the assertions are unchanged.]
 */
class AbandonedIdShareBehindSpiffeReviewAJTest {

    private static final String ROUTE = "tools";
    private static final int PER_SHARE = 10_000;
    private static final String WORKLOAD = "spiffe://corp.example/agent-platform";

    @Test
    void oneOAuthUserBehindASpiffeWorkloadGivesBackEveryOtherUsersHeldIds() {
        SessionRequestIds ids = new SessionRequestIds();
        Identity alice = oauthUserBehind(WORKLOAD, "alice");
        Identity mallory = oauthUserBehind(WORKLOAD, "mallory");
        abandon(ids, "alice-session", TenantKey.ofHolder(alice), List.of(TextNode.valueOf("alice-call-7")), "transfer");
        abandon(ids, "mallory-session", TenantKey.ofHolder(mallory), batch(PER_SHARE), "noop");

        String tool = ids.pendingTool(ROUTE, "alice-session", TextNode.valueOf("alice-call-7"));
        SessionRequestIds.Claim again = ids.claim(ROUTE, "alice-session", TenantKey.ofHolder(alice),
                List.of(TextNode.valueOf("alice-call-7")), List.of("read_file"));
        assertThat(again)
                .as("alice's abandoned id, seconds after she abandoned it, after ANOTHER OAuth user (mallory, CallerKey %s vs %s)"
                        + " of the same SPIFFE workload abandoned one batch of %d ids (alice's pending tool now %s; share %s / %s)",
                        CallerKey.of(mallory), CallerKey.of(alice), PER_SHARE, tool, TenantKey.ofHolder(mallory), TenantKey.ofHolder(alice))
                .isInstanceOf(SessionRequestIds.InFlight.class);
    }

    @Test
    void control_oauthUsersWithoutAWorkloadKeepTheirHolds() {
        SessionRequestIds ids = new SessionRequestIds();
        Identity alice = oauthUserBehind(null, "alice");
        Identity mallory = oauthUserBehind(null, "mallory");
        abandon(ids, "alice-session", TenantKey.ofHolder(alice), List.of(TextNode.valueOf("alice-call-7")), "transfer");
        abandon(ids, "mallory-session", TenantKey.ofHolder(mallory), batch(PER_SHARE), "noop");
        assertThat(ids.pendingTool(ROUTE, "alice-session", TextNode.valueOf("alice-call-7"))).isEqualTo("transfer");
    }

    private static List<JsonNode> batch(int size) {
        List<JsonNode> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(TextNode.valueOf("m-" + i));
        }
        return batch;
    }

    private static void abandon(SessionRequestIds ids, String session, String share, List<JsonNode> batch, String tool) {
        SessionRequestIds.Claim claim = ids.claim(ROUTE, session, share, batch, Collections.nCopies(batch.size(), tool));
        assertThat(claim).isInstanceOf(SessionRequestIds.Taken.class);
        ((SessionRequestIds.Taken) claim).abandon().run();
    }

    /** The identity the SPIFFE and OAuth stages build for a user's token on a workload's connection (no AXID). */
    private static Identity oauthUserBehind(String spiffeId, String subject) {
        Map<String, Object> claims = new HashMap<>();
        claims.put(CallerKey.OAUTH_ISSUER, "https://login.example.com/as");
        claims.put("oauth_sub", subject);
        claims.put("client_id", "agent-platform");
        return new Identity(spiffeId, null, null, null, subject, null, null, List.of(), claims);
    }
}
