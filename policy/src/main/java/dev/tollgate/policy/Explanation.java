package dev.tollgate.policy;

import java.util.List;

/**
 * A decision with every rule tried, in evaluation order, and why each did or did not match; {@code notes} say what the
 * decision assumed or how it was reached (live usage not read, another reading of the call deciding).
 */
public record Explanation(Decision decision, List<RuleTrace> trace, List<String> notes) {

    public Explanation {
        trace = List.copyOf(trace);
        notes = List.copyOf(notes);
    }

    public Explanation(Decision decision, List<RuleTrace> trace) {
        this(decision, trace, List.of());
    }

    /** This explanation with one more note. */
    public Explanation withNote(String note) {
        List<String> more = new java.util.ArrayList<>(notes);
        more.add(note);
        return new Explanation(decision, trace, more);
    }

    /** Readable multi-line text, for the CLI and the admin endpoint. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("decision: ").append(decision.action());
        if (decision.mode() == Mode.SHADOW) {
            sb.append(" (shadow mode: not enforced)");
        }
        sb.append('\n').append("policy:   ").append(decision.policyName() == null ? "(none loaded: fail closed)" : decision.policyName()).append('\n');
        sb.append("rule:     ").append(decision.ruleName() == null ? "(default action)" : decision.ruleName()).append('\n');
        if (decision.message() != null) {
            sb.append("message:  ").append(decision.message()).append('\n');
        }
        for (String note : notes) {
            sb.append("note:     ").append(note).append('\n');
        }
        sb.append("rules, in evaluation order:\n");
        for (RuleTrace t : trace) {
            sb.append(t.matched() ? "  => " : "     ").append(t.rule()).append(" [priority ").append(t.priority()).append("]: ")
                    .append(t.reason()).append('\n');
        }
        return sb.toString();
    }
}
