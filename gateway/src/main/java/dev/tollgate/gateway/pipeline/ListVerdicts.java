package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.detect.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * The judgements of every entry of one answer's lists (an MCP tools list's tools, an A2A card's skills), gathered into
 * the answer's one verdict: the strongest (an enforced deny, then any deny, then a redact, then the first rule that
 * matched), every finding at its pointer in the answer, and the entries left out by name.
 */
final class ListVerdicts {

    private Decision deny;
    private Decision redact;
    private Decision matched;
    private final List<Finding> findings = new ArrayList<>(0);
    private final List<String> withheld = new ArrayList<>(0);
    private boolean changed;

    /** @param at the entry's pointer in the answer: each finding is recorded where it is in the answer */
    void add(ResultPolicing.Judgement judgement, String at) {
        Decision d = judgement.decision();
        if (d.action() == Action.DENY) {
            deny = deny != null && deny.mode() == Mode.ENFORCE ? deny : d;
        } else if (d.action() == Action.REDACT) {
            redact = redact != null ? redact : d;
        } else if (d.ruleName() != null) {
            matched = matched != null ? matched : d;
        }
        for (Finding f : judgement.findings()) {
            findings.add(new Finding(f.detector(), f.kind(), at + f.pointer(), f.start(), f.end(), f.digest(), f.inKey(), f.encoded()));
        }
    }

    /** Notes an entry left out ({@code tool read_notes}); the answer changed. */
    void withheld(String entry) {
        changed = true;
        if (!withheld.contains(entry)) {
            withheld.add(entry);
        }
    }

    /** Notes an entry redacted in place. */
    void changed() {
        changed = true;
    }

    List<String> withheld() {
        return withheld;
    }

    boolean isChanged() {
        return changed;
    }

    /** Deny (an enforced one first), then redact, then the first rule that matched, else the pass. */
    ResultPolicing.Judgement strongest(CompiledPolicy policy) {
        Decision decision = deny != null ? deny : redact != null ? redact : matched != null ? matched : policy.resultPass();
        return new ResultPolicing.Judgement(decision, List.copyOf(findings));
    }
}
