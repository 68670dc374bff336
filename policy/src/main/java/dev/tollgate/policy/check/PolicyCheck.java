package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A named custom check, referenced from YAML as {@code check: {name: <name>, args: {...}}} and registered in
 * code through {@link CheckRegistry}. {@link #compile} runs once at load time: validate and precompute
 * there, so the per-call {@link CompiledCheck#test} is cheap. {@code test} runs on the event loop for every
 * call the rule applies to: it must be pure (same request, same answer), fast (microseconds) and must never
 * do I/O or block. Data that lives elsewhere (a spend ledger, a rate counter) is fetched before evaluation
 * and handed in with the request; the check only reads it. An exception from {@code test} makes the rule
 * match as a deny (fail closed), so a broken check can never let a call through.
 *
 * <p>Good: parse and validate once, compare per call.
 * <pre>{@code
 * public CompiledCheck compile(JsonNode args) {
 *     long max = args.path("max_depth").asLong(-1);
 *     if (max < 0) throw new IllegalArgumentException("spawn_depth needs args.max_depth >= 0");
 *     return request -> depthOf(request.identity()) > max;     // a field read and a comparison
 * }
 * }</pre>
 *
 * <p>Bad: work and I/O per call, errors discovered at call time.
 * <pre>{@code
 * public CompiledCheck compile(JsonNode args) {
 *     return request -> {
 *         Pattern p = Pattern.compile(args.get("regex").asText());  // recompiled every call; bad regex found late
 *         return ledger.spentToday(request.identity().tenant())      // blocking network call on the event loop
 *                 > args.get("limit").asLong();
 *     };
 * }
 * }</pre>
 */
public interface PolicyCheck {

    /** The name YAML refers to; unique within a {@link CheckRegistry}. */
    String name();

    /**
     * Validates and precompiles the YAML {@code args} (null when absent).
     *
     * @throws IllegalArgumentException with a message naming the bad argument; the loader reports it with the
     *                                  file, line and field of the {@code args}
     */
    CompiledCheck compile(JsonNode args);

    /**
     * As {@link #compile(JsonNode)}, knowing the rule the check belongs to, for checks whose answer names
     * it (a budget hold refused after the decision is reported as a denial by that rule).
     */
    default CompiledCheck compile(JsonNode args, String rule) {
        return compile(args);
    }

    /**
     * As {@link #compile(JsonNode, String)}, knowing also which check this is: {@code scope} names the policy, the
     * rule and the check's place in it, for checks that keep state of their own (a rate limit's buckets) that must not
     * be shared with another rule's, another policy's, or another check's of the same rule.
     */
    default CompiledCheck compile(JsonNode args, String rule, String scope) {
        return compile(args, rule);
    }
}
