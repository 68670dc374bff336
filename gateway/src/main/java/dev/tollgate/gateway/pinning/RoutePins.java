package dev.tollgate.gateway.pinning;

import dev.tollgate.gateway.config.PinningConfig;

/** A route's loaded manifest and what a difference from it does. */
public record RoutePins(PinManifest manifest, PinningConfig.OnChange onChange) {

    /** True when unreviewed tools are hidden from lists and their calls denied. */
    public boolean hides() {
        return onChange == PinningConfig.OnChange.HIDE;
    }
}
