package dev.tollgate.policy.agt;

import java.util.List;

/** What became of one AGT rule: converted (exactly, or with notes on what differs or was dropped), or not, and why. */
public sealed interface RuleImport permits RuleImport.Converted, RuleImport.NotConverted {

    String name();

    /** Written to the native document; {@code notes} empty means it decides exactly as the AGT rule. */
    record Converted(String name, List<String> notes) implements RuleImport {
        public Converted {
            notes = List.copyOf(notes);
        }

        public boolean exact() {
            return notes.isEmpty();
        }
    }

    /** Omitted from the native document (and listed in its header): no native condition decides like it. */
    record NotConverted(String name, String reason) implements RuleImport {
    }
}
