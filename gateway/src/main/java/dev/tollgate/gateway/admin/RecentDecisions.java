package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.telemetry.ArgumentRedactor;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last calls the gateway decided, for the admin page ({@code GET /admin/decisions}): a fixed ring written by every
 * event loop without a lock (one small record and one atomic increment per call), read by the admin port. Arguments
 * are redacted once, when the call is recorded, with the {@code telemetry.redact} list of the snapshot that decided it,
 * and only that redacted copy is kept (review BP: redacted when read, with the list serving then, a reload changing
 * {@code telemetry.redact} showed earlier calls' secrets in clear, and the page kept them in memory meanwhile).
 */
public final class RecentDecisions {

    /** Calls kept: enough for a screen of history, small enough to cost nothing. */
    static final int SIZE = 512;

    /**
     * One decided call, as the admin page shows it and replays it through explain.
     *
     * @param call the call as policy decided it (its protocol, target and direction; arguments are {@code arguments},
     *             kept apart, null where not kept); null when the request was decided as no call
     * @param arguments the call's arguments as redacted when recorded; null where not kept
     */
    public record Entry(long seq, Instant time, String route, String method, String target, Identity caller, String decision, String policy,
                        String rule, String reason, int status, double millis, String traceId, JsonNode arguments, CallDescription call) {
    }

    private final AtomicLong seq = new AtomicLong();
    private final AtomicReferenceArray<Entry> ring = new AtomicReferenceArray<>(SIZE);

    public void record(Instant time, String route, String method, String target, Identity caller, String decision, String policy, String rule,
                       String reason, int status, double millis, String traceId, JsonNode arguments, CallDescription call,
                       ArgumentRedactor redactor) {
        JsonNode kept = arguments == null ? null : redactor.redact(arguments);
        long n = seq.incrementAndGet();
        ring.set((int) (n % SIZE), new Entry(n, time, route, method, target, caller, decision, policy, rule, reason, status, millis, traceId,
                kept, withoutArguments(call)));
    }

    /**
     * The decided call without its arguments: {@code arguments} holds them where they are kept (small requests, not under
     * {@code audit.arguments: none}), so 512 calls of the largest allowed body cannot pin their arguments through here.
     */
    private static CallDescription withoutArguments(CallDescription call) {
        return call == null ? null : new CallDescription(call.protocol(), call.route(), call.method(), call.toolName(), call.resourceUri(),
                call.promptName(), null, call.direction(), null, null);
    }

    /** Entries after {@code after}, oldest first, at most {@code max}; arguments as redacted when recorded. */
    public ObjectNode since(long after, int max) {
        long latest = seq.get();
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("latest", latest);
        ArrayNode list = out.putArray("decisions");
        long from = Math.max(Math.max(after + 1, latest - SIZE + 1), latest - max + 1);
        for (long n = Math.max(from, 1); n <= latest; n++) {
            Entry e = ring.get((int) (n % SIZE));
            if (e == null || e.seq() != n) {
                continue; // overwritten while reading
            }
            list.add(toJson(e));
        }
        return out;
    }

    private static ObjectNode toJson(Entry e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seq", e.seq()).put("time", e.time().toString()).put("route", e.route()).put("method", e.method());
        put(o, "target", e.target());
        put(o, "decision", e.decision());
        put(o, "policy", e.policy());
        put(o, "rule", e.rule());
        put(o, "reason", e.reason());
        o.put("status", e.status()).put("ms", Math.round(e.millis() * 1000) / 1000.0);
        put(o, "trace_id", e.traceId());
        ObjectNode caller = o.putObject("caller");
        put(caller, "spiffe_id", e.caller().spiffeId());
        put(caller, "tenant", e.caller().tenant());
        put(caller, "agent", e.caller().agent());
        put(caller, "sub", e.caller().subUser());
        // What POST /explain needs to say why again, under the current policy: the call as policy decided it (protocol,
        // target, direction) and the whole caller (review AC: a resources/read, a prompt, an A2A send and a caller's
        // capabilities and claims were left out, and explained otherwise than decided).
        ObjectNode explain = o.putObject("explain");
        explain.put("route", e.route());
        ObjectNode call = explain.putObject("call").put("method", e.method());
        CallDescription decided = e.call();
        if (decided != null) {
            put(call, "protocol", decided.protocol());
            put(call, "tool", decided.toolName());
            put(call, "resource", decided.resourceUri());
            put(call, "prompt", decided.promptName());
            put(call, "direction", decided.direction());
        } else if (e.target() != null && "tools/call".equals(e.method())) {
            call.put("tool", e.target());
        }
        if (e.arguments() != null) {
            call.set("arguments", e.arguments());
        }
        explain.set("identity", explainIdentity(e.caller()));
        explain.put("time", e.time().toString());
        return o;
    }

    /** The caller as explain reads it ({@code PolicyTestRunner.identity}): every part of the identity and its claims. */
    private static ObjectNode explainIdentity(Identity caller) {
        ObjectNode identity = JsonNodeFactory.instance.objectNode();
        put(identity, "spiffe_id", caller.spiffeId());
        put(identity, "tenant", caller.tenant());
        put(identity, "agent", caller.agent());
        put(identity, "run", caller.run());
        put(identity, "sub", caller.subUser());
        put(identity, "parent", caller.parent());
        put(identity, "tree", caller.tree());
        if (!caller.capabilities().isEmpty()) {
            ArrayNode capabilities = identity.putArray("capabilities");
            caller.capabilities().forEach(capabilities::add);
        }
        if (!caller.claims().isEmpty()) {
            try {
                identity.set("claims", CLAIMS.valueToTree(caller.claims()));
            } catch (IllegalArgumentException notJson) {
                identity.put("claims_unreadable", notJson.getMessage()); // explained without them: the page says so
            }
        }
        return identity;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CLAIMS = new com.fasterxml.jackson.databind.ObjectMapper();

    private static void put(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
