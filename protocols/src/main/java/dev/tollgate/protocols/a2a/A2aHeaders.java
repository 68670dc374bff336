package dev.tollgate.protocols.a2a;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A2A service-parameter headers (case-insensitive on the wire); the gateway passes them on unchanged. */
public final class A2aHeaders {
    public static final String VERSION = "A2A-Version";
    public static final String EXTENSIONS = "A2A-Extensions";
    /** 0.3 and the Java SDK 1.0.0.Alpha3 spell them with an X- prefix. */
    public static final String LEGACY_VERSION = "X-A2A-Version";
    public static final String LEGACY_EXTENSIONS = "X-A2A-Extensions";
    /** The 1.0 media type of HTTP+JSON bodies; 0.3 used application/json. */
    public static final String MEDIA_TYPE = "application/a2a+json";

    private A2aHeaders() {
    }

    /**
     * The extensions a request asks for, from every line of {@code A2A-Extensions} and of {@code X-A2A-Extensions}
     * (Node joins a repeated header's lines, so the agent reads them all). The JavaScript SDK's 0.3 handler reads
     * {@code X-A2A-Extensions} first, its 1.0 handler only {@code A2A-Extensions}, other agents either: when both are
     * sent they must name the same extensions. Refusing fails closed where their union would not: a rule requiring an
     * extension would pass on the union while the agent reads the header without it.
     *
     * @param current the lines of {@code A2A-Extensions}, empty when absent
     * @param legacy  the lines of {@code X-A2A-Extensions}, empty when absent
     */
    public static Set<String> requestedExtensions(List<String> current, List<String> legacy) throws A2aHeaderMismatch {
        Set<String> named = extensions(current);
        if (!current.isEmpty() && !legacy.isEmpty() && !named.equals(extensions(legacy))) {
            throw new A2aHeaderMismatch(EXTENSIONS + " and " + LEGACY_EXTENSIONS + " name different extensions; send one of them");
        }
        return current.isEmpty() ? extensions(legacy) : named;
    }

    /** Comma-separated URIs, trimmed, empty ones dropped. */
    static Set<String> extensions(List<String> lines) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : lines) {
            for (String value : line.split(",")) {
                if (!value.isBlank()) {
                    out.add(value.trim());
                }
            }
        }
        return out;
    }
}
