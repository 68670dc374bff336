package dev.tollgate.gateway.pinning;

import java.util.List;

/**
 * A tool listed by an upstream whose definition is not the reviewed one.
 *
 * @param name     the tool (skill id)
 * @param state    {@link PinState#CHANGED} or {@link PinState#NEW}
 * @param pinned   the reviewed digest, or null for a new tool
 * @param listed   the digest of the definition the upstream listed
 * @param diff     what changed, one line per JSON pointer (for a new tool, the whole definition as added)
 */
public record PinChange(String name, PinState state, String pinned, String listed, List<String> diff) {
}
