package dev.tollgate.gateway.pinning;

/** Where a tool stands against its route's manifest. */
public enum PinState {
    /** The route pins nothing: every tool is as good as the policy says. */
    NOT_PINNING("not_pinning"),
    /** In the manifest, and the definition the upstream last listed (if any was seen) is the reviewed one. */
    PINNED("pinned"),
    /** In the manifest, but the upstream last listed a different definition. */
    CHANGED("changed"),
    /** Not in the manifest: never reviewed. */
    NEW("new");

    private final String label;

    PinState(String label) {
        this.label = label;
    }

    /** As it appears in metrics, audit records, spans and errors. */
    public String label() {
        return label;
    }

    /** True when the tool's definition is one nobody reviewed. */
    public boolean unreviewed() {
        return this == CHANGED || this == NEW;
    }
}
