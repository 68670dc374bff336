package dev.tollgate.gateway.pinning;

/**
 * A tool listed by an upstream whose definition is not the reviewed one.
 *
 * @param name     the tool (skill id)
 * @param state    {@link PinState#CHANGED} or {@link PinState#NEW}
 * @param pinned   the reviewed digest, or null for a new tool
 * @param listed   the digest of the definition the upstream listed
 *
 * <p>Carries no diff: {@link PinWatch} builds one ({@link DefinitionDiff}) only when it logs the change, once per tool and
 * digest, never on every list answer (review AG: diffing a rug-pulled definition on each list was a heap amplifier).
 */
public record PinChange(String name, PinState state, String pinned, String listed) {
}
