package dev.tollgate.policy.condition;

import dev.tollgate.policy.condition.RegexNode.Alternation;
import dev.tollgate.policy.condition.RegexNode.Assertion;
import dev.tollgate.policy.condition.RegexNode.Literal;
import dev.tollgate.policy.condition.RegexNode.Repeat;
import dev.tollgate.policy.condition.RegexNode.Sequence;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The literals a pattern's every match must contain: a set of case-folded strings ({@link CaseFold}) at least
 * one of which occurs in any text the pattern matches. {@code (?i)ignore\s+(all|previous)} gives
 * {@code {"ignore"}}; {@code (?i)(drop|truncate)\s+table} gives {@code {"drop", "truncate"}} (or {@code "table"}).
 * A text containing none of them cannot match, so the pattern need not run: the ATR pack's 1,500 patterns then
 * cost one scan of the text ({@link LiteralScanner}) and the few patterns whose literals occur.
 *
 * <p>Each node yields what it knows: its exact set of matches when small ({@code exact}), else an any-of set
 * every match contains ({@code required}). Sequences concatenate exact neighbours; alternations unite; a
 * repetition with a minimum of one keeps its item's set; anything optional or unknown contributes nothing. So
 * the answer is sound by construction; "no literal" (always run) is the safe default.
 */
final class RequiredLiterals {

    /** Exact sets larger than this are given up (the cross product of small alternations grows fast). */
    private static final int MAX_EXACT_STRINGS = 64;

    private RequiredLiterals() {
    }

    /** What one node tells: either exact (all its matches, small) or required (any-of), or neither (null both). */
    private record Info(Set<String> exact, Set<String> required) {

        static final Info NOTHING = new Info(null, null);

        /** The any-of set this node contributes to its parent: its exact matches or its requirement. */
        Set<String> anyOf() {
            return exact != null ? exact : required;
        }
    }

    /** The folded literals; null when the pattern must always run (some match may contain no literal at all). */
    static Set<String> of(String python) {
        return PythonRegexParser.parse(python).map(RequiredLiterals::of).orElse(null);
    }

    static Set<String> of(RegexNode node) {
        Set<String> set = info(node).anyOf();
        return useful(set) ? Set.copyOf(set) : null;
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
        return Info.NOTHING; // AnyOf, Opaque

    }

    private static Info sequence(List<RegexNode> items) {
        Set<String> run = Set.of("");
        boolean allExact = true;
        Set<String> best = null;
        for (RegexNode item : items) {
            Info info = info(item);
            if (info.exact() != null && (long) run.size() * info.exact().size() <= MAX_EXACT_STRINGS) {
                run = cross(run, info.exact());
                continue;
            }
            // The run so far is a requirement of the sequence, and so is this item's own.
            allExact = false;
            best = better(best, run);
            best = better(best, info.anyOf());
            run = info.exact() != null ? info.exact() : Set.of("");
        }
        if (allExact) {
            return new Info(run, null);
        }
        return new Info(null, better(best, run));
    }

    private static Info alternation(List<RegexNode> branches) {
        Set<String> union = new LinkedHashSet<>();
        boolean allExact = true;
        for (RegexNode branch : branches) {
            Info info = info(branch);
            Set<String> anyOf = info.anyOf();
            if (anyOf == null) {
                // A branch that can match without any known literal: the alternation requires nothing.
                return Info.NOTHING;
            }
            allExact &= info.exact() != null;
            union.addAll(anyOf);
        }
        if (allExact && union.size() <= MAX_EXACT_STRINGS) {
            return new Info(union, null);
        }
        return new Info(null, union);
    }

    private static Info repeat(Repeat r) {
        if (r.min() == 0) {
            Info item = info(r.item());
            if (r.max() == 1 && item.exact() != null && item.exact().size() < MAX_EXACT_STRINGS) {
                Set<String> optional = new LinkedHashSet<>(item.exact());
                optional.add("");
                return new Info(optional, null);
            }
            return Info.NOTHING;
        }
        Info item = info(r.item());
        if (r.min() == 1 && r.max() == 1) {
            return item;
        }
        // At least one repetition: every match contains the item's literals (a longer exact run is not worth it).
        return new Info(null, item.anyOf());
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

    /** The more selective of two requirements: the heavier lightest literal ({@link #weight}), then fewer literals. */
    private static Set<String> better(Set<String> a, Set<String> b) {
        if (b == null || b.isEmpty()) {
            return a;
        }
        if (a == null || a.isEmpty()) {
            return b;
        }
        int la = minWeight(a);
        int lb = minWeight(b);
        if (la != lb) {
            return la > lb ? a : b;
        }
        return a.size() <= b.size() ? a : b;
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
