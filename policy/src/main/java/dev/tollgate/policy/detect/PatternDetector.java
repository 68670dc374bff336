package dev.tollgate.policy.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.function.Predicate;

/**
 * A detector made of rules, each an RE2 expression (linear time whatever the input) behind a trigger: a cheap test a
 * text must pass for the expression to be able to match at all (a literal it needs, a run of digits long enough). Most
 * tool results trip no trigger, so they cost a few substring searches instead of a dozen regex passes; a text that trips
 * one still gets the full, exact expression. An optional validator confirms a candidate (a card number's Luhn digit).
 */
class PatternDetector implements Detector {

    /** One rule of a detector. */
    interface Rule {
        void scan(TextView text, String detector, SpanSink out);
    }

    /**
     * A trigger: one of these case-insensitive literals must occur in the text. It also tells where: the expression then
     * reads only windows around the occurrences (see {@link Literals#windows}).
     */
    static Literals anyOf(String... lowercaseLiterals) {
        return new Literals(List.of(lowercaseLiterals), Literals.REACH);
    }

    /** As {@link #anyOf}, for matches that reach further from their literal (a private key block). */
    static Literals anyOfReaching(int reach, String... lowercaseLiterals) {
        return new Literals(List.of(lowercaseLiterals), reach);
    }

    /** A trigger made of literals, each of which every match of its expression contains (so matches lie near them). */
    record Literals(List<String> literals, int reach) implements Predicate<TextView> {

        /** How far a match may reach on either side of its literal: longer tokens than this are cut at the window's edge. */
        static final int REACH = 2048;

        @Override
        public boolean test(TextView text) {
            String lower = text.lower();
            for (String literal : literals) {
                if (lower.contains(literal)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The regions of the normalized text around every occurrence of a literal, merged where they overlap, as
         * {start, end} pairs; null when the lower-cased text does not line up with the normalized one (a character
         * whose lower case is longer), and the whole text must be read.
         */
        int[] windows(TextView text) {
            String lower = text.lower();
            String s = text.normalized();
            if (lower.length() != s.length()) {
                return null;
            }
            java.util.TreeMap<Integer, Integer> spans = new java.util.TreeMap<>();
            for (String literal : literals) {
                for (int at = lower.indexOf(literal); at >= 0; at = lower.indexOf(literal, at + 1)) {
                    int start = Math.max(0, at - reach);
                    int end = Math.min(s.length(), at + literal.length() + reach);
                    spans.merge(start, end, Math::max);
                }
            }
            int[] merged = new int[spans.size() * 2];
            int n = 0;
            for (var e : spans.entrySet()) {
                if (n > 0 && e.getKey() <= merged[n - 1]) {
                    merged[n - 1] = Math.max(merged[n - 1], e.getValue());
                } else {
                    merged[n++] = e.getKey();
                    merged[n++] = e.getValue();
                }
            }
            return java.util.Arrays.copyOf(merged, n);
        }
    }

    /** A run of at least {@code digits} digits (single separators between them allowed) somewhere in the text. */
    static Predicate<TextView> digitRun(int digits) {
        return text -> text.maxDigitRun() >= digits;
    }

    /**
     * {@code letters} ASCII capitals right before {@code digits} digits (a space allowed between): what an IBAN or a UK
     * national insurance number starts with. One pass over the text.
     */
    static Predicate<TextView> capitalsThenDigits(int letters, int digits) {
        return text -> {
            String s = text.normalized();
            int capitals = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 'A' && c <= 'Z') {
                    capitals++;
                } else if (capitals >= letters) {
                    int j = c == ' ' ? i + 1 : i;
                    int d = 0;
                    while (j < s.length() && d < digits && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                        j++;
                        d++;
                    }
                    if (d == digits) {
                        return true;
                    }
                    capitals = 0;
                } else {
                    capitals = 0;
                }
            }
            return false;
        };
    }

    /**
     * A validator that reads a match both as normalized and as written: where folding could make a look-alike pass
     * (a host {@code аррӏе.com} in Cyrillic letters reads {@code apple.com} folded), both readings must pass.
     */
    public interface BothReadings extends Predicate<String> {
        boolean test(String normalized, String original);

        @Override
        default boolean test(String text) {
            return test(text, text);
        }
    }

    /**
     * An expression behind a trigger, reporting what it matches (its group 1 when it has one) as {@code kind}.
     *
     * @param alphabet every character a match can hold, but for one character of context on either side (the
     *                 {@code [^0-9]} before a card number), or null when not known; lets the reading with markup taken
     *                 out be read only in the runs of these characters a mark was taken out of ({@link SeamRuns})
     */
    record RegexRule(String kind, Predicate<TextView> trigger, Pattern pattern, Predicate<String> validator,
                     java.util.function.IntPredicate alphabet) implements Rule {

        RegexRule(String kind, Predicate<TextView> trigger, String regex) {
            this(kind, trigger, Pattern.compile(regex), null, null);
        }

        RegexRule(String kind, Predicate<TextView> trigger, String regex, Predicate<String> validator) {
            this(kind, trigger, Pattern.compile(regex), validator, null);
        }

        /** This rule, its matches made only of {@code characters} (see {@link #alphabet}). */
        RegexRule madeOf(java.util.function.IntPredicate characters) {
            return new RegexRule(kind, trigger, pattern, validator, characters);
        }

        @Override
        public void scan(TextView text, String detector, SpanSink out) {
            if (!trigger.test(text)) {
                return;
            }
            String s = text.normalized();
            int[] windows;
            if (text.readOnlyAroundSeams() && alphabet != null) {
                // A reading with marks taken out reads otherwise than the string only where a mark joined two runs of
                // what a match is made of (a card number split by a tag): only those runs are read (see SeamRuns).
                windows = SeamRuns.windows(text, alphabet, trigger instanceof Literals literals ? literals : null);
            } else {
                windows = trigger instanceof Literals literals ? literals.windows(text) : null;
            }
            if (windows == null) {
                if (text.readOnlyAroundSeams()) {
                    // A rule whose trigger is no word, and whose alphabet is not known, reads the whole text: not again
                    // in a reading made only of marks taken out (a Markdown page would cost its budget twice).
                    return;
                }
                windows = new int[] {0, s.length()};
            }
            for (int w = 0; w < windows.length; w += 2) {
                int from = windows[w];
                int to = windows[w + 1];
                if (!text.holdsSeam(from, to)) {
                    continue; // read as written by the string's own reading
                }
                text.budget().charge(to - from);
                // A window's edges are not the text's: a match must not start or end there unless the text does.
                Matcher m = pattern.matcher(from == 0 && to == s.length() ? s : s.substring(from, to));
                // The next match is looked for from the end of what this one reports, not of all it matched: the
                // character of context after a number ([^0-9]) is the one before the next (4111111111111111 5500000000000004).
                int next = 0;
                while (next <= to - from && m.find(next)) {
                    int group = m.groupCount() >= 1 && m.group(1) != null ? 1 : 0;
                    next = Math.max(m.end(group), m.start() + 1);
                    int start = from + m.start(group);
                    int end = from + m.end(group);
                    if (end == to && to < s.length()) {
                        // Cut by the window, not by the text: the rest of the token is part of the match (never leave a tail).
                        while (end < s.length() && !Character.isWhitespace(s.charAt(end))) {
                            end++;
                        }
                    }
                    if (validator == null || (validator instanceof BothReadings both
                            ? both.test(s.substring(start, end), text.original().substring(text.originalStart(start), text.originalEnd(end)))
                            : validator.test(s.substring(start, end)))) {
                        text.report(start, end, kind, out);
                    }
                }
            }
        }
    }

    private final String name;
    private final List<Rule> rules;

    PatternDetector(String name, List<Rule> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
    }

    List<Rule> rules() {
        return rules;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean reportsLinks() {
        return rules.stream().anyMatch(LinkRule.class::isInstance);
    }

    @Override
    public void scan(TextView text, SpanSink out) {
        for (Rule rule : rules) {
            rule.scan(text, name, out);
        }
    }
}
