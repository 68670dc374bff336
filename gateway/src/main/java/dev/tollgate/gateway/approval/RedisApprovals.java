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
 * Approvals shared by replicas through Redis. Each pending approval is a hash ({@code json}, {@code owner}, {@code
 * state}, {@code decision}) listed in a sorted set by expiry; a replica deciding an approval another one holds runs
 * one script that checks it is still pending, records the decision and pushes it to the holder's inbox, a list the
 * holder drains every {@link #POLL_MILLIS} ms. Nothing is lost if the holder is briefly away from Redis: the
 * decision waits in its inbox. A single Redis (or a primary with replicas) is assumed: the inbox key is computed
 * inside the script, which Redis Cluster forbids.
 */
final class RedisApprovals implements SharedApprovals {

    private static final Logger LOG = LoggerFactory.getLogger(RedisApprovals.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long POLL_MILLIS = 200;
    /** Ended approvals stay readable this long after they expire, for listings and late decisions (told "already ended"). */
    private static final long KEEP_MILLIS = TimeUnit.HOURS.toMillis(1);

    private static final String DECIDE = """
            local state = redis.call('HGET', KEYS[1], 'state')
            if state ~= 'pending' then
              if state then return {'ended', redis.call('HGET', KEYS[1], 'decision')} end
              return false
            end
            redis.call('HSET', KEYS[1], 'state', ARGV[2], 'decision', ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[3])
            local owner = redis.call('HGET', KEYS[1], 'owner')
            redis.call('RPUSH', ARGV[4] .. owner, ARGV[3] .. ' ' .. ARGV[1])
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
        String key = key(approval.id());
        long keep = approval.terms().timeout().toMillis() + KEEP_MILLIS;
        return timed(api.hset(List.of(key, "json", approval.toJson().toString(), "owner", replica, "state", "pending")))
                .compose(r -> timed(api.pexpire(List.of(key, Long.toString(keep)))))
                .compose(r -> timed(api.zadd(List.of(pendingSet(), Long.toString(approval.expiresAt().toEpochMilli()), approval.id()))))
                .mapEmpty();
    }

    @Override
    public Future<Void> ended(PendingApproval approval, ApprovalOutcome outcome) {
        return timed(api.hset(List.of(key(approval.id()), "state", outcome.verdict().label(), "decision", outcome.toJson().toString(),
                        "json", approval.toJson().toString())))
                .compose(r -> timed(api.zrem(List.of(pendingSet(), approval.id()))))
                .mapEmpty();
    }

    @Override
    public Future<Approvals.Decided> decideRemote(String id, ApprovalOutcome outcome) {
        String decision = outcome.toJson().toString();
        return timed(api.eval(List.of(DECIDE, "2", key(id), pendingSet(), decision, outcome.verdict().label(), id, inboxPrefix())))
                .map(r -> {
                    if (r == null || r.size() < 2) {
                        return new Approvals.NotFound();
                    }
                    ApprovalOutcome recorded = parse(r.get(1).toString());
                    return "decided".equals(r.get(0).toString()) ? new Approvals.Done(recorded) : new Approvals.AlreadyEnded(recorded);
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
