package dev.tollgate.gateway.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.protocols.json.WellFormedText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task and context bindings in Redis ({@code tasks: {store: redis}}). Each binding is one string key (see
 * {@link TaskStoreKeys}) holding {@code {"tool","owner","instance","scope"}} as JSON, written and read by one script over
 * the keys of its scope ({@link #UNDER_EVERY_KEY}): the first binding wins, and the writer learns which one that is. A key expires its TTL after it was last
 * bound; replicas bind again the ids requests name (see TaskOrigins), so a task in use stays in Redis as long as in their
 * own memory. The ids one request or answer names are read with
 * GETEX (which restarts the TTL too) pipelined on one connection, under the configured per-command timeout. A scope with
 * several keys (see {@link SharedTaskStore}) binds and reads each id with one script over its keys
 * ({@link #UNDER_EVERY_KEY}). (A standalone Redis, as for the other
 * stores: the gateway's client has no cluster mode, see README "Capacity".)
 */
public final class RedisTaskStore implements SharedTaskStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTaskStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most one warning per this interval for failed writes: a Redis outage must not flood the log. */
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Redis redis;
    private final TaskStoreKeys keys;
    private final long timeoutMillis;
    private final String ttlMillis;
    private final Counter readErrors;
    private final Counter writeErrors;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private final AtomicLong unwarned = new AtomicLong();

    /**
     * @param ttl      how long a binding stays after it was last bound (longer than replicas keep theirs after last use)
     * @param registry where {@code tollgate_task_store_errors_total{op}} is counted; null: nowhere
     */
    public RedisTaskStore(Vertx vertx, RedisConfig config, Duration ttl, MeterRegistry registry) {
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.uri())
                .setMaxPoolSize(config.maxPoolSize()).setMaxPoolWaiting(1024).setMaxWaitingHandlers(4096));
        this.keys = new TaskStoreKeys(config.keyPrefix());
        this.timeoutMillis = config.timeout().toMillis();
        this.ttlMillis = Long.toString(ttl.toMillis());
        MeterRegistry meters = registry == null ? new SimpleMeterRegistry() : registry;
        this.readErrors = errors(meters, "read");
        this.writeErrors = errors(meters, "write");
    }

    private static Counter errors(MeterRegistry registry, String op) {
        return Counter.builder("tollgate.task.store.errors").tag("op", op)
                .description("Task store commands that failed or timed out (read: the call was refused; write: the answer creating the binding was withheld, or a refresh is tried again)")
                .register(registry);
    }

    @Override
    public Future<TaskBinding> bindTask(TaskScope scope, String taskId, TaskBinding binding) {
        ObjectNode value = JSON.createObjectNode().put("tool", binding.tool()).put("owner", binding.owner()).put("instance", binding.instance())
                .put("scope", scope.name());
        return bind(scope, TaskStoreKeys.TASK, taskId, value.toString()).map(held -> held == null ? null : taskBinding(held));
    }

    @Override
    public Future<String> bindContext(TaskScope scope, String contextId, String owner) {
        return bind(scope, TaskStoreKeys.CONTEXT, contextId, JSON.createObjectNode().put("owner", owner).put("scope", scope.name()).toString())
                .map(held -> held == null ? null : contextOwner(held));
    }

    /**
     * KEYS the id's key under each of its scope's keys (the name's first); ARGV[1] the TTL, ARGV[2] the binding to write
     * when the scope holds none ('' to write none: a read), ARGV[3] the scope's name, ARGV[4] how many of its keys
     * follow, then its keys, then the other scopes' names. A value names the scope it was made under ({@code scope}); one
     * naming another scope of the reader's configuration is that server's, not this scope's (review BG), and is passed
     * over and replaced. The first key holding one of this scope's gives the binding; made under a scope that is no
     * group's now, it is carried on by this one (it names it from now on). It is copied under the keys that lack it, and
     * every key is kept another TTL from now. Returns the binding held before, or false. One atomic step: two replicas
     * binding the same id under overlapping scopes agree on the first.
     */
    static final String UNDER_EVERY_KEY = """
            local n = tonumber(ARGV[4])
            local ours, foreign = {}, {}
            for i = 5, 4 + n do ours[ARGV[i]] = true end
            for i = 5 + n, #ARGV do foreign[ARGV[i]] = true end
            local function madeUnder(value)
              local ok, binding = pcall(cjson.decode, value)
              if ok and type(binding) == 'table' and type(binding['scope']) == 'string' then return binding['scope'], binding end
              return nil, nil
            end
            local held, heldScope, heldBinding = false, nil, nil
            local values = {}
            for i, key in ipairs(KEYS) do
              local value = redis.call('GET', key)
              values[i] = value
              if value and not held then
                local scope, binding = madeUnder(value)
                if not (scope and foreign[scope]) then held, heldScope, heldBinding = value, scope, binding end
              end
            end
            local value = held or ARGV[2]
            if held and heldScope and not ours[heldScope] then
              heldBinding['scope'] = ARGV[3]
              value = cjson.encode(heldBinding)
            end
            if value ~= '' then
              for i, key in ipairs(KEYS) do
                local current = values[i]
                local replace = (not current) or current == held
                if not replace then
                  local scope = madeUnder(current)
                  replace = scope ~= nil and foreign[scope] == true
                end
                if replace then redis.call('SET', key, value, 'PX', ARGV[1]) else redis.call('PEXPIRE', key, ARGV[1]) end
              end
            end
            return held""";

    /** The id's key of that kind under each of the scope's keys, in order. */
    private List<String> keysOf(String kind, List<String> scopes, String id) {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("an entry needs a scope");
        }
        return scopes.stream().map(scope -> keys.key(kind, scope, id)).toList();
    }

    private Request underEveryKey(TaskScope scope, String kind, String id, String value) {
        Request script = Request.cmd(Command.EVAL).arg(UNDER_EVERY_KEY).arg(scope.keys().size());
        scope.keys().forEach(key -> script.arg(keys.key(kind, key, id)));
        script.arg(ttlMillis).arg(value).arg(scope.name()).arg(scope.keys().size());
        scope.keys().forEach(script::arg);
        scope.foreign().forEach(script::arg);
        return script;
    }

    /**
     * The binding written unless this scope holds one, and whichever is held kept another TTL from now, in one round trip.
     * Completes with the value held before (null when this one was written).
     */
    private Future<JsonNode> bind(TaskScope scope, String kind, String id, String value) {
        try {
            // Review BR: Redis would store an owner "axid:acme/a/alice\uD800" as UTF-8, read back as ".../alice?".
            WellFormedText.checked(value, "a task binding");
        } catch (IllegalArgumentException e) {
            writeFailed(e);
            return Future.failedFuture(e);
        }
        return timedBatch(List.of(underEveryKey(scope, kind, id, value))).map(answers -> parse(answers.get(0))).onFailure(this::writeFailed);
    }

    private void writeFailed(Throwable cause) {
        writeErrors.increment();
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            long more = unwarned.getAndSet(0);
            LOG.warn("task store: a binding could not be written to Redis ({}): an answer creating it is withheld, a refresh is tried again on next use{}",
                    cause.toString(), more == 0 ? "" : " (" + more + " more failures since the last warning)");
        } else {
            unwarned.incrementAndGet();
        }
    }

    @Override
    public Future<Found> find(TaskScope scope, Collection<String> taskIds, Collection<String> contextIds) {
        List<String> taskList = List.copyOf(taskIds);
        List<String> contextList = List.copyOf(contextIds);
        List<Request> reads = new ArrayList<>(taskList.size() + contextList.size());
        // GETEX restarts each binding's TTL: a replica reading it keeps it as long as one that bound it.
        taskList.forEach(id -> reads.add(underEveryKey(scope, TaskStoreKeys.TASK, id, "")));
        contextList.forEach(id -> reads.add(underEveryKey(scope, TaskStoreKeys.CONTEXT, id, "")));
        return timedBatch(reads).map(all -> {
            Map<String, TaskBinding> tasks = new HashMap<>();
            Map<String, String> contexts = new HashMap<>();
            for (int i = 0; i < taskList.size(); i++) {
                JsonNode value = parse(all.get(i));
                if (value != null) {
                    tasks.put(taskList.get(i), taskBinding(value));
                }
            }
            for (int i = 0; i < contextList.size(); i++) {
                JsonNode value = parse(all.get(taskList.size() + i));
                if (value != null) {
                    contexts.put(contextList.get(i), contextOwner(value));
                }
            }
            return new Found(tasks, contexts);
        }).onFailure(e -> readErrors.increment());
    }

    private static TaskBinding taskBinding(JsonNode value) {
        return new TaskBinding(text(value, "tool"), text(value, "owner"), text(value, "instance"));
    }

    private static String contextOwner(JsonNode value) {
        String owner = text(value, "owner");
        if (owner == null) {
            // Only owned contexts are ever written: a context binding without an owner is not one.
            throw new IllegalStateException("a context binding in Redis names no owner");
        }
        return owner;
    }

    /** A value that is not a binding fails the read (the caller refuses): it could be another caller's task, unreadable. */
    private static JsonNode parse(Response response) {
        if (response == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(response.toString());
            if (node == null || !node.isObject()) {
                throw new IllegalStateException("a task binding in Redis is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalStateException("a task binding in Redis is not JSON", e);
        }
    }

    /**
     * A field of a binding: text, or null when absent or JSON null (an anonymous owner). Any other value fails the
     * read (the caller refuses): read as null it would make another caller's task nobody's.
     */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalStateException("a task binding in Redis has a " + field + " that is not text");
        }
        return value.textValue();
    }

    /**
     * Commands pipelined on one connection, one round trip however many ids (a task list may name hundreds), under the
     * per-command timeout; a closed Vert.x rejects the send, which becomes the failed future it means.
     */
    private Future<List<Response>> timedBatch(List<Request> requests) {
        try {
            return redis.batch(requests).timeout(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | IllegalStateException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * Lua shared by the deferral scripts (review BG): an entry is filed under every key of its task's scope, as a binding
     * is, so a reload renaming the scope leaves it found under the keys that stay; and taken once. Each key holds a
     * pointer, the entry's nonce; the entry itself is one key, ARGV[3] followed by the nonce, read and deleted in one script: of two
     * replicas reading pointers under different keys, one gets it, and a pointer left under a key the taker's scope lacks
     * points at nothing. A pointer that is JSON ('{') is an entry an earlier version wrote under that key itself.
     * An entry names the scope it was filed for ({@code scope}, as a binding does): one naming a scope among ARGV[5..] (the
     * other scopes of the reader's configuration) was filed for the server that scope's keys serve now (a reload moved the
     * key it is found under, fix AA), and is passed over, left for that server's. take(first, last): the entry of the first
     * of KEYS[first..last] whose pointer leads to one of this scope's, its pointers under those keys removed (dead ones
     * too). held: whether one of them leads to one of this scope's. file: ARGV[4]'s entry, pointed at by each (another
     * server's pointer under one of them is replaced).
     */
    private static final String FILED_UNDER_EVERY_KEY = """
            local foreign = {}
            for i = 5, #ARGV do foreign[ARGV[i]] = true end
            local function theirs(v)
              local ok, e = pcall(cjson.decode, v)
              return ok and type(e) == 'table' and type(e['scope']) == 'string' and foreign[e['scope']] == true
            end
            local function entry(p)
              if string.sub(p, 1, 1) == '{' then return p end
              return redis.call('GET', ARGV[3] .. p)
            end
            local function take(first, last)
              for i = first, last do
                local p = redis.call('GET', KEYS[i])
                if p then
                  local v = entry(p)
                  if not (v and theirs(v)) then
                    if v and v ~= p then redis.call('DEL', ARGV[3] .. p) end
                    for j = first, last do
                      if redis.call('GET', KEYS[j]) == p then redis.call('DEL', KEYS[j]) end
                    end
                    if v then return v end
                  end
                end
              end
              return false
            end
            local function held(first, last)
              for i = first, last do
                local p = redis.call('GET', KEYS[i])
                if p then
                  local v = entry(p)
                  if v and not theirs(v) then return true end
                end
              end
              return false
            end
            local function file(first, last, value, ttl)
              redis.call('SET', ARGV[3] .. ARGV[4], value, 'PX', ttl)
              for i = first, last do redis.call('SET', KEYS[i], ARGV[4], 'PX', ttl) end
            end
            local n = #KEYS / 2
            """;
    /**
     * KEYS[1..n] the deferred cost under each of the scope's n keys, KEYS[n+1..2n] the early result: takes the early
     * result, or keeps the cost (ARGV[1], PX ARGV[2]) unless one is kept already (the first wins).
     */
    private static final String DEFER_UNLESS_RESULTED = FILED_UNDER_EVERY_KEY + """
            local early = take(n + 1, 2 * n)
            if early then return early end
            if not held(1, n) then file(1, n, ARGV[1], ARGV[2]) end
            return false""";
    /**
     * As {@link #DEFER_UNLESS_RESULTED}: takes the cost, or keeps the result (ARGV[1], PX ARGV[2]; '' keeps none) unless
     * one is kept already.
     */
    private static final String TAKE_OR_LEAVE_RESULT = FILED_UNDER_EVERY_KEY + """
            local cost = take(1, n)
            if cost then return cost end
            if ARGV[1] ~= '' and not held(n + 1, 2 * n) then file(n + 1, 2 * n, ARGV[1], ARGV[2]) end
            return false""";
    /** How long an early result waits for its creating call (DeferredCosts' own window). */
    private static final String EARLY_WINDOW_MILLIS = Long.toString(TimeUnit.MINUTES.toMillis(10));

    /**
     * The script over the scope's cost keys, then its early-result keys, with ARGV value, ttl, entry prefix, nonce, then
     * the other scopes' names.
     */
    private Request costScript(String script, TaskScope scope, String taskId, String value, String ttl) {
        List<String> costKeys = keysOf(TaskStoreKeys.DEFERRED_COST, scope.keys(), taskId);
        List<String> earlyKeys = keysOf(TaskStoreKeys.EARLY_RESULT, scope.keys(), taskId);
        Request request = Request.cmd(Command.EVAL).arg(script).arg(costKeys.size() + earlyKeys.size());
        costKeys.forEach(request::arg);
        earlyKeys.forEach(request::arg);
        request.arg(value).arg(ttl).arg(keys.entryPrefix()).arg(java.util.UUID.randomUUID().toString());
        scope.foreign().forEach(request::arg);
        return request;
    }

    @Override
    public Future<EarlyTaskResult> deferCost(TaskScope scope, String taskId, DeferredTaskCost cost) {
        String value = costValue(cost).put("scope", scope.name()).toString();
        return timedBatch(List.of(costScript(DEFER_UNLESS_RESULTED, scope, taskId, value, ttlMillis))).map(answers -> {
                    JsonNode early = parse(answers.get(0));
                    if (early == null) {
                        return null;
                    }
                    if (!early.path("micros").canConvertToLong() || !early.path("reported").isBoolean()) {
                        throw new IllegalStateException("an early task result in Redis holds no amount");
                    }
                    return new EarlyTaskResult(early.get("reported").booleanValue(), early.get("micros").longValue());
                });
    }

    @Override
    public Future<DeferredTaskCost> takeDeferredCost(TaskScope scope, String taskId, EarlyTaskResult result) {
        String early = result == null ? ""
                : JSON.createObjectNode().put("reported", result.reported()).put("micros", result.micros()).put("scope", scope.name()).toString();
        return timedBatch(List.of(costScript(TAKE_OR_LEAVE_RESULT, scope, taskId, early, EARLY_WINDOW_MILLIS))).map(answers -> {
            JsonNode value = parse(answers.get(0));
            return value == null ? null : deferredTaskCost(value);
        });
    }

    private static ObjectNode costValue(DeferredTaskCost cost) {
        return JSON.createObjectNode().put("tenant", cost.tenant()).put("tree", cost.tree()).put("route", cost.route())
                .put("tool", cost.tool()).put("estimate", cost.estimateMicros()).put("paid", cost.paidMicros());
    }

    private static DeferredTaskCost deferredTaskCost(JsonNode value) {
        if (!value.path("estimate").canConvertToLong() || !value.path("paid").canConvertToLong()) {
            throw new IllegalStateException("a deferred cost in Redis holds no amounts");
        }
        return new DeferredTaskCost(text(value, "tenant"), text(value, "tree"), text(value, "route"), text(value, "tool"),
                value.get("estimate").longValue(), value.get("paid").longValue());
    }

    /** How long a stream's entry waits for its resumed answer (DeferredCosts' own window). */
    private static final String STREAM_WINDOW_MILLIS = Long.toString(TimeUnit.HOURS.toMillis(1));

    /**
     * KEYS the request's queue under each of the scope's keys; ARGV[1] the entry, ARGV[2] its window, ARGV[3] the entry
     * prefix, ARGV[4] its nonce: the entry is kept once, its nonce queued under every key (review BG), as deferred costs are.
     */
    private static final String QUEUE_UNDER_EVERY_KEY = """
            redis.call('SET', ARGV[3] .. ARGV[4], ARGV[1], 'PX', ARGV[2])
            for _, key in ipairs(KEYS) do
              redis.call('RPUSH', key, ARGV[4])
              redis.call('PEXPIRE', key, ARGV[2])
            end
            return false""";
    /**
     * KEYS the request's queue under each of the scope's keys; ARGV[1] the entry prefix, ARGV[2..] the other scopes'
     * names: the oldest entry still kept of the first queue that leads to one of this scope's, taken (once), its nonce
     * removed from every queue; nonces of entries taken through another queue are dropped on the way. An entry naming
     * another scope of the reader's configuration was queued for the server that scope's keys serve now (fix AA): passed
     * over and left in place. A queued JSON entry was written by an earlier version: itself.
     */
    private static final String TAKE_QUEUED = """
            local foreign = {}
            for i = 2, #ARGV do foreign[ARGV[i]] = true end
            local function theirs(v)
              local ok, e = pcall(cjson.decode, v)
              return ok and type(e) == 'table' and type(e['scope']) == 'string' and foreign[e['scope']] == true
            end
            for _, key in ipairs(KEYS) do
              for _, p in ipairs(redis.call('LRANGE', key, 0, -1)) do
                if string.sub(p, 1, 1) == '{' then
                  if not theirs(p) then
                    redis.call('LREM', key, 1, p)
                    return p
                  end
                else
                  local v = redis.call('GET', ARGV[1] .. p)
                  if not v then
                    redis.call('LREM', key, 0, p)
                  elseif not theirs(v) then
                    redis.call('DEL', ARGV[1] .. p)
                    for _, other in ipairs(KEYS) do redis.call('LREM', other, 0, p) end
                    return v
                  end
                end
              end
            end
            return false""";

    @Override
    public Future<Void> deferStreamAnswer(TaskScope scope, String stream, DeferredStreamAnswer answer) {
        List<String> queues = keysOf(TaskStoreKeys.DEFERRED_STREAM, scope.keys(), stream);
        Request request = Request.cmd(Command.EVAL).arg(QUEUE_UNDER_EVERY_KEY).arg(queues.size());
        queues.forEach(request::arg);
        return timedBatch(List.of(request.arg(streamValue(scope, answer)).arg(STREAM_WINDOW_MILLIS).arg(keys.entryPrefix())
                .arg(answer.nonce()))).mapEmpty();
    }

    @Override
    public Future<DeferredStreamAnswer> takeStreamAnswer(TaskScope scope, String stream) {
        List<String> queues = keysOf(TaskStoreKeys.DEFERRED_STREAM, scope.keys(), stream);
        Request request = Request.cmd(Command.EVAL).arg(TAKE_QUEUED).arg(queues.size());
        queues.forEach(request::arg);
        request.arg(keys.entryPrefix());
        scope.foreign().forEach(request::arg);
        return timedBatch(List.of(request))
                .map(answers -> {
                    JsonNode value = parse(answers.get(0));
                    if (value == null) {
                        return null;
                    }
                    JsonNode charge = value.get("charge");
                    return new DeferredStreamAnswer(charge == null || !charge.isObject() ? null : deferredTaskCost(charge),
                            text(value, "task"), text(value, "nonce"));
                });
    }

    @Override
    public Future<Void> dropStreamAnswer(TaskScope scope, String stream, DeferredStreamAnswer answer) {
        List<Request> drops = new ArrayList<>();
        drops.add(Request.cmd(Command.DEL).arg(keys.entryPrefix() + answer.nonce()));
        keysOf(TaskStoreKeys.DEFERRED_STREAM, scope.keys(), stream).forEach(queue -> drops.add(Request.cmd(Command.LREM).arg(queue).arg(0).arg(answer.nonce())));
        return timedBatch(drops).mapEmpty();
    }

    private static String streamValue(TaskScope scope, DeferredStreamAnswer answer) {
        ObjectNode value = JSON.createObjectNode().put("nonce", answer.nonce()).put("scope", scope.name());
        if (answer.charge() != null) {
            value.set("charge", costValue(answer.charge()));
        } else {
            value.put("task", answer.taskId());
        }
        return value.toString();
    }

    @Override
    public void close() {
        redis.close();
    }
}
