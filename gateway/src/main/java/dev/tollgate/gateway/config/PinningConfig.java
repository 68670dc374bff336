package dev.tollgate.gateway.config;

import java.nio.file.Path;

/**
 * A route's tool pinning: the reviewed manifest of its upstream's tool (or A2A skill) definitions, written by
 * {@code tollgate pin}, and what happens to a tool whose definition differs from it or that it does not list.
 *
 * @param manifest the manifest file, resolved against the configuration file's directory
 * @param onChange {@link OnChange#HIDE} (the default) or {@link OnChange#AUDIT}
 */
public record PinningConfig(Path manifest, OnChange onChange) {

    public enum OnChange {
        /** The tool is left out of lists and its calls are denied ({@code tool_not_pinned}). */
        HIDE,
        /** The tool is listed and callable; the list and every call to it carry the finding in the audit record and span. */
        AUDIT
    }
}
