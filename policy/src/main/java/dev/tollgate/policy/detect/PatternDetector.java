package dev.tollgate.policy.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;

/**
 * A detector made of RE2 expressions (linear time whatever the input), each with the kind it reports; an optional
 * validator confirms a candidate (a card number's Luhn digit, an entropy threshold) before it counts.
 */
class PatternDetector implements Detector {

    /** One expression and what a match of it is. */
    record Rule(String kind, Pattern pattern, Validator validator) {
        Rule(String kind, String regex) {
            this(kind, Pattern.compile(regex), null);
        }

        Rule(String kind, String regex, Validator validator) {
            this(kind, Pattern.compile(regex), validator);
        }
    }

    /** Confirms a candidate match. */
    @FunctionalInterface
    interface Validator {
        boolean valid(String match);
    }

    private final String name;
    private final List<Rule> rules;

    PatternDetector(String name, List<Rule> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void scan(TextView text, SpanSink out) {
        String s = text.normalized();
        for (Rule rule : rules) {
            Matcher m = rule.pattern().matcher(s);
            while (m.find()) {
                int start = m.start(groupOf(m));
                int end = m.end(groupOf(m));
                if (rule.validator() == null || rule.validator().valid(s.substring(start, end))) {
                    text.report(start, end, rule.kind(), out);
                }
            }
        }
    }

    /** Group 1 when the expression marks what to report inside context it needs to see (word boundaries), else the whole match. */
    private static int groupOf(Matcher m) {
        return m.groupCount() >= 1 && m.group(1) != null ? 1 : 0;
    }
}
