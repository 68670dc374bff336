package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.TenantKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code check: {name: rate_limit, args: {rate: 10, period: 1s, burst: 20, per: [tenant, tool]}}} holds
 * when the caller's token bucket is empty. One bucket per check (its policy, rule and place in the rule) and per
 * combination of the {@code per} values (no {@code per}: one bucket for the check); it refills at {@code rate}
 * tokens per {@code period} up to {@code burst} (default: {@code rate}). Used as a condition of a deny rule. The token is taken by
 * the gateway after the decision (locally, or in Redis when buckets are shared), so evaluating a policy
 * (explain, dry runs) never consumes tokens. A value missing from the identity keys as "-"; values are escaped
 * ({@link dev.tollgate.policy.CallerKey#part}) so no two combinations join alike.
 */
public final class RateLimitCheck implements PolicyCheck {

    public static final String NAME = "rate_limit";
    static final Set<String> KEYS = Set.of("tenant", "agent", "run", "sub", "tree", "parent", "spiffe_id", "tool",
            "method", "route");
    private static final Set<String> ARGS = Set.of("rate", "period", "burst", "per");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompiledCheck compile(JsonNode args) {
        return compile(args, null);
    }

    @Override
    public CompiledCheck compile(JsonNode args, String rule) {
        return compile(args, rule, rule);
    }

    /**
     * @param scope the policy, rule and place of this check (ConditionCompiler): its buckets' key starts with it. Keyed
     *              by the rule's name alone, two checks of one rule ("10 a second and 3 an hour") and same-named rules
     *              of two policies shared a bucket, each take refilling it at its own rate and capping it at its own
     *              burst, so the stricter limit never held (review revJ).
     */
    @Override
    public CompiledCheck compile(JsonNode args, String rule, String scope) {
        if (args == null || !args.isObject()) {
            throw new IllegalArgumentException("rate_limit needs args: {rate, period, burst, per}");
        }
        args.fieldNames().forEachRemaining(f -> {
            if (!ARGS.contains(f)) {
                throw new IllegalArgumentException("rate_limit takes rate, period, burst and per, not " + f);
            }
        });
        JsonNode rate = args.get("rate");
        if (rate == null || !rate.isNumber() || rate.doubleValue() <= 0) {
            throw new IllegalArgumentException("rate_limit needs args.rate, a positive number of calls per period");
        }
        Duration period = period(args.get("period"));
        JsonNode burstNode = args.get("burst");
        long burst;
        if (burstNode == null) {
            burst = (long) Math.max(1, Math.ceil(rate.doubleValue()));
        } else if (!burstNode.isIntegralNumber() || burstNode.longValue() < 1) {
            throw new IllegalArgumentException("rate_limit args.burst is a positive integer");
        } else {
            burst = burstNode.longValue();
        }
        List<String> per = per(args.get("per"));
        double perSecond = rate.doubleValue() * 1e9 / period.toNanos();
        String name = rule == null ? NAME : rule;
        String bucketScope = scope == null ? name : scope;
        boolean callerNamesKeys = per.stream().anyMatch(CALL_FIELDS::contains);
        return request -> {
            String key = key(bucketScope, per, request);
            String owner = callerNamesKeys ? bucketScope + "|" + caller(request.identity()) : key;
            return request.facts().rateLimited(name, tenant(request.identity()), owner, key, perSecond, burst);
        };
    }

    /**
     * The bucket's key: the check's scope and each {@code per} value in order. A value longer than
     * {@link #LONGEST_KEY_VALUE} characters (a tool name is the caller's to choose, up to the body limit), or one spelled
     * like a digest, keys as its SHA-256, so a bucket's key stays small and a name cannot pose as another's digest.
     */
    private static String key(String scope, List<String> per, PolicyRequest request) {
        if (per.isEmpty()) {
            return scope;
        }
        StringBuilder key = new StringBuilder(scope);
        for (String field : per) {
            String value = value(field, request);
            // Escaped: "acme|ops" + "planner" is not "acme" + "ops|planner", nor a present "-" a missing value.
            key.append('|').append(value == null ? CallerKey.MISSING
                    : value.length() > LONGEST_KEY_VALUE || value.startsWith(DIGEST_PREFIX) ? sha256(value) : CallerKey.part(value));
        }
        return key.toString();
    }

    /**
     * Who owns the buckets of a rule keyed by what the call names: the caller as the gateway knows it, whatever the
     * rule's {@code per} (review: keyed by the per values, every OAuth caller, who has no tenant, shared the owner
     * "rule|-", and a rule keyed by run made an owner per run): {@link CallerKey}; callers with no identity are one
     * anonymous owner.
     */
    static String caller(Identity who) {
        String key = CallerKey.of(who);
        return key == null ? "anonymous" : key;
    }

    /**
     * Whose share of the store every bucket of the call counts against, whatever the rule's {@code per} (review AG: a rule
     * keyed by identity values only, {@code per: [tenant, run]}, had no share at all, so one tenant's runs filled the
     * table): {@link TenantKey}; callers with no identity are one anonymous tenant.
     */
    static String tenant(Identity who) {
        String key = TenantKey.of(who);
        return key == null ? "anonymous" : key;
    }

    private static final String DIGEST_PREFIX = "sha256:";

    /** Keys whose values the call names (any tool name, any method) rather than the caller's verified identity. */
    static final Set<String> CALL_FIELDS = Set.of("tool", "method", "route");
    static final int LONGEST_KEY_VALUE = 128;

    /**
     * @throws IllegalArgumentException for a value holding an unpaired surrogate (review BR): getBytes would write it as
     *                                  '?', another value's bucket. The encoder reports it instead.
     */
    static String sha256(String value) {
        try {
            java.nio.ByteBuffer utf8 = java.nio.charset.StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(value));
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            sha256.update(utf8);
            return DIGEST_PREFIX + java.util.HexFormat.of().formatHex(sha256.digest());
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("a rate_limit key value holds an unpaired UTF-16 surrogate: it has no UTF-8 encoding of its own");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** A {@code per} value; the tool as the gateway knows it ({@link dev.tollgate.policy.CallFacts#toolBucket}: an unknown A2A skill keys as "-"). */
    private static String value(String field, PolicyRequest request) {
        CallDescription call = request.call();
        Identity identity = request.identity();
        return switch (field) {
            case "tool" -> request.facts().toolBucket(call.toolName());
            case "method" -> call.method();
            case "route" -> call.route();
            default -> {
                Object claim = identity.claim(field);
                yield claim == null ? null : claim.toString();
            }
        };
    }

    private static List<String> per(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.textValue());
        } else if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else {
            throw new IllegalArgumentException("rate_limit args.per is a key or a list of keys");
        }
        for (String key : out) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("rate_limit cannot key by '" + key + "' (keys: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        return List.copyOf(out);
    }

    private static Duration period(JsonNode node) {
        if (node == null) {
            return Duration.ofSeconds(1);
        }
        Duration d = dev.tollgate.policy.yaml.Durations.parse(node.asText());
        if (d == null) {
            throw new IllegalArgumentException("rate_limit args.period is a duration such as 500ms, 1s, 1m or 1h");
        }
        return d;
    }
}
