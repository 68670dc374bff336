package dev.tollgate.policy.condition;

import dev.tollgate.policy.condition.RegexNode.Alternation;
import dev.tollgate.policy.condition.RegexNode.Assertion;
import dev.tollgate.policy.condition.RegexNode.Literal;
import dev.tollgate.policy.condition.RegexNode.OneOf;
import dev.tollgate.policy.condition.RegexNode.Repeat;
import dev.tollgate.policy.condition.RegexNode.Sequence;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The first two characters of every match, folded ({@link CaseFold}), when there are few: a finer start filter
 * than {@link FirstCharacters}. {@code (?i)\b(you\s+are|become|switch\s+to|...)} starts with one of a dozen
 * letters, common in any text, but with one of a dozen pairs ("yo", "be", "sw"), which few positions hold.
 *
 * <p>Computed over the tree as prefix sets truncated to two characters: a string shorter than two is a whole
 * match of its node, to be continued by what follows. Anything the tree does not model exactly in the first two
 * characters (a class of many characters, a backreference, something repeated that can be empty), more than
 * {@link #MAX_PAIRS} pairs, or a match of fewer than two characters: no pairs (null), the first-character test
 * alone decides.
 */
final class FirstPairs {

    /** Beyond this many pairs the set stops being selective and costs more to search. */
    static final int MAX_PAIRS = 256;

    private FirstPairs() {
    }

    /** The sorted pairs ({@code first << 16 | second}, folded) every match starts with; null when not known. */
    static int[] of(RegexNode tree) {
        Set<String> prefixes = prefixes(tree);
        if (prefixes == null) {
            return null;
        }
        int[] pairs = new int[prefixes.size()];
        int k = 0;
        for (String p : prefixes) {
            if (p.length() < 2) {
                return null; // a match of fewer than two characters
            }
            pairs[k++] = pair(p.charAt(0), p.charAt(1));
        }
        Arrays.sort(pairs);
        return pairs;
    }

    /** Whether the folded pair starting at {@code i} is one of {@code pairs} (the text must have a character at {@code i + 1}). */
    static boolean holds(int[] pairs, char first, char second) {
        return Arrays.binarySearch(pairs, pair(CaseFold.fold(first), CaseFold.fold(second))) >= 0;
    }

    private static int pair(char first, char second) {
        return first << 16 | second;
    }

    /** Prefixes of the node's matches truncated to two characters; null when not modelled exactly or too many. */
    private static Set<String> prefixes(RegexNode node) {
        if (node instanceof Literal l) {
            return Set.of(String.valueOf(CaseFold.fold(l.c())));
        }
        if (node instanceof OneOf o) {
            Set<String> members = new LinkedHashSet<>();
            for (int k = 0; k < o.chars().length(); k++) {
                members.add(String.valueOf(CaseFold.fold(o.chars().charAt(k))));
            }
            return members;
        }
        if (node instanceof Assertion) {
            return Set.of("");
        }
        if (node instanceof Sequence s) {
            Set<String> acc = Set.of("");
            for (RegexNode item : s.items()) {
                if (complete(acc)) {
                    break;
                }
                Set<String> next = prefixes(item);
                acc = next == null ? null : concat(acc, next);
                if (acc == null) {
                    return null;
                }
            }
            return acc;
        }
        if (node instanceof Alternation a) {
            Set<String> union = new LinkedHashSet<>();
            for (RegexNode branch : a.branches()) {
                Set<String> p = prefixes(branch);
                if (p == null) {
                    return null;
                }
                union.addAll(p);
            }
            return union.size() <= MAX_PAIRS ? union : null;
        }
        if (node instanceof Repeat r) {
            return repeat(r);
        }
        return null; // AnyOf (not listed), Opaque
    }

    private static Set<String> repeat(Repeat r) {
        Set<String> item = prefixes(r.item());
        if (item == null || item.contains("")) {
            return null; // an item that can match empty: not worth modelling
        }
        Set<String> result = new LinkedHashSet<>();
        Set<String> copies = Set.of("");
        for (int j = 0; ; j++) {
            if (j >= r.min()) {
                result.addAll(copies);
            }
            if (j == r.max()) {
                break;
            }
            if (complete(copies)) {
                // More copies start the same way: these are also the prefixes of every longer repetition.
                result.addAll(copies);
                break;
            }
            copies = concat(copies, item);
            if (copies == null) {
                return null;
            }
        }
        return result.size() <= MAX_PAIRS ? result : null;
    }

    /** Whether every prefix already has two characters: what follows cannot change them. */
    private static boolean complete(Set<String> prefixes) {
        for (String p : prefixes) {
            if (p.length() < 2) {
                return false;
            }
        }
        return true;
    }

    /** Each prefix, continued by each of {@code next} where it is a whole match, truncated to two characters. */
    private static Set<String> concat(Set<String> prefixes, Set<String> next) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : prefixes) {
            if (p.length() >= 2) {
                out.add(p);
                continue;
            }
            for (String n : next) {
                String joined = p + n;
                out.add(joined.length() > 2 ? joined.substring(0, 2) : joined);
            }
            if (out.size() > MAX_PAIRS) {
                return null;
            }
        }
        return out;
    }
}
