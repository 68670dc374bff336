package dev.tollgate.policy.condition;

import java.util.List;
import java.util.Set;

/**
 * What a text must contain for a pattern to match it, as a formula over literals (case-folded, {@link CaseFold}):
 * {@code (?i)(drop|truncate)\s+table|delete\s+from} needs {@code ((drop or truncate) and table) or (delete and
 * from)}. Built by {@link RequiredLiterals}; evaluated by the literal prefilter against the literals an
 * Aho-Corasick scan found. A formula that is false for a text proves the pattern cannot match it.
 */
public sealed interface LiteralQuery {

    /** True when at least one of the strings occurs. */
    record AnyOf(Set<String> strings) implements LiteralQuery {
    }

    /** True when the text has a character outside ASCII. */
    record NonAscii() implements LiteralQuery {
    }

    record And(List<LiteralQuery> all) implements LiteralQuery {
    }

    record Or(List<LiteralQuery> any) implements LiteralQuery {
    }
}
