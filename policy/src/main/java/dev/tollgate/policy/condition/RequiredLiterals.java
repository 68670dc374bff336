package dev.tollgate.policy.condition;

import dev.tollgate.policy.condition.RegexNode.Alternation;
import dev.tollgate.policy.condition.RegexNode.Assertion;
import dev.tollgate.policy.condition.RegexNode.Literal;
import dev.tollgate.policy.condition.RegexNode.Repeat;
import dev.tollgate.policy.condition.RegexNode.Sequence;
import dev.tollgate.policy.condition.LiteralQuery.And;
import dev.tollgate.policy.condition.LiteralQuery.Or;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The literals a pattern's every match must contain, as a {@link LiteralQuery}: {@code (?i)(drop|truncate)\s+table}
 * needs {@code (drop or truncate) and table}. A text for which the query is false cannot match, so the pattern
 * need not run: the ATR pack's 1,555 patterns then cost one scan of the text (an Aho-Corasick automaton) and the
 * few patterns whose words occur.
 *
 * <p>Each node yields what it knows: its exact set of matches when small ({@code exact}), else a query every
 * match satisfies. Sequences concatenate exact neighbours and AND the rest; alternations OR their branches (or
 * require nothing if one branch requires nothing); a repetition with a minimum of one keeps its item's query;
 * anything optional or unknown contributes nothing. Sound by construction (dropping a conjunct only weakens the
 * filter); "no query" (always run) is the safe default.
 */
final class RequiredLiterals {

    /** Exact sets larger than this are given up (the cross product of small alternations grows fast). */
    private static final int MAX_EXACT_STRINGS = 64;
    /** The most conjuncts kept in one AND (the most selective): each costs a few bit tests per call. */
    private static final int MAX_CONJUNCTS = 4;

    private RequiredLiterals() {
    }

    /** What one node tells: its exact matches (small), or a query every match satisfies, or nothing (both null). */
    private record Info(Set<String> exact, LiteralQuery query) {

        static final Info NOTHING = new Info(null, null);

        /** The query this node contributes to its parent; null when it requires nothing. */
        LiteralQuery asQuery() {
            if (exact != null) {
                return useful(exact) ? new LiteralQuery.AnyOf(exact) : null;
            }
            return query;
        }
    }

    /** The query every match satisfies; null when the pattern must always run. */
    static LiteralQuery of(String python) {
        return PythonRegexParser.parse(python).map(RequiredLiterals::of).orElse(null);
    }

    static LiteralQuery of(RegexNode node) {
        return info(node).asQuery();
    }

    private static boolean useful(Set<String> set) {
        return set != null && !set.isEmpty() && minWeight(set) > 0;
    }

    private static Info info(RegexNode node) {
        if (node instanceof Literal l) {
            return new Info(Set.of(String.valueOf(CaseFold.fold(l.c()))), null);
        }
        if (node instanceof RegexNode.OneOf o) {
            Set<String> members = new LinkedHashSet<>();
            for (char c : o.chars().toCharArray()) {
                members.add(String.valueOf(CaseFold.fold(c)));
            }
            return new Info(members, null);
        }
        if (node instanceof Assertion) {
            return new Info(Set.of(""), null);
        }
        if (node instanceof Sequence s) {
            return sequence(s.items());
        }
        if (node instanceof Alternation a) {
            return alternation(a.branches());
        }
        if (node instanceof Repeat r) {
            return repeat(r);
        }
        if (node instanceof RegexNode.AnyOf any && any.nonAscii()) {
            return new Info(null, new LiteralQuery.NonAscii());
        }
        return Info.NOTHING; // AnyOf, Opaque
    }

    private static Info sequence(List<RegexNode> items) {
        Set<String> run = Set.of("");
        boolean allExact = true;
        List<LiteralQuery> conjuncts = new ArrayList<>();
        for (RegexNode item : items) {
            if (item instanceof Repeat r && r.min() >= 1 && r.max() != r.min() && info(r.item()).exact() != null) {
                // X+ (X{2,}...): the run continues with the required copies of X, and what follows comes right
                // after one copy of X, so the next run starts with X. i\s+g needs "i " (or "i\t"...) and " g".
                allExact = false;
                Set<String> x = info(r.item()).exact();
                Set<String> copies = power(x, r.min());
                if (copies != null && (long) run.size() * copies.size() <= MAX_EXACT_STRINGS) {
                    run = cross(run, copies);
                } else {
                    add(conjuncts, new Info(run, null).asQuery());
                    run = copies != null ? copies : x;
                }
                add(conjuncts, new Info(run, null).asQuery());
                run = x;
                continue;
            }
            Info info = info(item);
            if (info.exact() != null && (long) run.size() * info.exact().size() <= MAX_EXACT_STRINGS) {
                run = cross(run, info.exact());
                continue;
            }
            // Every match contains a match of the run so far and one of this item: each is a requirement.
            allExact = false;
            add(conjuncts, new Info(run, null).asQuery());
            if (info.exact() != null) {
                run = info.exact();
            } else {
                add(conjuncts, info.query());
                run = Set.of("");
            }
        }
        if (allExact) {
            return new Info(run, null);
        }
        add(conjuncts, new Info(run, null).asQuery());
        return new Info(null, and(conjuncts));
    }

    private static void add(List<LiteralQuery> conjuncts, LiteralQuery query) {
        if (query instanceof And and) {
            conjuncts.addAll(and.all());
        } else if (query != null) {
            conjuncts.add(query);
        }
    }

    /** AND of the most selective conjuncts (dropping one only lets more texts through). */
    private static LiteralQuery and(List<LiteralQuery> conjuncts) {
        if (conjuncts.isEmpty()) {
            return null;
        }
        List<LiteralQuery> kept = new ArrayList<>(conjuncts);
        kept.sort(Comparator.comparingInt(RequiredLiterals::selectivity).reversed());
        kept = kept.subList(0, Math.min(MAX_CONJUNCTS, kept.size()));
        return kept.size() == 1 ? kept.get(0) : new And(List.copyOf(kept));
    }

    private static Info alternation(List<RegexNode> branches) {
        Set<String> union = new LinkedHashSet<>();
        boolean allExact = true;
        List<LiteralQuery> disjuncts = new ArrayList<>();
        for (RegexNode branch : branches) {
            Info info = info(branch);
            LiteralQuery query = info.asQuery();
            if (query == null) {
                // A branch that can match without any known literal: the alternation requires nothing.
                return Info.NOTHING;
            }
            allExact &= info.exact() != null;
            if (info.exact() != null) {
                union.addAll(info.exact());
            }
            disjuncts.add(query);
        }
        if (allExact && union.size() <= MAX_EXACT_STRINGS) {
            return new Info(union, null);
        }
        // Branches that are plain any-of sets merge into one.
        List<LiteralQuery> merged = new ArrayList<>();
        Set<String> plain = new LinkedHashSet<>();
        for (LiteralQuery q : disjuncts) {
            if (q instanceof LiteralQuery.AnyOf any) {
                plain.addAll(any.strings());
            } else if (q instanceof Or or) {
                merged.addAll(or.any());
            } else {
                merged.add(q);
            }
        }
        if (!plain.isEmpty()) {
            merged.add(new LiteralQuery.AnyOf(plain));
        }
        return new Info(null, merged.size() == 1 ? merged.get(0) : new Or(List.copyOf(merged)));
    }

    private static Info repeat(Repeat r) {
        Info item = info(r.item());
        if (r.min() == 0) {
            if (r.max() == 1 && item.exact() != null && item.exact().size() < MAX_EXACT_STRINGS) {
                Set<String> optional = new LinkedHashSet<>(item.exact());
                optional.add("");
                return new Info(optional, null);
            }
            return Info.NOTHING;
        }
        if (r.min() == 1 && r.max() == 1) {
            return item;
        }
        // At least one repetition: every match contains what the item requires (a longer exact run is not worth it).
        return new Info(null, item.asQuery());
    }

    /** {@code x} repeated {@code n} times, or null when that is more than {@link #MAX_EXACT_STRINGS} strings. */
    private static Set<String> power(Set<String> x, int n) {
        Set<String> out = Set.of("");
        for (int k = 0; k < n; k++) {
            if ((long) out.size() * x.size() > MAX_EXACT_STRINGS) {
                return null;
            }
            out = cross(out, x);
        }
        return out;
    }

    private static Set<String> cross(Set<String> left, Set<String> right) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : left) {
            for (String r : right) {
                out.add(l + r);
            }
        }
        return out;
    }

    /** How selective a query is, roughly: the weight of its lightest literal ({@link #weight}) where it can pass. */
    private static int selectivity(LiteralQuery query) {
        if (query instanceof LiteralQuery.NonAscii) {
            return 3;
        }
        if (query instanceof LiteralQuery.AnyOf any) {
            return minWeight(any.strings());
        }
        if (query instanceof And and) {
            return and.all().stream().mapToInt(RequiredLiterals::selectivity).max().orElse(0);
        }
        return ((Or) query).any().stream().mapToInt(RequiredLiterals::selectivity).min().orElse(0);
    }

    private static int minWeight(Set<String> set) {
        int min = Integer.MAX_VALUE;
        for (String s : set) {
            min = Math.min(min, weight(s));
        }
        return min;
    }

    /**
     * How rarely a literal occurs in ordinary text, roughly: an ASCII letter or digit counts 1, ASCII punctuation
     * 2 ({@code $(} is rarer than {@code ab}), anything else 3 (a two-character CJK word is as telling as a
     * six-letter English one).
     */
    static int weight(String literal) {
        int weight = 0;
        for (int k = 0; k < literal.length(); k++) {
            char c = literal.charAt(k);
            weight += c >= 0x80 ? 3 : Character.isLetterOrDigit(c) ? 1 : 2;
        }
        return weight;
    }
}
