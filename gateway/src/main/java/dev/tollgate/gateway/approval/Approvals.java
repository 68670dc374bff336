package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.protocols.json.WellFormedText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls held until a person decides ({@code approve} rules). A held call costs a map entry, a timer and a future:
 * thousands may wait at once. Each approval ends exactly once: approved or denied through the admin API (on any
 * replica when the store is Redis), timed out by its rule's terms, cancelled when its client goes away, or denied
 * when the gateway stops. Without a shared store the first local ending wins; with one, Redis alone decides which
 * ending was first, on every replica, and the holder applies the ending Redis recorded. Lives for the process, across
 * reloads: a held call keeps waiting through a reload.
 */
public final class Approvals {

    private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Who ends an approval the gateway ends by itself (timeout, cancel, stop). */
    static final String GATEWAY = "tollgate";
    /** An ended approval keeps its arguments as text of at most this many characters, never as a tree. */
    static final int MAX_ENDED_ARGUMENT_CHARS = 2048;
    /** {@code GET /approvals} lists at most this many recently ended approvals (each is still found by id). */
    static final int MAX_RECENT_LISTED = 200;

    /** What {@link #decide} found. */
    public sealed interface Decided permits Done, NotFound, AlreadyEnded, Expired {
    }

    public record Done(ApprovalOutcome outcome) implements Decided {
    }

    public record NotFound() implements Decided {
    }

    public record AlreadyEnded(ApprovalOutcome outcome) implements Decided {
    }

    /** A person's decision after the approval's deadline: refused, its on-timeout applies. */
    public record Expired() implements Decided {
    }

    private final Vertx vertx;
    private final ApprovalWebhook webhook;
    private final SharedApprovals shared;
    /** Approvals whose call a retry let through on this replica, until the state it answered expires (see {@link #releaseOnce}). */
    private final java.util.Map<String, java.time.Instant> released = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_RELEASED_KEPT = 10_000;
    /**
     * The size of {@link #released} at which expired marks are next swept: twice what a sweep left, and never below
     * {@link #MAX_RELEASED_KEPT}, so that a map of live marks (a tool asking round after round) is scanned once per
     * doubling, not on every release (review BZ: past 10,000 live marks every release scanned them all).
     */
    private final java.util.concurrent.atomic.AtomicInteger sweepAt = new java.util.concurrent.atomic.AtomicInteger(MAX_RELEASED_KEPT);
    /**
     * This instance, which lives as long as its process: a round of an approved call names the instance that sealed it,
     * and without a shared store only this one's marks say whether it was let through already ({@link #keepsMarksOf}).
     */
    private final String instance = newInstanceId();
    private volatile String adminUrl;
    private final int historySize;
    private final Map<String, PendingApproval> held = new ConcurrentHashMap<>();
    private final Deque<PendingApproval> history = new ArrayDeque<>();
    private final Map<ApprovalOutcome.Verdict, Counter> ended = new EnumMap<>(ApprovalOutcome.Verdict.class);
    private final Counter webhookFailures;

    /**
     * @param adminUrl the admin port as approvers reach it (links in the webhook)
     * @param shared   the Redis store when approvals are shared by replicas; null for this replica only
     */
    public Approvals(Vertx vertx, ApprovalsConfig config, String adminUrl, SharedApprovals shared, MeterRegistry meters) {
        this.vertx = vertx;
        this.webhook = config.webhook() == null ? null : new ApprovalWebhook(vertx, config.webhook());
        this.shared = shared;
        this.adminUrl = adminUrl;
        this.historySize = config.history();
        Gauge.builder("tollgate.approvals.pending", held, Map::size).description("Calls held right now for a person's approval").register(meters);
        for (ApprovalOutcome.Verdict verdict : ApprovalOutcome.Verdict.values()) {
            ended.put(verdict, Counter.builder("tollgate.approvals").description("Approvals ended, by outcome")
                    .tag("outcome", verdict.label()).register(meters));
        }
        webhookFailures = Counter.builder("tollgate.approvals.webhook.failures").description("Approval webhooks the approver did not accept")
                .register(meters);
        if (shared != null) {
            shared.listen(this::decidedElsewhere);
        }
    }

    /** The approvals of this configuration: shared through Redis when {@code approvals.store} is redis. */
    public static Approvals create(Vertx vertx, dev.tollgate.gateway.config.GatewayConfig config, MeterRegistry meters) {
        ApprovalsConfig approvals = config.approvals();
        SharedApprovals shared = approvals.store() == ApprovalsConfig.Store.REDIS ? RedisApprovals.create(vertx, config.redis()) : null;
        String adminUrl = approvals.adminUrl() != null ? approvals.adminUrl().toString().replaceAll("/+$", "")
                : "http://" + config.admin().host() + ":" + config.admin().port();
        return new Approvals(vertx, approvals, adminUrl, shared, meters);
    }

    /** The admin port as approvers reach it, once bound (port 0 resolves at start). */
    public void adminUrl(String url) {
        this.adminUrl = url;
    }

    /**
     * Who a client question is put to: the caller (see {@code CallerKey}; null when anonymous) in one MCP session.
     *
     * @throws IllegalArgumentException for a caller key holding an unpaired surrogate, which Redis would store as another's
     */
    public static String asker(String callerKey, String session) {
        return WellFormedText.checked(callerKey, "the caller") + "\n" + (session == null ? "" : session);
    }

    /** Holds a call nobody is asked about in its client. */
    public PendingApproval hold(ApprovalRequest request, ApprovalTerms terms) {
        return hold(request, terms, null);
    }

    /**
     * Holds a call: the returned approval's outcome completes when it is decided, times out, or is cancelled.
     *
     * @param asker who is asked in the client ({@link #asker}), so that any replica can take their answer; null if nobody
     */
    public PendingApproval hold(ApprovalRequest request, ApprovalTerms terms, String asker) {
        return hold(request, terms, asker, java.util.List.of());
    }

    /**
     * As {@link #hold(ApprovalRequest, ApprovalTerms, String)}, the names the log line writes (the method, the tool) read
     * with {@code nameDetectors} (the deciding policy's) and the always-on detectors.
     */
    public PendingApproval hold(ApprovalRequest request, ApprovalTerms terms, String asker,
                                java.util.List<dev.tollgate.policy.detect.Detector> nameDetectors) {
        PendingApproval approval = new PendingApproval(newId(), request, terms, Instant.now(), Vertx.currentContext(), asker);
        held.put(approval.id(), approval);
        if (shared != null) {
            approval.whenShared(shared.held(approval).otherwise(e -> {
                LOG.warn("approval {}: not shared through Redis ({}); its decisions wait for Redis, its timeout ends it", approval.id(), e.toString());
                return null;
            }));
        }
        approval.timerId(vertx.setTimer(terms.timeout().toMillis(), t -> finish(approval, new ApprovalOutcome(
                terms.onTimeout() == Action.ALLOW ? ApprovalOutcome.Verdict.TIMED_OUT_ALLOWED : ApprovalOutcome.Verdict.TIMED_OUT_DENIED,
                GATEWAY, "no decision within " + terms.timeout(), Instant.now()), false)));
        ObjectNode announced = approval.toJson();
        ObjectNode links = announced.putObject("links");
        links.put("decide", adminUrl + "/approvals/" + approval.id());
        links.put("list", adminUrl + "/approvals");
        if (webhook != null) {
            webhook.deliver(announced).onFailure(e -> {
                webhookFailures.increment();
                LOG.warn("approval {}: webhook not delivered ({}); it stays pending at GET /approvals", approval.id(), e.getMessage());
            });
        }
        // The tool's name is the caller's text: logged read with the route policy's detectors and the always-on ones, as
        // every other written name is (review CG; the approver's view, GET /approvals, shows it whole, since a person
        // decides on it).
        LOG.info("approval {}: {} {} on route {} held for {} (rule {})", approval.id(),
                dev.tollgate.gateway.telemetry.WrittenNames.of(request.method(), nameDetectors),
                request.tool() == null ? "" : dev.tollgate.gateway.telemetry.WrittenNames.of(request.tool(), nameDetectors),
                request.route(), terms.timeout(), request.rule());
        return approval;
    }

    /**
     * A person's decision, taken on this replica: for a call held here it ends the approval (with a shared store,
     * only if Redis has recorded no other ending first); for one held on another replica it is recorded in Redis
     * and reaches the holder. Fails with {@link ApprovalNotConfirmed} when Redis does not answer in time: not
     * recorded, or (the read back failing too) outcome unknown.
     */
    public Future<Decided> decide(String id, boolean approve, String by, String reason) {
        ApprovalOutcome outcome = decision(approve, by, reason);
        PendingApproval local = held.get(id);
        if (local != null) {
            return finish(local, outcome, true);
        }
        PendingApproval past = find(id);
        if (past != null) {
            return Future.succeededFuture(new AlreadyEnded(past.ended()));
        }
        if (shared == null) {
            return Future.succeededFuture(new NotFound());
        }
        return shared.decideRemote(id, outcome, null);
    }

    /**
     * Lets the call of an approval through once (a 2026 client's approved retry, right before it is forwarded: see
     * {@code AskClientReleaseStage}): true for the first time, here and, with a shared store, on every replica; false once it went through. The requestState it
     * answers stays valid after the answer (it is sealed, not stored), so without this the same caller could send the
     * approved retry again and again, each forwarded. Fails when the shared store cannot be reached.
     */
    public Future<Boolean> releaseOnce(String id, java.time.Instant until) {
        int size = released.size();
        int due = sweepAt.get();
        if (size >= due && sweepAt.compareAndSet(due, Integer.MAX_VALUE)) {
            // One sweep at a time (the others skip it); the next is due when the map has doubled again.
            java.time.Instant now = java.time.Instant.now();
            released.values().removeIf(expiry -> expiry.isBefore(now));
            sweepAt.set((int) Math.min(Integer.MAX_VALUE, Math.max(MAX_RELEASED_KEPT, 2L * released.size())));
        }
        if (released.putIfAbsent(id, until) != null) {
            return Future.succeededFuture(false);
        }
        if (shared == null) {
            return Future.succeededFuture(true);
        }
        // Not let through here when Redis did not confirm it: kept, the next retry on this replica got 409 and the
        // approved call was lost.
        return shared.releaseOnce(id, java.time.Duration.between(java.time.Instant.now(), until).toMillis())
                .onFailure(e -> released.remove(id, until));
    }

    /**
     * The call a retry was let through for ended without being sent upstream (no connection, no upstream token...):
     * the release is taken back, here and in the shared store, so the approved call is not lost (review AW: sent again,
     * it got 409 "already let its call through"). Or, {@code sent}, the release is kept for good.
     */
    public void releaseEnded(String id, boolean sent) {
        if (sent) {
            if (shared != null) {
                shared.releaseKept(id);
            }
            return;
        }
        released.remove(id);
        if (shared != null) {
            shared.unrelease(id);
        }
    }

    /**
     * A 2026 retry let the approval's call through (its release confirmed): a note that an earlier retry of it was refused
     * is taken back, here and in the shared store, so the listing does not say "not forwarded" for a call that went on.
     */
    public void letThrough(String id) {
        PendingApproval kept = find(id);
        if (kept != null) {
            kept.overruledAsStored(null);
        }
        if (shared != null) {
            shared.letThrough(id).onFailure(e -> LOG.warn("approval {}: a note that an earlier retry was refused remains in Redis ({})",
                    id, e.toString()));
        }
    }

    /** This instance's id, sealed into a round of an approved call relayed here (see {@link #keepsMarksOf}). */
    public String instance() {
        return instance;
    }

    /**
     * Whether {@link #releaseOnce} here knows if a round sealed by that instance was let through already: with a shared
     * store, the marks are in Redis, whichever replica sealed it; without one, only this instance's own marks exist, and a
     * round sealed before a restart, or by another replica sharing {@code sessions.keys}, would be let through again
     * (review BZ): it is refused, as the ask-client retry of an approval not known here is.
     */
    public boolean keepsMarksOf(String sealedBy) {
        return shared != null || instance.equals(sealedBy);
    }

    /**
     * Whether a retry let this approval's call through on this replica, or is doing so ({@link #releaseOnce}): a replay
     * seen here is refused before it is decided again. Another replica's release is found by {@link #releaseOnce} only.
     */
    public boolean releasedHere(String id) {
        return released.containsKey(id);
    }

    /**
     * A client's answer to a question another replica asked (shared store only): taken only when Redis says this
     * {@code asker} was asked, and the approval is still pending and within its deadline; else not found.
     */
    public Future<Decided> answerAskedElsewhere(String id, String asker, boolean approve, String by, String reason) {
        if (shared == null) {
            return Future.succeededFuture(new NotFound());
        }
        return shared.decideRemote(id, decision(approve, by, reason), asker);
    }

    /**
     * Notes on the approval's listing (here, and in Redis for the other replicas' {@code GET /approvals/<id>}) that the
     * call it approved was refused after all, a reload having superseded the approval: its state stays {@code approved}
     * (what the person decided) and {@code superseded} says the call was not forwarded, and why. For an ask-client
     * retry the approval may have been held by an earlier request, here or on another replica.
     */
    public void overruled(PendingApproval approval, ApprovalOverruled note) {
        approval.overruled(note);
        overruled(approval.id(), note);
    }

    /** As {@link #overruled(PendingApproval, ApprovalOverruled)}, for an approval known by its id only (a 2026 retry's). */
    public void overruled(String id, ApprovalOverruled note) {
        if (released.containsKey(id)) {
            return; // a retry let its call through here: a later refused replay does not make it "not forwarded"
        }
        PendingApproval kept = find(id);
        if (kept != null) {
            kept.overruled(note);
        }
        if (shared != null) {
            shared.overruled(id, note).onFailure(e -> LOG.warn("approval {}: its supersession was not recorded in Redis ({}); "
                    + "other replicas list it as approved only", id, e.toString()));
        }
    }

    /** The client of a held call went away. */
    public void cancel(PendingApproval approval) {
        finish(approval, new ApprovalOutcome(ApprovalOutcome.Verdict.CANCELLED, GATEWAY, "the client closed its connection", Instant.now()), false);
    }

    /** Approvals pending (here, or on every replica with the Redis store) and the most recently ended ones held here. */
    public Future<ObjectNode> list() {
        Future<List<ObjectNode>> pending = shared == null
                ? Future.succeededFuture(held.values().stream().map(PendingApproval::toJson).toList())
                : shared.pending();
        List<PendingApproval> recentlyEnded;
        synchronized (history) {
            recentlyEnded = history.stream().limit(MAX_RECENT_LISTED).toList();
        }
        return pending.compose(list -> withOverrulingsFromStore(recentlyEnded).map(v -> {
            ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            list.forEach(out.putArray("pending")::add);
            var recent = out.putArray("recent");
            recentlyEnded.forEach(a -> recent.add(a.toJson()));
            return out;
        }));
    }

    /**
     * Sets on these ended approvals the supersession notes as Redis has them (one noted on another replica, a 2026
     * retry answered there and refused; one taken back by a later retry's release), in one round trip for those
     * approved. Listing as they are here when Redis cannot say: the listing is informational, the call's own record and
     * span say what happened.
     */
    private Future<Void> withOverrulingsFromStore(List<PendingApproval> ended) {
        if (shared == null) {
            return Future.succeededFuture();
        }
        List<PendingApproval> approved = ended.stream().filter(a -> a.ended() != null && a.ended().allows()).toList();
        if (approved.isEmpty()) {
            return Future.succeededFuture();
        }
        // Redis says how each stands now: noted on another replica, or a note taken back by a later release (review AW).
        return shared.overruledAmong(approved.stream().map(PendingApproval::id).toList()).map(found -> {
            approved.forEach(a -> a.overruledAsStored(found.get(a.id())));
            return (Void) null;
        }).otherwiseEmpty();
    }

    /** One approval held or recently ended here; null when unknown. */
    public PendingApproval find(String id) {
        PendingApproval live = held.get(id);
        if (live != null) {
            return live;
        }
        synchronized (history) {
            for (PendingApproval a : history) {
                if (a.id().equals(id)) {
                    return a;
                }
            }
        }
        return null;
    }

    /**
     * One approval as {@code GET /approvals/<id>} shows it: held or recently ended here, else (with a shared store)
     * as Redis has it, whichever replica holds it; null when unknown.
     */
    public Future<ObjectNode> lookup(String id) {
        PendingApproval here = find(id);
        if (here != null) {
            return withOverrulingsFromStore(List.of(here)).map(v -> here.toJson());
        }
        return shared == null ? Future.succeededFuture(null) : shared.read(id);
    }

    public int pendingCount() {
        return held.size();
    }

    /**
     * On stop: every call still held is denied with the reason (unless Redis recorded another ending first), so its
     * client gets an answer before the listeners close; the store closes once those endings are recorded.
     */
    public Future<Void> stop() {
        List<Future<Decided>> endings = new ArrayList<>();
        for (PendingApproval a : new ArrayList<>(held.values())) {
            endings.add(finish(a, new ApprovalOutcome(ApprovalOutcome.Verdict.GATEWAY_STOPPED, GATEWAY,
                    "the gateway stopped while the call was held; send it again", Instant.now()), false));
        }
        return Future.join(endings).transform(done -> {
            List<Future<Void>> closing = new ArrayList<>();
            if (webhook != null) {
                closing.add(webhook.close());
            }
            if (shared != null) {
                closing.add(shared.close());
            }
            return Future.join(closing).mapEmpty();
        });
    }

    private void decidedElsewhere(String id, ApprovalOutcome outcome) {
        PendingApproval approval = held.get(id);
        if (approval != null) {
            settle(approval, outcome); // already recorded in Redis by the replica that decided
        }
    }

    /**
     * Ends an approval held here. Without a shared store the first local ending wins. With one, the ending is
     * recorded in Redis only if it is still pending there, and the approval ends as Redis recorded it (an earlier
     * decision from any replica wins). When Redis does not confirm it, a person's decision fails ({@link
     * ApprovalNotConfirmed}: not recorded, or outcome unknown, and never applied after that answer);
     * the gateway's own endings end it here, and a timeout that would allow denies instead: an approver may have
     * denied on another replica.
     */
    private Future<Decided> finish(PendingApproval approval, ApprovalOutcome outcome, boolean person) {
        if (shared == null) {
            return Future.succeededFuture(settled(approval, outcome));
        }
        return approval.whenShared().compose(v -> shared.end(approval, outcome, person)).map(found -> {
            if (found instanceof Done done) {
                return settled(approval, done.outcome());
            }
            if (found instanceof AlreadyEnded first) {
                settle(approval, first.outcome()); // the first ending Redis recorded is the one applied here too
            }
            return found;
        }).recover(e -> {
            if (person) {
                return Future.failedFuture(e);
            }
            ApprovalOutcome unconfirmed = outcome.verdict() != ApprovalOutcome.Verdict.TIMED_OUT_ALLOWED ? outcome
                    : new ApprovalOutcome(ApprovalOutcome.Verdict.TIMED_OUT_DENIED, GATEWAY, outcome.reason()
                            + "; Redis could not be reached to learn whether an approver decided on another replica", outcome.at());
            LOG.warn("approval {}: ending not recorded in Redis ({}); ended here as {}", approval.id(), e.toString(), unconfirmed.verdict().label());
            return Future.succeededFuture(settled(approval, unconfirmed));
        });
    }

    private Decided settled(PendingApproval approval, ApprovalOutcome outcome) {
        // Ended already with this very outcome: the holder's inbox delivered the decision before its own reply came.
        return settle(approval, outcome) || outcome.equals(approval.ended()) ? new Done(outcome) : new AlreadyEnded(approval.ended());
    }

    /** Ends the approval here: @return true when this ended it (false: it had ended already) */
    private boolean settle(PendingApproval approval, ApprovalOutcome outcome) {
        if (!approval.complete(outcome)) {
            return false;
        }
        held.remove(approval.id());
        vertx.cancelTimer(approval.timerId());
        ended.get(outcome.verdict()).increment();
        PendingApproval kept = approval.summary(MAX_ENDED_ARGUMENT_CHARS);
        synchronized (history) {
            history.addFirst(kept);
            while (history.size() > historySize) {
                history.removeLast();
            }
        }
        LOG.info("approval {}: {} by {}{}", approval.id(), outcome.verdict().label(), outcome.by(), outcome.reason() == null ? "" : " (" + outcome.reason() + ")");
        return true;
    }

    private static ApprovalOutcome decision(boolean approve, String by, String reason) {
        return new ApprovalOutcome(approve ? ApprovalOutcome.Verdict.APPROVED : ApprovalOutcome.Verdict.DENIED, by, reason, Instant.now());
    }

    private static String newInstanceId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "apr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
