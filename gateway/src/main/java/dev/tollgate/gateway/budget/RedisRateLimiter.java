package dev.tollgate.gateway.budget;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;

/**
 * Token buckets in Redis, shared by every replica: N gateways together allow the configured rate, not N
 * times it. The refill and the take are one Lua script on Redis's clock, so replicas with skewed clocks
 * still agree. A bucket key expires once it would be full again.
 */
public final class RedisRateLimiter implements RateLimiter {

    /** KEYS: bucket. ARGV: tokens per second, burst. */
    private static final RedisStore.Script TAKE = RedisStore.Script.of("""
            local t = redis.call('TIME')
            -- milliseconds: Lua 5.1 prints numbers with 14 significant digits, too few for microseconds since 1970
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(b[1]) or burst
            local at = tonumber(b[2]) or now
            tokens = math.min(burst, tokens + (now - at) * rate / 1000)
            local taken = 0
            if tokens >= 1 then
              tokens = tokens - 1
              taken = 1
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
            return taken
            """);

    private final RedisStore store;

    public RedisRateLimiter(RedisStore store) {
        this.store = store;
    }

    @Override
    public Future<Boolean> tryTake(String tenant, String owner, String key, double perSecond, long burst) {
        return store.run(TAKE, List.of(store.key("bucket", key)),
                        List.of(String.format(Locale.ROOT, "%.9f", perSecond), Long.toString(burst)))
                .map(r -> r.toLong() == 1);
    }
}
