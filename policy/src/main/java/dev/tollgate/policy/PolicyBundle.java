package dev.tollgate.policy;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every policy document loaded from one directory, by name. Immutable. */
public final class PolicyBundle {

    private static final PolicyBundle EMPTY = new PolicyBundle(Map.of());

    private final Map<String, CompiledPolicy> byName;

    PolicyBundle(Map<String, CompiledPolicy> byName) {
        this.byName = Map.copyOf(byName);
    }

    public static PolicyBundle empty() {
        return EMPTY;
    }

    public static PolicyBundle of(CompiledPolicy... policies) {
        Map<String, CompiledPolicy> map = new TreeMap<>();
        for (CompiledPolicy p : policies) {
            map.put(p.name(), p);
        }
        return new PolicyBundle(map);
    }

    public Optional<CompiledPolicy> policy(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<CompiledPolicy> all() {
        return byName.values();
    }
}
