package dev.tollgate.policy.check;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The custom checks YAML may name, and the names bound to them with fixed arguments (see {@link CheckBinding}).
 * Built at startup; read-only while policies compile.
 */
public final class CheckRegistry {

    private final Map<String, PolicyCheck> checks;
    private final Map<String, CheckBinding> bindings;

    public CheckRegistry() {
        this(new TreeMap<>(), Map.of());
    }

    private CheckRegistry(Map<String, PolicyCheck> checks, Map<String, CheckBinding> bindings) {
        this.checks = checks;
        this.bindings = bindings;
    }

    /** A registry with the checks that ship with Tollgate. */
    public static CheckRegistry withDefaults() {
        CheckRegistry registry = new CheckRegistry().register(new ArgumentSizeCheck()).register(new BudgetCheck()).register(new RateLimitCheck());
        // The shipped detectors (injection, credentials, personal data, exfiltration links), mostly for result rules.
        dev.tollgate.policy.detect.DetectorCheck.shipped().forEach(registry::register);
        return registry;
    }

    public CheckRegistry register(PolicyCheck check) {
        if (checks.putIfAbsent(check.name(), check) != null) {
            throw new IllegalArgumentException("a check named " + check.name() + " is already registered");
        }
        return this;
    }

    /** The same checks, with these bound names (from the gateway's configuration, so per load). */
    public CheckRegistry withBindings(Map<String, CheckBinding> bound) {
        return new CheckRegistry(checks, Map.copyOf(bound));
    }

    public Optional<CheckBinding> binding(String name) {
        return Optional.ofNullable(bindings.get(name));
    }

    public String bindingNames() {
        return bindings.isEmpty() ? "none" : String.join(", ", new TreeMap<>(bindings).keySet());
    }

    public Optional<PolicyCheck> find(String name) {
        return Optional.ofNullable(checks.get(name));
    }

    public String names() {
        return String.join(", ", checks.keySet());
    }
}
