package dev.tollgate.gateway.pinning;

import dev.tollgate.gateway.config.PinningConfig;

/**
 * A route's loaded manifest and what a difference from it does.
 *
 * @param endpoints the upstream endpoints the route reaches (see {@code ServerEndpoints}): what was listed there through
 *                  other routes before this one pinned counts for it too
 */
public record RoutePins(PinManifest manifest, PinningConfig.OnChange onChange, java.util.Set<String> endpoints) {

    public RoutePins(PinManifest manifest, PinningConfig.OnChange onChange) {
        this(manifest, onChange, java.util.Set.of());
    }

    /** True when unreviewed tools are hidden from lists and their calls denied. */
    public boolean hides() {
        return onChange == PinningConfig.OnChange.HIDE;
    }
}
