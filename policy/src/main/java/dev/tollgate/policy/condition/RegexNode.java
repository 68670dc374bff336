package dev.tollgate.policy.condition;

import java.util.List;

/**
 * The shape of a Python pattern, as far as the load-time analyses need it ({@link RequiredLiterals}, the
 * zero-width path bound of {@link BacktrackingRegex}): which characters are literal, what repeats, what
 * alternates. Anything the parser does not model precisely is {@link Opaque}, which every analysis treats
 * as "could be anything", so imprecision only costs speed, never correctness.
 */
sealed interface RegexNode {

    /** One literal UTF-16 character (never a surrogate), as written (not yet case-folded). */
    record Literal(char c) implements RegexNode {
    }

    /**
     * One character out of a set ({@code .}, {@code [^a]}, {@code \d}): which one is not modelled.
     *
     * @param nonAscii true when every member is outside ASCII and folds outside ASCII ({@code [\u2800-\u28FF]}):
     *                 a text of only ASCII cannot hold one, even case-insensitively
     */
    record AnyOf(boolean nonAscii) implements RegexNode {
    }

    /** One character out of a small explicit class ({@code [rRf]}, {@code [\u200B\u200C]}), as written. */
    record OneOf(String chars) implements RegexNode {
    }

    /**
     * A zero-width test ({@code ^ $ \b \A \Z}, lookahead, lookbehind): consumes nothing.
     *
     * @param wordBoundary true for {@code \b} (a match starting with it and then a word character cannot start
     *                     right after a word character, see {@link FirstCharacters})
     */
    record Assertion(boolean wordBoundary) implements RegexNode {
    }

    /** Matches some text the analyses cannot predict, possibly empty (a backreference). */
    record Opaque() implements RegexNode {
    }

    record Sequence(List<RegexNode> items) implements RegexNode {
    }

    record Alternation(List<RegexNode> branches) implements RegexNode {
    }

    /** @param max -1 for unbounded */
    record Repeat(RegexNode item, int min, int max) implements RegexNode {
    }
}
