package dev.tollgate.gateway.routing;

import dev.tollgate.protocols.uri.PercentEncoding;

/**
 * Refuses request paths that could mean one route to the gateway and another to the upstream. The gateway never
 * normalizes; it rejects what some server would normalize into another path before routing:
 * <ul>
 *   <li>dot-segments ({@code /mcp/../admin});</li>
 *   <li>path parameters ({@code ;}): Tomcat and Jetty drop {@code ;...} from each segment before resolving dot-segments,
 *       so {@code /open/..;/admin/mcp} is {@code /admin/mcp} to them;</li>
 *   <li>empty segments ({@code //admin}), which Tomcat and others merge;</li>
 *   <li>percent-encoded separators and dots ({@code %2F}, {@code %5C}, {@code %2E}, {@code %3B}), NUL, and any
 *       percent-encoding of a character that needs none (letters, digits, {@code -_~}): {@code /%61dmin} is
 *       {@code /admin} to a server that decodes before routing, and a route prefix compared on raw text cannot
 *       see it; a malformed escape too.</li>
 * </ul>
 * A trailing slash ({@code /mcp/}) is not an empty segment in the middle and stays allowed.
 */
public final class PathCheck {

    private PathCheck() {
    }

    public static boolean isSafe(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.indexOf('\\') >= 0 || path.indexOf(';') >= 0) {
            return false;
        }
        if (path.indexOf("//") >= 0 || (path.indexOf('%') >= 0 && !escapesAreNeeded(path))) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Whether every {@code %XX} is well formed and stands for a character that could not be written as itself here. */
    private static boolean escapesAreNeeded(String path) {
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            int high = i + 1 < path.length() ? PercentEncoding.hexValue(path.charAt(i + 1)) : -1;
            int low = i + 2 < path.length() ? PercentEncoding.hexValue(path.charAt(i + 2)) : -1;
            if (high < 0 || low < 0) {
                return false;
            }
            char decoded = (char) (high * 16 + low);
            if (decoded == 0 || decoded == '/' || decoded == '\\' || decoded == '.' || decoded == ';' || decoded == '%'
                    || isUnreserved(decoded)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986's unreserved characters less the dot (refused above): an escape of one is never needed. */
    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~';
    }
}
