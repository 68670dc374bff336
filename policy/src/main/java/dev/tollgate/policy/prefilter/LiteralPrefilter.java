package dev.tollgate.policy.prefilter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.LiteralQuery;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lets a document's AGT {@code matches} rules skip their regular expression when the text cannot match: each
 * such pattern has a set of literals one of which every match contains ({@link AgtCondition#requiredLiterals()}),
 * one automaton finds all the document's literals in a field's text in a single pass, and a rule none of whose
 * literals occurs is ruled out without running. Exact by construction: a skipped rule could not have matched.
 * The ATR pack's 1,555 patterns then cost one scan per field plus the few patterns whose words occur.
 *
 * <p>Two outcomes stay the regular expression's own: a field absent from the context rules the rule out (it
 * matches nothing anyway), but a text longer than the pattern may scan is never ruled out, so it still denies
 * with {@code regex_input_too_long}. A pattern whose search would have run out of steps on a text without any of
 * its literals is ruled out: it could not have matched, and no step is taken.
 *
 * <p>Immutable, built once per document; {@link #start} makes the per-evaluation state.
 */
public final class LiteralPrefilter {

    /**
     * @param field         index into the document's gated fields
     * @param query         what a match needs, over literal ids of the automaton
     * @param maxInputChars the longest text the rule's pattern searches (longer must reach it to be refused)
     */
    record Gate(int field, Query query, int maxInputChars) {
    }

    /** A {@link LiteralQuery} compiled to literal ids: a few bit tests per rule and call. */
    sealed interface Query {
        boolean holds(long[] found);
    }

    record AnyOf(int[] ids) implements Query {
        @Override
        public boolean holds(long[] found) {
            for (int id : ids) {
                if ((found[id >>> 6] & (1L << id)) != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The text has a non-ASCII character: {@link AhoCorasick#scan} sets the bit after the last literal's. */
    record NonAscii(int bit) implements Query {
        @Override
        public boolean holds(long[] found) {
            return (found[bit >>> 6] & (1L << bit)) != 0;
        }
    }

    record And(Query[] all) implements Query {
        @Override
        public boolean holds(long[] found) {
            for (Query q : all) {
                if (!q.holds(found)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Or(Query[] any) implements Query {
        @Override
        public boolean holds(long[] found) {
            for (Query q : any) {
                if (q.holds(found)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Compiled in two passes: literal ids first, so the non-ASCII bit (after the last literal) is known. */
    private static Query compile(LiteralQuery query, Map<String, Integer> literalIds) {
        if (query instanceof LiteralQuery.NonAscii) {
            return new NonAscii(-1);
        }
        if (query instanceof LiteralQuery.AnyOf any) {
            return new AnyOf(any.strings().stream().mapToInt(l -> literalIds.computeIfAbsent(l, x -> literalIds.size())).toArray());
        }
        if (query instanceof LiteralQuery.And and) {
            return new And(and.all().stream().map(q -> compile(q, literalIds)).toArray(Query[]::new));
        }
        return new Or(((LiteralQuery.Or) query).any().stream().map(q -> compile(q, literalIds)).toArray(Query[]::new));
    }

    private final AhoCorasick automaton;
    private final String[] fields;
    private final Gate[] gates;
    private final TriggerIndex triggers;

    private LiteralPrefilter(AhoCorasick automaton, String[] fields, Gate[] gates, TriggerIndex triggers) {
        this.automaton = automaton;
        this.fields = fields;
        this.gates = gates;
        this.triggers = triggers;
    }

    /**
     * The prefilter for conditions indexed by rule (a rule's index is its key in {@link #start}'s scan); null
     * when no condition is an AGT {@code matches} with literals, so plain documents pay nothing.
     */
    public static LiteralPrefilter of(Condition[] conditionsByRule) {
        Map<String, Integer> literalIds = new LinkedHashMap<>();
        Map<String, Integer> fieldIds = new LinkedHashMap<>();
        Map<Integer, Gate> gateByRule = new HashMap<>();
        for (int rule = 0; rule < conditionsByRule.length; rule++) {
            if (!(conditionsByRule[rule] instanceof AgtCondition agt) || agt.regex() == null || agt.requiredLiterals() == null) {
                continue;
            }
            Query query = compile(agt.requiredLiterals(), literalIds);
            int field = fieldIds.computeIfAbsent(agt.field(), f -> fieldIds.size());
            gateByRule.put(rule, new Gate(field, query, agt.regex().maxInputChars()));
        }
        if (gateByRule.isEmpty()) {
            return null;
        }
        int nonAsciiBit = literalIds.size();
        Gate[] gates = new Gate[conditionsByRule.length];
        gateByRule.forEach((rule, gate) -> gates[rule] = new Gate(gate.field(), withBit(gate.query(), nonAsciiBit), gate.maxInputChars()));
        String[] literals = literalIds.keySet().toArray(String[]::new);
        return new LiteralPrefilter(AhoCorasick.of(List.of(literals)), fieldIds.keySet().toArray(String[]::new), gates,
                TriggerIndex.of(gates, literals, fieldIds.size()));
    }

    private static Query withBit(Query query, int nonAsciiBit) {
        if (query instanceof NonAscii) {
            return new NonAscii(nonAsciiBit);
        }
        if (query instanceof And and) {
            return new And(Arrays.stream(and.all()).map(q -> withBit(q, nonAsciiBit)).toArray(Query[]::new));
        }
        if (query instanceof Or or) {
            return new Or(Arrays.stream(or.any()).map(q -> withBit(q, nonAsciiBit)).toArray(Query[]::new));
        }
        return query;
    }

    /** The state of one evaluation: each field is looked up and scanned at most once, when a rule first needs it. */
    public Scan start(PolicyRequest request) {
        return new Scan(request);
    }

    /** How many distinct literals the automaton looks for (for tests and diagnostics). */
    public int literalCount() {
        return automaton.literalCount();
    }

    /** How many rules have a gate. */
    public int gatedRules() {
        int n = 0;
        for (Gate gate : gates) {
            n += gate == null ? 0 : 1;
        }
        return n;
    }

    /** Per-evaluation state; not shared between threads. */
    public final class Scan {

        private final PolicyRequest request;
        private final String[] texts = new String[fields.length];
        private final long[][] found = new long[fields.length][];
        private final boolean[] looked = new boolean[fields.length];
        /** Fields whose value holds a number a double reads differently: their rules always run (see below). */
        private final boolean[] readsTwoWays = new boolean[fields.length];
        /** A bit per rule: set when one of its triggers occurs in its field, so its query may hold. */
        private final long[] candidates = new long[(gates.length + 63) >>> 6];

        private Scan(PolicyRequest request) {
            this.request = request;
        }

        /** True when rule number {@code rule} cannot match this call: its pattern need not run. */
        public boolean rulesOut(int rule) {
            Gate gate = rule < gates.length ? gates[rule] : null;
            if (gate == null) {
                return false;
            }
            int f = gate.field();
            if (AgtCondition.TOOL_CALL_COUNT.equals(fields[f])) {
                return false; // the run's count is the request's fact, not the call's: the condition reads it itself
            }
            if (!looked[f]) {
                looked[f] = true;
                JsonNode value = AgtCondition.lookup(fields[f], request.call(), request.identity());
                texts[f] = AgtCondition.searchText(value);
                // The scan reads the exact text; the text of the value a JavaScript upstream reads may hold literals
                // this one lacks, so only running the pattern on both readings can tell (the condition does). A
                // pattern is not decided on the integer reading.
                readsTwoWays[f] = !AgtCondition.readsAlikeAsDoubles(fields[f], request.call(), request.identity(), value);
                if (texts[f] != null) {
                    found[f] = new long[(automaton.literalCount() + 64) >>> 6];
                    automaton.scan(texts[f], found[f]);
                    triggers.mark(f, found[f], candidates);
                }
            }
            String text = texts[f];
            if (text == null) {
                return true;
            }
            if (text.length() > gate.maxInputChars() || readsTwoWays[f]) {
                return false;
            }
            // Not a candidate: none of its triggers occurs, so its query is false without evaluating it.
            return (candidates[rule >>> 6] & (1L << rule)) == 0 || !gate.query().holds(found[f]);
        }

        /** Why {@link #rulesOut} said so, for {@code explain}. */
        public String reason(int rule) {
            Gate gate = gates[rule];
            String field = fields[gate.field()];
            return texts[gate.field()] == null ? field + " is absent from the context"
                    : "the literals every match needs do not occur in " + field + " (prefilter; pattern not run)";
        }
    }
}
