package dev.tollgate.gateway.pipeline;

import dev.tollgate.protocols.a2a.A2aHeaders;
import io.vertx.core.MultiMap;
import java.util.List;

/**
 * The extensions an A2A call asks for, forwarded under both spellings, {@code A2A-Extensions} and {@code
 * X-A2A-Extensions}. Agents pick the spelling by generation (the JavaScript SDK's 0.3 handlers read {@code
 * X-A2A-Extensions} first, its 1.0 handlers only {@code A2A-Extensions}; the Java SDK 1.0.0.Alpha3 sends the X- one for
 * 1.0), and the gateway reads either: a 1.0 call naming an extension only in the X- header was allowed by a rule
 * requiring it, then run without it (review AU). A call that sends one spelling has its lines copied, unchanged, under
 * the other; one that sends both sent the same extensions in each (else it was refused, {@code A2aHeaders}).
 */
final class A2aExtensionHeaders {

    private A2aExtensionHeaders() {
    }

    /** Adds the spelling the inbound request lacks to the upstream request, with the other's lines. */
    static void forwardUnderBothNames(MultiMap inbound, MultiMap upstream) {
        List<String> current = inbound.getAll(A2aHeaders.EXTENSIONS);
        List<String> legacy = inbound.getAll(A2aHeaders.LEGACY_EXTENSIONS);
        if (current.isEmpty() && !legacy.isEmpty()) {
            upstream.remove(A2aHeaders.EXTENSIONS).add(A2aHeaders.EXTENSIONS, legacy);
        } else if (legacy.isEmpty() && !current.isEmpty()) {
            upstream.remove(A2aHeaders.LEGACY_EXTENSIONS).add(A2aHeaders.LEGACY_EXTENSIONS, current);
        }
    }
}
