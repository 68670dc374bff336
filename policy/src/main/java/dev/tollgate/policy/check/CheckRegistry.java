package dev.tollgate.policy.check;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The custom checks YAML may name. Built at startup; read-only while policies compile. */
public final class CheckRegistry {

    private final Map<String, PolicyCheck> checks = new TreeMap<>();

    /** A registry with the checks that ship with Tollgate. */
    public static CheckRegistry withDefaults() {
        return new CheckRegistry().register(new ArgumentSizeCheck()).register(new BudgetCheck()).register(new RateLimitCheck());
    }

    public CheckRegistry register(PolicyCheck check) {
        if (checks.putIfAbsent(check.name(), check) != null) {
            throw new IllegalArgumentException("a check named " + check.name() + " is already registered");
        }
        return this;
    }

    public Optional<PolicyCheck> find(String name) {
        return Optional.ofNullable(checks.get(name));
    }

    public String names() {
        return String.join(", ", checks.keySet());
    }
}
