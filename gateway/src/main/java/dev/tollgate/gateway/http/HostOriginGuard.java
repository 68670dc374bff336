package dev.tollgate.gateway.http;

import com.google.re2j.Pattern;
import dev.tollgate.gateway.config.ListenerConfig;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * DNS-rebinding protection for one listener (MCP 2025-11-25: servers MUST validate Origin). A browser
 * page on an attacker's domain that resolves to 127.0.0.1 still sends its own Host and Origin, so both
 * are checked against the listener's allow-lists. Requests without an Origin (non-browser agents) pass
 * the Origin check; the Host check always applies.
 */
public final class HostOriginGuard {

    public enum Verdict { ALLOWED, FORBIDDEN_HOST, FORBIDDEN_ORIGIN }

    private final Set<String> allowedHosts;
    private final List<Pattern> allowedOrigins;
    private final boolean anyHost;

    public HostOriginGuard(ListenerConfig listener) {
        this.anyHost = listener.allowedHosts().contains("*");
        this.allowedHosts = listener.allowedHosts().stream()
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.allowedOrigins = listener.allowedOrigins().stream().map(HostOriginGuard::glob).toList();
    }

    public Verdict check(String hostHeader, String origin) {
        if (!anyHost && (hostHeader == null || !allowedHosts.contains(hostName(hostHeader)))) {
            return Verdict.FORBIDDEN_HOST;
        }
        if (origin != null && allowedOrigins.stream().noneMatch(p -> p.matcher(origin.toLowerCase(Locale.ROOT)).matches())) {
            return Verdict.FORBIDDEN_ORIGIN;
        }
        return Verdict.ALLOWED;
    }

    /** {@code Example.com:8080} → {@code example.com}; {@code [::1]:8080} → {@code [::1]}. */
    static String hostName(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /**
     * {@code https://*.example.com}: {@code *} within one host label run (no {@code /}). RE2/J, not
     * java.util.regex: the Origin is the caller's, and a glob of several stars backtracks polynomially in it.
     */
    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.toLowerCase(Locale.ROOT).split("\\*", -1)) {
            if (regex.length() > 0) {
                regex.append("[^/]*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
