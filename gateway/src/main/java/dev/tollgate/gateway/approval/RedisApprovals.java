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
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approvals shared by replicas through Redis. Each approval is a hash ({@code json}, {@code owner}, {@code state},
 * {@code decision}, {@code expires}, {@code asker}); pending ones are listed in a sorted set by expiry. Redis is the
 * only arbiter of how an approval ends: every ending, on any replica, runs {@link #END}, which moves a pending hash to
 * ended and never touches one that has ended; the loser reads the ending recorded first. A replica deciding an
 * approval another one holds also pushes the decision to the holder's inbox, a list the holder drains every {@link
 * #POLL_MILLIS} ms; nothing is lost if the holder is briefly away from Redis. A single Redis (or a primary with
 * replicas) is assumed: the inbox key is computed inside the script, which Redis Cluster forbids.
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

    /**
     * The one "pending to ended" step. KEYS: the approval's hash, the pending set. ARGV: 1 the decision (JSON), 2 its
     * state, 3 the id, 4 the holder's inbox prefix ('' when the holder ends it itself), 5 now in ms ('' for the
     * gateway's own endings, which have no deadline), 6 who must have been asked ('' for an approver), 7 the owner to
     * record when there is no hash ('' to answer not found), 8 how long to keep such a hash (ms).
     * A holder's inbox lives as long as the longest-lived approval pushed to it: a live holder empties it within
     * {@link #POLL_MILLIS}, and a crashed one's is gone once nothing in it matters (the approval's hash, which says
     * how it ended, is gone too); before, it stayed in Redis for ever.
     */
    private static final String END = """
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

    private final Vertx vertx;
    private final Redis redis;
    private final RedisAPI api;
    private final String prefix;
    private final String replica = UUID.randomUUID().toString();
    private final long timeoutMillis;
    private long pollTimer = -1;

    RedisApprovals(Vertx vertx, RedisConfig config) {
        this.vertx = vertx;
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.uri()).setMaxPoolSize(4).setMaxPoolWaiting(1024));
        this.api = RedisAPI.api(redis);
        this.prefix = config.keyPrefix();
        this.timeoutMillis = config.timeout().toMillis();
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
        return step(approval.id(), outcome, "", person, "", replica, keep);
    }

    @Override
    public Future<Boolean> releaseOnce(String id, long keepMillis) {
        return timed(api.set(List.of(prefix + ":approval-released:" + id, "1", "NX", "PX", Long.toString(Math.max(1, keepMillis)))))
                .map(reply -> reply != null && "OK".equals(reply.toString()));
    }

    @Override
    public Future<Approvals.Decided> decideRemote(String id, ApprovalOutcome outcome, String asker) {
        return step(id, outcome, inboxPrefix(), true, asker == null ? "" : asker, "", 0);
    }

    private Future<Approvals.Decided> step(String id, ApprovalOutcome outcome, String inbox, boolean person, String asker, String owner, long keep) {
        String decision = outcome.toJson().toString();
        String now = person ? Long.toString(System.currentTimeMillis()) : "";
        return timed(api.eval(List.of(END, "2", key(id), pendingSet(), decision, outcome.verdict().label(), id, inbox, now, asker, owner,
                Long.toString(keep)))).map(r -> {
                    if (r == null || r.size() == 0) {
                        return new Approvals.NotFound();
                    }
                    String found = r.get(0).toString();
                    if ("expired".equals(found)) {
                        return new Approvals.Expired();
                    }
                    ApprovalOutcome recorded = parse(r.get(1).toString());
                    return "decided".equals(found) ? new Approvals.Done(recorded) : new Approvals.AlreadyEnded(recorded);
                });
    }

    @Override
    public Future<List<ObjectNode>> pending() {
        String now = Long.toString(System.currentTimeMillis());
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
        pollTimer = vertx.setPeriodic(POLL_MILLIS, t -> timed(api.lpop(List.of(inboxPrefix() + replica, "100"))).onSuccess(items -> {
            if (items == null) {
                return;
            }
            for (Response item : items) {
                String text = item.toString();
                int space = text.indexOf(' ');
                if (space > 0) {
                    onDecision.accept(text.substring(0, space), parse(text.substring(space + 1)));
                }
            }
        }).onFailure(e -> LOG.debug("approvals inbox not read: {}", e.toString())));
    }

    @Override
    public Future<Void> close() {
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
