package dev.tollgate.gateway.budget;

import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.protocols.json.WellFormedText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Redis connection pool gateway replicas share, with the two things every caller needs: a timeout on
 * each command (a hung Redis must fail a call, not hold it) and Lua scripts run by their SHA-1, sent
 * whole only when Redis does not know them yet (after a restart or a SCRIPT FLUSH).
 */
public final class RedisStore implements AutoCloseable {

    private final Vertx vertx;
    private final Redis redis;
    private final RedisAPI api;
    private final String prefix;
    private final long timeoutMillis;

    public RedisStore(Vertx vertx, RedisConfig config) {
        this.vertx = vertx;
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.uri())
                .setMaxPoolSize(config.maxPoolSize()).setMaxPoolWaiting(1024).setMaxWaitingHandlers(4096));
        this.api = RedisAPI.api(redis);
        this.prefix = config.keyPrefix();
        this.timeoutMillis = config.timeout().toMillis();
    }

    /** For timers of the store's users (hold renewals): the Vert.x instance the connections run on. */
    Vertx vertx() {
        return vertx;
    }

    /** A key under the configured prefix; {@code {...}} is a Redis Cluster hash tag, keeping a tree's keys on one shard. */
    String key(String kind, String id) {
        return prefix + ":{" + id + "}:" + kind;
    }

    Future<Response> hget(String key, String field) {
        return timed(List.of(key, field), () -> api.hget(key, field));
    }

    Future<Response> run(Script script, List<String> keys, List<String> args) {
        List<String> command = new ArrayList<>(2 + keys.size() + args.size());
        command.add(script.sha1());
        command.add(Integer.toString(keys.size()));
        command.addAll(keys);
        command.addAll(args);
        return timed(command, () -> api.evalsha(command).recover(error -> {
            if (error.getMessage() == null || !error.getMessage().startsWith("NOSCRIPT")) {
                return Future.failedFuture(error);
            }
            List<String> whole = new ArrayList<>(command);
            whole.set(0, script.source());
            return api.eval(whole);
        }));
    }

    /**
     * Sends with the configured timeout. Once the Vert.x instance is closed, sending throws (its event
     * loops reject the task) instead of failing the future; callers on other threads (a retry, a cache
     * refresh) would see that as an uncaught exception, so it becomes the failed future it means. A key or argument
     * holding an unpaired surrogate fails the command the same way: Redis would key it as another text's bytes.
     */
    private Future<Response> timed(List<String> sent, Supplier<Future<Response>> send) {
        try {
            // Review BR: the client writes an unpaired surrogate as '?', so the tree or bucket "x\uD800" would be "x?"'s.
            sent.forEach(text -> WellFormedText.checked(text, "a Redis key or argument"));
            return send.get().timeout(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | IllegalStateException | IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }

    /** A Lua script and its SHA-1, computed once. */
    record Script(String source, String sha1) {

        static Script of(String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(source, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
