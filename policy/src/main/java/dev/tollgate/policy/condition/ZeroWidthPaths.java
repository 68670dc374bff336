package dev.tollgate.policy.condition;

import dev.tollgate.policy.condition.RegexNode.Alternation;
import dev.tollgate.policy.condition.RegexNode.AnyOf;
import dev.tollgate.policy.condition.RegexNode.Literal;
import dev.tollgate.policy.condition.RegexNode.Repeat;
import dev.tollgate.policy.condition.RegexNode.Sequence;

/**
 * How many ways a pattern can match without consuming a character, bounded. The step budget of
 * {@link BacktrackingRegex} counts characters read, and a backtracking engine can only do unbounded work
 * between two reads by trying many such empty ways in turn ({@code (?:|)(?:|)...(?=x)} has 2^n at the end of
 * the text, where nothing is read at all). Patterns with more than {@link #MAX_ZERO_WIDTH_PATHS} are refused
 * at load, so the work between two counted reads stays small and the budget bounds the time.
 */
final class ZeroWidthPaths {

    /** AGT's examples have at most a few dozen; 2^22 of them took 2.6 ms between reads in java.util.regex. */
    static final long MAX_ZERO_WIDTH_PATHS = 1_024;

    private static final long CAP = 1L << 40;

    private ZeroWidthPaths() {
    }

    /**
     * The most empty ways any part of the pattern offers between two characters: the largest product over a run
     * of consecutive items that can each match empty ({@code (?:|)(?:|)x} has 4 before the x), anywhere in
     * the tree, saturating at 2^40.
     */
    static long worst(RegexNode node) {
        long worst = of(node);
        if (node instanceof Sequence s) {
            long run = 1;
            for (RegexNode item : s.items()) {
                worst = Math.max(worst, worst(item));
                long empty = of(item);
                run = empty == 0 ? 1 : saturatingMultiply(run, empty);
                worst = Math.max(worst, run);
            }
        } else if (node instanceof Alternation a) {
            for (RegexNode branch : a.branches()) {
                worst = Math.max(worst, worst(branch));
            }
        } else if (node instanceof Repeat r) {
            worst = Math.max(worst, worst(r.item()));
        }
        return worst;
    }

    /** The number of empty matches the node can make, saturating at 2^40. */
    static long of(RegexNode node) {
        if (node instanceof Literal || node instanceof AnyOf || node instanceof RegexNode.OneOf) {
            return 0;
        }
        if (node instanceof Sequence s) {
            long product = 1;
            for (RegexNode item : s.items()) {
                product = saturatingMultiply(product, of(item));
            }
            return product;
        }
        if (node instanceof Alternation a) {
            long sum = 0;
            for (RegexNode branch : a.branches()) {
                sum = Math.min(CAP, sum + of(branch));
            }
            return sum;
        }
        if (node instanceof Repeat r) {
            return repeat(r);
        }
        return 1; // Assertion, Opaque: one empty way
    }

    private static long repeat(Repeat r) {
        long item = of(r.item());
        if (item == 0) {
            // Nothing empty inside: skipping it (when optional) is the one empty way.
            return r.min() > 0 ? 0 : 1;
        }
        // Each required repetition may take any empty way; beyond the minimum the engines stop at an empty
        // repetition, so one more choice (repeat or not) is all that adds.
        long paths = 1;
        for (int k = 0; k < Math.max(1, r.min()) && paths < CAP; k++) {
            paths = saturatingMultiply(paths, item);
        }
        return Math.min(CAP, paths + (r.max() != r.min() ? 1 : 0));
    }

    private static long saturatingMultiply(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > CAP / b ? CAP : a * b;
    }
}
