package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approvals shared by replicas through Redis. Each approval is a hash ({@code json}, {@code owner}, {@code state},
 * {@code decision}, {@code expires}, {@code asker}); pending ones are listed in a sorted set by expiry. Redis is the
 * only arbiter of how an approval ends: every ending, on any replica, runs {@link #END}, which moves a pending hash to
 * ended and never touches one that has ended; the loser reads the ending recorded first. A person's decision also
 * pushes the decision to the holder's inbox, a list the holder reads every {@link #POLL_MILLIS} ms and trims only of
 * what it has acted on: nothing is lost if the holder is briefly away from Redis. A command that times out on the
 * gateway is not cancelled in Redis, so a person's decision carries a deadline and, when it times out, is read back
 * ({@link #RESOLVE}) before anyone is answered. A single Redis (or a primary with replicas) is assumed: the inbox key is
 * computed inside the script, which Redis Cluster forbids.
 */
final class RedisApprovals implements SharedApprovals {

    private static final Logger LOG = LoggerFactory.getLogger(RedisApprovals.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long POLL_MILLIS = 200;
    /** Ended approvals stay readable this long after they expire, for listings and late decisions (told "already ended"). */
    private static final long KEEP_MILLIS = TimeUnit.HOURS.toMillis(1);

    /** Publishes a pending approval, unless its hash exists: an ending recorded before a late publication stays. */
    private static final String HELD = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'json', ARGV[1], 'owner', ARGV[2], 'state', 'pending', 'expires', ARGV[3], 'asker', ARGV[4])
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[6])
            return 1
            """;

    /** Notes the supersession on an approval's hash, if it still has one (never creates a hash without a state). */
    private static final String OVERRULED = """
            if redis.call('HEXISTS', KEYS[1], 'state') == 0 then return 0 end
            if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'superseded', ARGV[1])
            return 1
            """;

    /** The supersession note of each approval hash named (false where there is none). */
    private static final String OVERRULED_AMONG = """
            local out = {}
            for i = 1, #KEYS do out[i] = redis.call('HGET', KEYS[i], 'superseded') end
            return out
            """;

    /**
     * The one "pending to ended" step. KEYS: the approval's hash, the pending set, and for a person's decision the
     * attempt's void marker. ARGV: 1 the decision (JSON), 2 its state, 3 the id, 4 the holder's inbox prefix ('' for the
     * gateway's own endings, which the holder applies itself), 5 now in ms ('' for the gateway's own endings, which have
     * no deadline), 6 who must have been asked ('' for an approver), 7 the owner to record when there is no hash ('' to
     * answer not found), 8 how long to keep such a hash (ms), 9 for a person's decision the time (ms, Redis's clock)
     * after which the gateway has stopped waiting for this script.
     * A person's decision that Redis runs after ARGV[9], or after {@link #RESOLVE} voided it, does nothing: the gateway
     * has answered without it, and it must not take effect behind that answer.
     * A holder's inbox lives as long as the longest-lived approval pushed to it: a live holder empties it within
     * {@link #POLL_MILLIS}, and a crashed one's is gone once nothing in it matters (the approval's hash, which says
     * how it ended, is gone too); before, it stayed in Redis for ever.
     */
    private static final String END = """
            if ARGV[9] ~= '' then
              if redis.call('EXISTS', KEYS[3]) == 1 then return {'void'} end
              local t = redis.call('TIME')
              if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[9]) then return {'void'} end
            end
            local state = redis.call('HGET', KEYS[1], 'state')
            if not state then
              if ARGV[7] == '' then return false end
              redis.call('HSET', KEYS[1], 'state', ARGV[2], 'decision', ARGV[1], 'owner', ARGV[7])
              redis.call('PEXPIRE', KEYS[1], ARGV[8])
              return {'decided', ARGV[1]}
            end
            if ARGV[6] ~= '' and redis.call('HGET', KEYS[1], 'asker') ~= ARGV[6] then return false end
            if state ~= 'pending' then return {'ended', redis.call('HGET', KEYS[1], 'decision')} end
            local expires = tonumber(redis.call('HGET', KEYS[1], 'expires') or '0') or 0
            if ARGV[5] ~= '' and expires > 0 and tonumber(ARGV[5]) > expires then return {'expired'} end
            redis.call('HSET', KEYS[1], 'state', ARGV[2], 'decision', ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[3])
            if ARGV[4] ~= '' then
              local inbox = ARGV[4] .. redis.call('HGET', KEYS[1], 'owner')
              redis.call('RPUSH', inbox, ARGV[3] .. ' ' .. ARGV[1])
              local keep = redis.call('PTTL', KEYS[1])
              if keep > 0 and redis.call('PTTL', inbox) < keep then redis.call('PEXPIRE', inbox, keep) end
            end
            return {'decided', ARGV[1]}
            """;

    /**
     * After a person's {@link #END} timed out: voids that attempt (so it can no longer take effect, whenever Redis runs
     * it), then says what the approval recorded. KEYS: the hash, the attempt's void marker. ARGV: 1 the decision sent
     * (JSON, compared as sent), 2 who must have been asked ('' for an approver), 3 now in ms, 4 how long to keep the
     * marker (ms). Answers as END does, with {@code void} for "still pending: the attempt decided nothing".
     */
    private static final String RESOLVE = """
            redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
            local state = redis.call('HGET', KEYS[1], 'state')
            if not state then return false end
            if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'asker') ~= ARGV[2] then return false end
            if state == 'pending' then
              local expires = tonumber(redis.call('HGET', KEYS[1], 'expires') or '0') or 0
              if expires > 0 and tonumber(ARGV[3]) > expires then return {'expired'} end
              return {'void'}
            end
            local decision = redis.call('HGET', KEYS[1], 'decision')
            if decision == ARGV[1] then return {'decided', decision} end
            return {'ended', decision}
            """;

    /**
     * Marks an approval's call let through by an ask-client retry, once. KEYS: the marker, the attempt's void marker.
     * ARGV: 1 the attempt's token, 2 how long to keep the marker (ms), 3 the time (ms, Redis's clock) after which the
     * gateway has stopped waiting for this script. Run later than that, or once {@link #RESOLVE_RELEASE} voided it, it
     * does nothing: the retry was answered 503 without it.
     */
    private static final String RELEASE = """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 'void' end
            local t = redis.call('TIME')
            if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[3]) then return 'void' end
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'released' end
            return 'taken'
            """;

    /**
     * After a {@link #RELEASE} timed out: voids that attempt (a RELEASE of it Redis runs later sets nothing) and gives back
     * the mark it set, if it did. The gateway forwards a call only on reading {@code released} from RELEASE itself, so an
     * attempt whose reply it did not read let nothing through: its mark, kept, made the retry sent again (as the 503 told
     * it) a 409 "already let through", and the approved call was lost (review AS). Safe to run again. KEYS: the marker,
     * the attempt's void marker. ARGV: 1 the attempt's token, 2 how long to keep the void marker (ms).
     */
    private static final String RESOLVE_RELEASE = """
            redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
            if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
            return 'void'
            """;

    /** A give-back whose reply was not read is sent again this many times, {@link #GIVE_BACK_EVERY_MILLIS} apart. */
    static final int GIVE_BACK_ATTEMPTS = 5;
    static final long GIVE_BACK_EVERY_MILLIS = 1000;

    /** Removes the inbox items the holder has acted on, by value: a removal that runs late or twice removes nothing else. */
    private static final String ACK = """
            for i = 1, #ARGV do redis.call('LREM', KEYS[1], 1, ARGV[i]) end
            return #ARGV
            """;

    /** The inbox is read this many items at a time. */
    static final int MAX_INBOX_BATCH = 100;

    private final Vertx vertx;
    private final Redis redis;
    private final RedisAPI api;
    private final String prefix;
    /**
     * Releases confirmed here whose call is not yet known sent: how to take each back ({@link #unrelease}). One per call
     * in flight at most, removed when its call ends either way.
     */
    private final java.util.Map<String, List<String>> confirmedReleases = new java.util.concurrent.ConcurrentHashMap<>();
    /** Approvals whose let-through mark this replica is giving back in the background ({@link #giveBackLater}). */
    private final java.util.Set<String> givingBack = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final String replica = UUID.randomUUID().toString();
    private final long timeoutMillis;
    private long pollTimer = -1;
    /** A poll is in flight: the next tick skips, so a slow Redis does not pile up reads of the same inbox. */
    private final AtomicBoolean polling = new AtomicBoolean();
    private final java.util.function.LongSupplier wallClock;
    /**
     * How far Redis's clock is ahead of this gateway's, in ms (TIME, measured at start and every {@link #CLOCK_EVERY_POLLS}
     * polls). A person's decision's deadline is checked on Redis's clock: without it, a gateway whose clock lags Redis's
     * by more than redis.timeout had every such decision refused as late.
     */
    private volatile long redisAheadMillis;
    private volatile boolean closed;
    private int pollsSinceClock;
    static final int CLOCK_EVERY_POLLS = 50;
    /** Clocks further apart than this are logged: approval expiries are compared across replicas' clocks too. */
    private static final long CLOCK_SKEW_WARN_MILLIS = 1000;

    RedisApprovals(Vertx vertx, RedisConfig config) {
        this(vertx, config, System::currentTimeMillis);
    }

    /** @param wallClock this gateway's clock in ms (tests: one that disagrees with Redis's) */
    RedisApprovals(Vertx vertx, RedisConfig config, java.util.function.LongSupplier wallClock) {
        this.vertx = vertx;
        this.wallClock = wallClock;
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.uri()).setMaxPoolSize(4).setMaxPoolWaiting(1024));
        this.api = RedisAPI.api(redis);
        this.prefix = config.keyPrefix();
        this.timeoutMillis = config.timeout().toMillis();
        measureClock(); // a replica that decides before its first poll
    }

    static SharedApprovals create(Vertx vertx, RedisConfig config) {
        return new RedisApprovals(vertx, config);
    }

    private String key(String id) {
        return prefix + ":approval:" + id;
    }

    private String pendingSet() {
        return prefix + ":approvals:pending";
    }

    private String inboxPrefix() {
        return prefix + ":approvals:inbox:";
    }

    @Override
    public Future<Void> held(PendingApproval approval) {
        long expires = approval.expiresAt().toEpochMilli();
        long keep = approval.terms().timeout().toMillis() + KEEP_MILLIS;
        return timed(api.eval(List.of(HELD, "2", key(approval.id()), pendingSet(), approval.toJson().toString(), replica, Long.toString(expires),
                approval.asker() == null ? "" : approval.asker(), Long.toString(keep), approval.id()))).mapEmpty();
    }

    @Override
    public Future<Approvals.Decided> end(PendingApproval approval, ApprovalOutcome outcome, boolean person) {
        long keep = approval.terms().timeout().toMillis() + KEEP_MILLIS;
        // A person's decision goes to the holder's (our own) inbox too: should Redis run it only after we stopped
        // waiting, and before its deadline, the inbox still tells this replica.
        return step(approval.id(), outcome, person ? inboxPrefix() : "", person, "", replica, keep);
    }

    @Override
    public Future<Boolean> releaseOnce(String id, long keepMillis) {
        // As a person's decision: a marker set late, behind the 503 its timeout answered, made every retry of the
        // approved call a 409 (one approval, one call) and the call was lost (review AP's suspicion).
        String marker = releasedMarker(id);
        String attempt = UUID.randomUUID().toString();
        String voidMarker = prefix + ":approval-release-void:" + attempt;
        long now = wallClock.getAsLong();
        // Kept an hour past the state's expiry as this replica's clock reads it: another replica whose clock is behind
        // takes the same state as valid for longer, and must still find the mark (else a second release; review AR).
        long keep = Math.max(0, keepMillis) + KEEP_MILLIS;
        List<String> giveBack = List.of(RESOLVE_RELEASE, "2", marker, voidMarker, attempt, Long.toString(KEEP_MILLIS));
        return timed(api.eval(List.of(RELEASE, "2", marker, voidMarker, attempt, Long.toString(keep),
                Long.toString(now + redisAheadMillis + timeoutMillis))))
                .recover(timedOut -> timed(api.eval(giveBack)).recover(unread -> {
                    // Not forwarded, and maybe still marked: given back in the background, so the retry sent again goes on.
                    givingBack.add(id);
                    giveBackLater(id, giveBack, GIVE_BACK_ATTEMPTS);
                    return Future.failedFuture(new ApprovalNotConfirmed.OutcomeUnknown(timedOut));
                }))
                .map(reply -> {
                    String said = reply == null ? "" : reply.toString();
                    if ("void".equals(said)) {
                        throw new ApprovalNotConfirmed.NotRecorded();
                    }
                    if ("released".equals(said)) {
                        confirmedReleases.put(id, giveBack);
                    }
                    if (!"released".equals(said) && givingBack.contains(id)) {
                        // The mark found may be the one this replica is still giving back (review AW: a retry sent again
                        // within the second was told 409 "already let through", and the approved call was lost).
                        throw new ApprovalNotConfirmed.OutcomeUnknown(new IllegalStateException("a give-back of this approval's mark is pending"));
                    }
                    return "released".equals(said);
                });
    }

    @Override
    public void unrelease(String id) {
        List<String> giveBack = confirmedReleases.remove(id);
        if (giveBack != null) {
            givingBack.add(id);
            timed(api.eval(giveBack)).onSuccess(r -> givingBack.remove(id)).onFailure(e -> giveBackLater(id, giveBack, GIVE_BACK_ATTEMPTS));
        }
    }

    @Override
    public void releaseKept(String id) {
        confirmedReleases.remove(id);
    }

    /** Sends a release's give-back again until Redis answers it (it is idempotent), at most {@code attempts} times. */
    private void giveBackLater(String id, List<String> giveBack, int attempts) {
        if (attempts <= 0 || closed) {
            givingBack.remove(id);
            LOG.warn("approval {}: the let-through mark of a release Redis did not confirm may remain; a retry of its call is refused 409"
                    + " until the mark expires", id);
            return;
        }
        vertx.setTimer(GIVE_BACK_EVERY_MILLIS, t -> {
            if (!closed) {
                timed(api.eval(giveBack)).onSuccess(r -> givingBack.remove(id)).onFailure(e -> giveBackLater(id, giveBack, attempts - 1));
            }
        });
    }

    @Override
    public Future<Approvals.Decided> decideRemote(String id, ApprovalOutcome outcome, String asker) {
        return step(id, outcome, inboxPrefix(), true, asker == null ? "" : asker, "", 0);
    }

    @Override
    public Future<Void> overruled(String id, ApprovalOverruled note) {
        // Never over an approval whose call a retry let through (its mark is set): the note would say the opposite.
        return timed(api.eval(List.of(OVERRULED, "2", key(id), releasedMarker(id), note.toJson().toString()))).mapEmpty();
    }

    @Override
    public Future<Void> letThrough(String id) {
        return timed(api.hdel(List.of(key(id), "superseded"))).mapEmpty();
    }

    private String releasedMarker(String id) {
        return prefix + ":approval-released:" + id;
    }

    @Override
    public Future<java.util.Map<String, ApprovalOverruled>> overruledAmong(List<String> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(java.util.Map.of());
        }
        List<String> command = new ArrayList<>(ids.size() + 2);
        command.add(OVERRULED_AMONG);
        command.add(Integer.toString(ids.size()));
        ids.forEach(id -> command.add(key(id)));
        return timed(api.eval(command)).map(r -> {
            java.util.Map<String, ApprovalOverruled> found = new java.util.HashMap<>();
            for (int i = 0; r != null && i < r.size() && i < ids.size(); i++) {
                ApprovalOverruled note = r.get(i) == null ? null : ApprovalOverruled.fromJson(readObject(r.get(i).toString()));
                if (note != null) {
                    found.put(ids.get(i), note);
                }
            }
            return found;
        });
    }

    @Override
    public Future<ObjectNode> read(String id) {
        return timed(api.hmget(List.of(key(id), "json", "state", "decision", "superseded"))).map(r -> {
            if (r == null || r.size() < 4 || r.get(1) == null) {
                return null;
            }
            ObjectNode out = r.get(0) == null ? JSON.createObjectNode().put("id", id) : readObject(r.get(0).toString());
            out.put("state", r.get(1).toString());
            if (r.get(2) != null) {
                out.set("decision", readObject(r.get(2).toString()));
            }
            if (r.get(3) != null) {
                out.set("superseded", readObject(r.get(3).toString()));
            }
            return out;
        });
    }

    private Future<Approvals.Decided> step(String id, ApprovalOutcome outcome, String inbox, boolean person, String asker, String owner, long keep) {
        String decision = outcome.toJson().toString();
        if (!person) {
            return timed(api.eval(List.of(END, "2", key(id), pendingSet(), decision, outcome.verdict().label(), id, inbox, "", asker, owner,
                    Long.toString(keep), ""))).map(r -> decided(r, owner));
        }
        long now = wallClock.getAsLong();
        String voidMarker = prefix + ":approval-void:" + UUID.randomUUID();
        return timed(api.eval(List.of(END, "3", key(id), pendingSet(), voidMarker, decision, outcome.verdict().label(), id, inbox,
                Long.toString(now), asker, owner, Long.toString(keep), Long.toString(now + redisAheadMillis + timeoutMillis))))
                .recover(timedOut -> timed(api.eval(List.of(RESOLVE, "2", key(id), voidMarker, decision, asker,
                        Long.toString(wallClock.getAsLong()), Long.toString(KEEP_MILLIS))))
                        .recover(unread -> Future.failedFuture(new ApprovalNotConfirmed.OutcomeUnknown(timedOut))))
                .map(r -> decided(r, owner));
    }

    /** What END or RESOLVE answered; {@code void} (and nothing found for the holder's own ending) means nothing was recorded. */
    private static Approvals.Decided decided(Response r, String owner) {
        String found = r == null || r.size() == 0 ? null : r.get(0).toString();
        if ("void".equals(found) || (found == null && !owner.isEmpty())) {
            throw new ApprovalNotConfirmed.NotRecorded();
        }
        if (found == null) {
            return new Approvals.NotFound();
        }
        if ("expired".equals(found)) {
            return new Approvals.Expired();
        }
        ApprovalOutcome recorded = parse(r.get(1).toString());
        return "decided".equals(found) ? new Approvals.Done(recorded) : new Approvals.AlreadyEnded(recorded);
    }

    @Override
    public Future<List<ObjectNode>> pending() {
        String now = Long.toString(wallClock.getAsLong());
        return timed(api.zremrangebyscore(pendingSet(), "-inf", "(" + now))
                .compose(r -> timed(api.zrange(List.of(pendingSet(), "0", "999"))))
                .compose(ids -> {
                    List<Future<Response>> reads = new ArrayList<>();
                    for (Response id : ids) {
                        reads.add(timed(api.hget(key(id.toString()), "json")));
                    }
                    return Future.all(reads).map(all -> {
                        List<ObjectNode> out = new ArrayList<>();
                        for (int i = 0; i < all.size(); i++) {
                            Response json = all.resultAt(i);
                            if (json != null) {
                                out.add(readObject(json.toString()));
                            }
                        }
                        return out;
                    });
                });
    }

    @Override
    public void listen(BiConsumer<String, ApprovalOutcome> onDecision) {
        pollTimer = vertx.setPeriodic(POLL_MILLIS, t -> {
            if (++pollsSinceClock >= CLOCK_EVERY_POLLS) {
                pollsSinceClock = 0;
                measureClock();
            }
            poll(onDecision);
        });
    }

    /** Measures {@link #redisAheadMillis}: Redis's TIME against the middle of the round trip (off by at most half of it). */
    private void measureClock() {
        long sent = wallClock.getAsLong();
        timed(api.time()).onSuccess(r -> {
            long received = wallClock.getAsLong();
            long redisMillis = Long.parseLong(r.get(0).toString()) * 1000 + Long.parseLong(r.get(1).toString()) / 1000;
            long ahead = redisMillis - (sent + received) / 2;
            if (Math.abs(ahead) > CLOCK_SKEW_WARN_MILLIS && Math.abs(redisAheadMillis) <= CLOCK_SKEW_WARN_MILLIS) {
                LOG.warn("Redis's clock is {} ms {} this gateway's: approval timeouts are compared across replicas' clocks",
                        Math.abs(ahead), ahead > 0 ? "ahead of" : "behind");
            }
            redisAheadMillis = ahead;
        }).onFailure(e -> {
            // Until it is read, a lagging clock's decisions are refused as late: read it again soon, not only at the next
            // measurement of a listening replica.
            LOG.debug("Redis's clock not read (again in 1 s): {}", e.toString());
            if (!closed) {
                vertx.setTimer(1000, t -> {
                    if (!closed) {
                        measureClock();
                    }
                });
            }
        });
    }

    /** For tests: the measured offset of Redis's clock (ms). */
    long redisAheadMillis() {
        return redisAheadMillis;
    }

    /**
     * Reads the inbox without removing anything, acts on each decision, then removes those it read. A read that times
     * out but runs in Redis removes nothing; a removal that fails leaves decisions to be read again, which is harmless:
     * the holder ignores a decision for an approval it no longer holds.
     */
    private void poll(BiConsumer<String, ApprovalOutcome> onDecision) {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        String inbox = inboxPrefix() + replica;
        timed(api.lrange(inbox, "0", Integer.toString(MAX_INBOX_BATCH - 1))).onComplete(read -> {
            polling.set(false);
            if (read.failed()) {
                LOG.debug("approvals inbox not read: {}", read.cause().toString());
                return;
            }
            if (read.result() == null || read.result().size() == 0) {
                return;
            }
            List<String> ack = new ArrayList<>(List.of(ACK, "1", inbox));
            for (Response item : read.result()) {
                String text = item.toString();
                ack.add(text);
                deliver(text, onDecision);
            }
            timed(api.eval(ack)).onFailure(e -> LOG.debug("approvals inbox not trimmed (read again next time): {}", e.toString()));
        });
    }

    private static void deliver(String item, BiConsumer<String, ApprovalOutcome> onDecision) {
        int space = item.indexOf(' ');
        ApprovalOutcome outcome;
        try {
            outcome = space > 0 ? parse(item.substring(space + 1)) : null;
        } catch (RuntimeException e) {
            outcome = null;
        }
        if (outcome == null) {
            // Only replicas write the inbox: one unreadable item (a bug, version skew) must not hold up the others.
            LOG.warn("approvals inbox: an item could not be read; dropped");
            return;
        }
        onDecision.accept(item.substring(0, space), outcome);
    }

    @Override
    public Future<Void> close() {
        closed = true;
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
        }
        redis.close();
        return Future.succeededFuture();
    }

    private Future<Response> timed(Future<Response> command) {
        return command.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private static ApprovalOutcome parse(String json) {
        JsonNode node = readObject(json);
        return new ApprovalOutcome(ApprovalOutcome.Verdict.valueOf(node.path("outcome").asText().toUpperCase(Locale.ROOT)),
                node.path("by").asText(), node.hasNonNull("reason") ? node.get("reason").asText() : null,
                Instant.parse(node.path("decided_at").asText()));
    }

    private static ObjectNode readObject(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("an approval in Redis is not a JSON object", e);
        }
    }
}
