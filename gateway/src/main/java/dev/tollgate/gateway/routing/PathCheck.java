package dev.tollgate.gateway.routing;

import java.util.Locale;

/**
 * Refuses request paths that could mean one route to the gateway and another to the upstream: dot-segments
 * ({@code /mcp/../admin}) and percent-encoded separators or dots ({@code %2F}, {@code %5C}, {@code %2E}),
 * which some servers decode before routing. The gateway never normalizes; it rejects.
 */
public final class PathCheck {

    private PathCheck() {
    }

    public static boolean isSafe(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.indexOf('\\') >= 0) {
            return false;
        }
        if (path.indexOf('%') >= 0) {
            String lower = path.toLowerCase(Locale.ROOT);
            if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00")) {
                return false;
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
