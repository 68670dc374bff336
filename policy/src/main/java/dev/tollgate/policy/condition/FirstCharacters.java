package dev.tollgate.policy.condition;

import dev.tollgate.policy.condition.RegexNode.Alternation;
import dev.tollgate.policy.condition.RegexNode.AnyOf;
import dev.tollgate.policy.condition.RegexNode.Assertion;
import dev.tollgate.policy.condition.RegexNode.Literal;
import dev.tollgate.policy.condition.RegexNode.OneOf;
import dev.tollgate.policy.condition.RegexNode.Repeat;
import dev.tollgate.policy.condition.RegexNode.Sequence;

/**
 * The characters a match of a pattern can start with, compared after {@link CaseFold#fold} (so case-insensitive
 * partners, the Kelvin sign for {@code k}, are in whenever {@code k} is): a search need only try the positions
 * that hold one. java.util.regex tries every position of the text, and for {@code (?i)\b(you\s+are|become|...)}
 * each try costs the word-boundary lookaround and every branch; the positions that start with none of the
 * branches' first letters cannot start a match, so they are skipped without changing the answer.
 *
 * <p>Kept as a 128-bit set of folded ASCII characters plus one flag for every character that folds outside
 * ASCII (members of non-ASCII classes, CJK literals): a text character folding outside ASCII is admitted when
 * the flag is set, whichever it is. A surrogate is always admitted (a pattern's literals are never surrogates,
 * but a pattern is not analysed at that level). Null from {@link #of} when a match can start with anything the
 * tree does not model ({@code .}, {@code \w}, a big class, a backreference) or can be empty.
 */
final class FirstCharacters {

    /** Folded ASCII word characters: letters fold to lower case, digits to '0' ({@link CaseFold}). */
    private static final long WORD_LOW = 1L << '0';
    private static final long WORD_HIGH = (1L << ('_' - 64)) | (((1L << 26) - 1) << ('a' - 64));

    private final long low;
    private final long high;
    private final boolean nonAscii;
    /** The match starts with {@code \b} and then a word character: it cannot start right after a word character. */
    private final boolean wordStart;
    /** The first two characters of every match ({@link FirstPairs}); null when not known. */
    private final int[] pairs;

    private FirstCharacters(long low, long high, boolean nonAscii, boolean wordStart, int[] pairs) {
        this.low = low;
        this.high = high;
        this.nonAscii = nonAscii;
        this.wordStart = wordStart;
        this.pairs = pairs;
    }

    /** What every non-empty match starts with; null when the pattern can match empty or start with anything. */
    static FirstCharacters of(RegexNode tree) {
        Builder builder = new Builder();
        if (!builder.add(tree) || builder.unknown) {
            return null;
        }
        boolean onlyWord = !builder.nonAscii && (builder.low & ~WORD_LOW) == 0 && (builder.high & ~WORD_HIGH) == 0;
        return new FirstCharacters(builder.low, builder.high, builder.nonAscii, onlyWord && startsWithWordBoundary(tree),
                FirstPairs.of(tree));
    }

    /** Whether the tree is a sequence whose leading zero-width tests include {@code \b}. */
    private static boolean startsWithWordBoundary(RegexNode tree) {
        if (!(tree instanceof Sequence s)) {
            return false;
        }
        for (RegexNode item : s.items()) {
            if (!(item instanceof Assertion a)) {
                return false;
            }
            if (a.wordBoundary()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a match can start at position {@code i} of a text that ends at {@code end}. With {@code \b} first, a
     * match starting with a word character needs a non-word character (or nothing) before it: a position after a
     * letter, a number or '_' (Python's {@code \w}, the class the engine's {@code \b} tests) is skipped. A
     * surrogate before it is not judged (the engine reads the pair as one character), so that position is tried.
     * When the first two characters of every match are known, the position must hold one such pair.
     */
    boolean admits(String text, int i, int end) {
        if (!admits(text.charAt(i))) {
            return false;
        }
        if (wordStart && i > 0) {
            char before = text.charAt(i - 1);
            if (!Character.isSurrogate(before) && isWordChar(before)) {
                return false;
            }
        }
        return pairs == null || (i + 1 < end && FirstPairs.holds(pairs, text.charAt(i), text.charAt(i + 1)));
    }

    /** Python's {@code \w} on one BMP character: {@code [\p{L}\p{N}_]}, as {@link PythonRegex} spells it. */
    static boolean isWordChar(char c) {
        return c == '_' || Character.isLetter(c) || PythonRegex.isNumber(c);
    }

    /** Whether a match can start at a character {@code c} of the text. */
    boolean admits(char c) {
        char folded = CaseFold.fold(c);
        if (folded < 64) {
            return (low & (1L << folded)) != 0;
        }
        if (folded < 128) {
            return (high & (1L << (folded - 64))) != 0;
        }
        return nonAscii || Character.isSurrogate(c);
    }

    /** The first characters of a tree, accumulated; {@code unknown} once any could start a match. */
    private static final class Builder {

        long low;
        long high;
        boolean nonAscii;
        boolean unknown;

        /** Adds what {@code node} can start with; returns true when it must consume a character (cannot match empty). */
        boolean add(RegexNode node) {
            if (node instanceof Literal l) {
                addFolded(CaseFold.fold(l.c()));
                return true;
            }
            if (node instanceof OneOf o) {
                for (int k = 0; k < o.chars().length(); k++) {
                    addFolded(CaseFold.fold(o.chars().charAt(k)));
                }
                return true;
            }
            if (node instanceof AnyOf any) {
                // Every member folds outside ASCII, or it is not modelled at all.
                nonAscii |= any.nonAscii();
                unknown |= !any.nonAscii();
                return true;
            }
            if (node instanceof Assertion) {
                // Zero width: the match starts with what follows.
                return false;
            }
            if (node instanceof Sequence s) {
                for (RegexNode item : s.items()) {
                    if (add(item)) {
                        return true;
                    }
                }
                return false;
            }
            if (node instanceof Alternation a) {
                boolean allConsume = true;
                for (RegexNode branch : a.branches()) {
                    allConsume &= add(branch);
                }
                return allConsume;
            }
            if (node instanceof Repeat r) {
                if (r.max() == 0) {
                    return false;
                }
                return add(r.item()) && r.min() > 0;
            }
            // Opaque (a backreference): could be anything, even empty.
            unknown = true;
            return false;
        }

        private void addFolded(char folded) {
            if (folded < 64) {
                low |= 1L << folded;
            } else if (folded < 128) {
                high |= 1L << (folded - 64);
            } else {
                nonAscii = true;
            }
        }
    }
}
