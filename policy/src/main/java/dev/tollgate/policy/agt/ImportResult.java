package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One AGT document converted: the native document tree, what became of each rule (in file order), and notes on
 * the document itself (defaults, fields dropped because the gateway never enforced them).
 */
public record ImportResult(String name, ObjectNode document, List<RuleImport> rules, List<String> notes) {

    public ImportResult {
        rules = List.copyOf(rules);
        notes = List.copyOf(notes);
    }

    /** Whether every rule was written to the native document. */
    public boolean complete() {
        return rules.stream().allMatch(r -> r instanceof RuleImport.Converted);
    }

    public List<RuleImport.NotConverted> notConverted() {
        return rules.stream().filter(r -> r instanceof RuleImport.NotConverted).map(r -> (RuleImport.NotConverted) r).toList();
    }
}
