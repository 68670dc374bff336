package dev.tollgate.policy.budget;

import java.util.Objects;

/** Whose spend: one spawn tree of one tenant, both from the caller's AXID. */
public record SpendKey(String tenant, String tree) {

    public SpendKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(tree, "tree");
    }

    @Override
    public String toString() {
        return tenant + "/" + tree;
    }
}
