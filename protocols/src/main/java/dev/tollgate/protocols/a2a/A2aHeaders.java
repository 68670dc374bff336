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

    /**
     * Comma-separated URIs, trimmed as the JavaScript SDK trims them ({@code String.prototype.trim}), empty ones dropped.
     * Java's {@code trim} keeps a no-break space (a 0xA0 byte, read as Latin-1 by Node and Vert.x alike), which
     * JavaScript's removes: {@code \u00A0urn:admin-mode} was {@code urn:admin-mode} to the agent and another URI to a
     * rule (review K).
     */
    static Set<String> extensions(List<String> lines) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : lines) {
            for (String value : line.split(",")) {
                String trimmed = jsTrim(value);
                if (!trimmed.isEmpty()) {
                    out.add(trimmed);
                }
            }
        }
        return out;
    }

    /**
     * Whether the JavaScript SDK sends an HTTP+JSON request to its 0.3 router, by its {@code A2A-Version} header (absent or
     * blank is 0.3; {@code isLegacyVersion}: a version from 0.3 up to, not including, 1.0; a version it cannot parse is
     * not). Its 0.3 router serves only {@code /v1/...} paths; any other version sends a {@code /v1/message:send} to its 1.0
     * routes, as a call in tenant {@code v1} (review N).
     */
    public static boolean routesAsLegacy(String versionHeader) {
        if (versionHeader == null || jsTrim(versionHeader).isEmpty()) {
            return true;
        }
        String[] segments = jsTrim(versionHeader).split("\\.", -1);
        java.math.BigInteger major = jsParseInt(segments[0]);
        java.math.BigInteger minor = segments.length < 2 ? java.math.BigInteger.ZERO : jsParseInt(segments[1]);
        if (major == null || minor == null || major.signum() < 0 || minor.signum() < 0) {
            return false;
        }
        return major.signum() == 0 && minor.compareTo(java.math.BigInteger.valueOf(3)) >= 0;
    }

    /**
     * JavaScript's {@code Number.parseInt(text, 10)}: leading whitespace, a sign, then digits up to the first other; null
     * for NaN, and for a number too large for a double (Infinity).
     */
    static java.math.BigInteger jsParseInt(String text) {
        String s = jsTrim(text);
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == start) {
            return null;
        }
        java.math.BigInteger value = new java.math.BigInteger(s.substring(start, i));
        // Past a double's range JavaScript's number is Infinity, which the SDK's Number.isFinite refuses: no version.
        return Double.isInfinite(value.doubleValue()) ? null : negative ? value.negate() : value;
    }

    /** {@code String.prototype.trim}: ECMAScript's WhiteSpace (tab, VT, FF, space, NBSP, BOM, every Zs) and LineTerminators. */
    static String jsTrim(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isJsWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && isJsWhitespace(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    private static boolean isJsWhitespace(char c) {
        return c == '\t' || c == '\u000B' || c == '\f' || c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\uFEFF'
                || Character.getType(c) == Character.SPACE_SEPARATOR;
    }
}
