package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.gateway.pipeline.SessionRequestIds;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review AI (fixI1, review AG #1): abandoned request ids are held 15 minutes (the TypeScript SDK still runs the call and
 * sends its late result to whichever POST carries the id next), at most 100,000 in all, and now at most 10,000 per caller
 * "so one caller abandoning calls in a loop cannot push everyone else's holds out". The caller is {@code CallerKey}, which
 * holds the sub-user: the very key review AG #3 showed one tenant multiplies at will (its agent acting as many users). So
 * one tenant with eleven sub-users (each abandoning one batch of 10,000 requests: SessionRequestIdStage holds every id of
 * an abandoned batch) pushes every other tenant's held ids out through the global cap at once. The victim's id is then
 * free in its session while its upstream still runs the call: its late result is decided as of whatever tool the id
 * names next (or as of an unknown tool), which is what the hold is for.
 *
 * <p>Drives the gateway's own {@code SessionRequestIds} with the calls {@code SessionRequestIdStage} makes (claim with the
 * caller's {@code CallerKey}, then abandon when the client went away).
 *
 * <p>Worse, the share does not protect anyone even from ONE caller: an id its share gives back early stays in the global
 * deque (marked, "skipped when it comes out") and still counts against {@code MAX_ABANDONED}, so one caller abandoning
 * 100,001 ids (eleven batches) gives back every other caller's held id at once.
 */
class AbandonedIdShareBySubUserReviewAITest {

    private static final String ROUTE = "tools";
    private static final int PER_CALLER = 10_000;
    private static final int GLOBAL = 100_000;

    @Test
    void oneTenantsSubUsersPushEveryOtherTenantsHeldIdsOut() {
        SessionRequestIds ids = new SessionRequestIds();
        String acme = CallerKey.of(axid("acme", "user-1"));
        abandon(ids, "acme-session", acme, List.of(TextNode.valueOf("acme-call-7")), "transfer");

        int subUsers = GLOBAL / PER_CALLER + 1;
        for (int u = 0; u < subUsers; u++) {
            String evil = CallerKey.of(axid("evil", "user-" + u));
            abandon(ids, "evil-session-" + u, evil, batch(u), "noop");
        }

        String tool = ids.pendingTool(ROUTE, "acme-session", TextNode.valueOf("acme-call-7"));
        SessionRequestIds.Claim again = ids.claim(ROUTE, "acme-session", acme, List.of(TextNode.valueOf("acme-call-7")), List.of("read_file"));
        assertThat(again)
                .as("acme's abandoned id, seconds after it was abandoned, after ONE tenant (evil) abandoned %d ids as %d sub-users of %d each"
                        + " (acme's pending tool now %s)", subUsers * PER_CALLER, subUsers, PER_CALLER, tool)
                .isInstanceOf(SessionRequestIds.InFlight.class);
    }

    @Test
    void oneCallerAloneStillPushesEveryOtherCallersHeldIdsOut() {
        // The share marks the caller's oldest given back but leaves it in the global deque, which still counts it against
        // MAX_ABANDONED: past 100,000 of ONE caller's ids, the global cap gives back everyone else's oldest first.
        SessionRequestIds ids = new SessionRequestIds();
        String acme = CallerKey.of(axid("acme", "user-1"));
        abandon(ids, "acme-session", acme, List.of(TextNode.valueOf("acme-call-7")), "transfer");
        String evil = CallerKey.of(axid("evil", "user-0"));
        int batches = GLOBAL / PER_CALLER + 1;
        for (int b = 0; b < batches; b++) {
            abandon(ids, "evil-session", evil, batch(b), "noop");
        }
        String tool = ids.pendingTool(ROUTE, "acme-session", TextNode.valueOf("acme-call-7"));
        assertThat(ids.claim(ROUTE, "acme-session", acme, List.of(TextNode.valueOf("acme-call-7")), List.of("read_file")))
                .as("acme's abandoned id after ONE caller (evil, share %d) abandoned %d batches of %d ids (acme's pending tool now %s)",
                        PER_CALLER, batches, PER_CALLER, tool)
                .isInstanceOf(SessionRequestIds.InFlight.class);
    }

    @Test
    void control_acmesIdStaysHeldWhileTheDequeIsBelowItsBound() {
        SessionRequestIds ids = new SessionRequestIds();
        String acme = CallerKey.of(axid("acme", "user-1"));
        abandon(ids, "acme-session", acme, List.of(TextNode.valueOf("acme-call-7")), "transfer");
        String evil = CallerKey.of(axid("evil", "user-0"));
        for (int b = 0; b < 5; b++) {
            abandon(ids, "evil-session", evil, batch(b), "noop");
        }
        assertThat(ids.pendingTool(ROUTE, "acme-session", TextNode.valueOf("acme-call-7"))).isEqualTo("transfer");
        assertThat(ids.claim(ROUTE, "acme-session", acme, List.of(TextNode.valueOf("acme-call-7")), List.of("read_file")))
                .isInstanceOf(SessionRequestIds.InFlight.class);
    }

    private static List<JsonNode> batch(int b) {
        List<JsonNode> batch = new ArrayList<>(PER_CALLER);
        for (int i = 0; i < PER_CALLER; i++) {
            batch.add(TextNode.valueOf(b + "-" + i));
        }
        return batch;
    }

    private static void abandon(SessionRequestIds ids, String session, String caller, List<JsonNode> batch, String tool) {
        SessionRequestIds.Claim claim = ids.claim(ROUTE, session, caller, batch, Collections.nCopies(batch.size(), tool));
        assertThat(claim).isInstanceOf(SessionRequestIds.Taken.class);
        ((SessionRequestIds.Taken) claim).abandon().run();
    }

    private static Identity axid(String tenant, String subUser) {
        return new Identity(null, tenant, "bot", "run-1", subUser, null, null, List.of(), Map.of());
    }
}
