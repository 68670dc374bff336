package dev.tollgate.policy.prefilter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which rules' queries can hold, from the literals a scan found, without evaluating 1,555 formulas per call:
 * each rule is indexed under a few of its literals (its <em>triggers</em>), chosen so that its query can only
 * hold when one of them occurs. After a scan, the rules listed under the literals found are the only
 * candidates; every other rule's query is false, so it is ruled out with one bit test. A benign 1 KiB text
 * holds a few hundred distinct literals, most of them listed under no rule (a rule is indexed by its rarest
 * conjunct), so marking costs far less than evaluating each rule's formula.
 *
 * <p>Triggers of a query: {@code AnyOf}, its literals; the non-ASCII test, its bit; {@code And}, the triggers of
 * its rarest conjunct (if the AND holds, that conjunct does); {@code Or}, the union of its branches' triggers.
 */
final class TriggerIndex {

    /** Rule numbers by field, then by literal id (the non-ASCII bit counts as one more literal); null when none. */
    private final int[][][] rulesByFieldAndLiteral;

    private TriggerIndex(int[][][] rulesByFieldAndLiteral) {
        this.rulesByFieldAndLiteral = rulesByFieldAndLiteral;
    }

    /**
     * @param gates    by rule; null where a rule has no gate
     * @param literals the automaton's literals by id; id {@code literals.length} is the non-ASCII bit
     */
    static TriggerIndex of(LiteralPrefilter.Gate[] gates, String[] literals, int fieldCount) {
        int ids = literals.length + 1;
        List<List<List<Integer>>> lists = new ArrayList<>();
        for (int f = 0; f < fieldCount; f++) {
            List<List<Integer>> byLiteral = new ArrayList<>(ids);
            for (int id = 0; id < ids; id++) {
                byLiteral.add(null);
            }
            lists.add(byLiteral);
        }
        for (int rule = 0; rule < gates.length; rule++) {
            LiteralPrefilter.Gate gate = gates[rule];
            if (gate == null) {
                continue;
            }
            List<List<Integer>> byLiteral = lists.get(gate.field());
            for (int id : triggers(gate.query(), literals)) {
                if (byLiteral.get(id) == null) {
                    byLiteral.set(id, new ArrayList<>());
                }
                List<Integer> rules = byLiteral.get(id);
                if (rules.isEmpty() || rules.get(rules.size() - 1) != rule) {
                    rules.add(rule);
                }
            }
        }
        int[][][] table = new int[fieldCount][ids][];
        for (int f = 0; f < fieldCount; f++) {
            for (int id = 0; id < ids; id++) {
                List<Integer> rules = lists.get(f).get(id);
                table[f][id] = rules == null ? null : rules.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        return new TriggerIndex(table);
    }

    /** Literal ids one of which occurs whenever the query holds (sorted, distinct). */
    static int[] triggers(LiteralPrefilter.Query query, String[] literals) {
        if (query instanceof LiteralPrefilter.AnyOf any) {
            return any.ids().clone();
        }
        if (query instanceof LiteralPrefilter.NonAscii nonAscii) {
            return new int[] {nonAscii.bit()};
        }
        if (query instanceof LiteralPrefilter.And and) {
            int[] best = null;
            int bestRarity = -1;
            for (LiteralPrefilter.Query q : and.all()) {
                int[] t = triggers(q, literals);
                int rarity = rarity(t, literals);
                if (rarity > bestRarity || (rarity == bestRarity && t.length < best.length)) {
                    best = t;
                    bestRarity = rarity;
                }
            }
            return best;
        }
        return Arrays.stream(((LiteralPrefilter.Or) query).any()).flatMapToInt(q -> Arrays.stream(triggers(q, literals)))
                .distinct().sorted().toArray();
    }

    /** How rare the most common trigger of a set is: a set is as rare as its least rare member. */
    private static int rarity(int[] ids, String[] literals) {
        int min = Integer.MAX_VALUE;
        for (int id : ids) {
            // The non-ASCII bit is as telling as one non-ASCII character.
            min = Math.min(min, id < literals.length ? rarity(literals[id]) : 3);
        }
        return min;
    }

    /**
     * How rarely a literal occurs in arguments, roughly, for choosing which conjunct indexes a rule: a letter or
     * digit counts 1, other ASCII 1 too (quotes, colons and commas fill every JSON argument), whitespace nothing
     * (every text has it), anything else 3. So {@code (?i)ignore\s+the\s+rules} is indexed under "ignore" and
     * "rules", not under " the ", which every English text holds.
     */
    static int rarity(String literal) {
        int rarity = 0;
        for (int k = 0; k < literal.length(); k++) {
            char c = literal.charAt(k);
            rarity += c >= 0x80 ? 3 : c == ' ' || c == '\t' ? 0 : 1;
        }
        return rarity;
    }

    /** Sets in {@code candidates} (a bit per rule) each rule of {@code field} listed under a literal set in {@code found}. */
    void mark(int field, long[] found, long[] candidates) {
        int[][] byLiteral = rulesByFieldAndLiteral[field];
        for (int w = 0; w < found.length; w++) {
            long word = found[w];
            while (word != 0) {
                int id = (w << 6) + Long.numberOfTrailingZeros(word);
                word &= word - 1;
                int[] rules = id < byLiteral.length ? byLiteral[id] : null;
                if (rules != null) {
                    for (int rule : rules) {
                        candidates[rule >>> 6] |= 1L << rule;
                    }
                }
            }
        }
    }
}
