package dev.tollgate.protocols.mcp;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether a resource URI is written in the one form every server reads it in. Policy compares a {@code resource:}
 * glob with the URI's text as written; the TypeScript SDK's server (and pydantic's {@code AnyUrl} in the Python SDK)
 * first runs it through a WHATWG URL parser and looks the resource up under the serialization: the scheme and the
 * host lower-cased, {@code ..}, {@code .} and {@code %2e} segments resolved, {@code file://localhost/} made
 * {@code file:///}, a default or empty port dropped, backslashes read as slashes, tabs and newlines dropped, spaces
 * and other characters escaped. {@code FILE:///public/../secret.txt} is another resource to a rule on
 * {@code file:///secret.txt} and that very resource to such a server. The Java SDK compares the text exactly.
 *
 * <p>So a URI is accepted only when the parsers agree with its text: printable ASCII a URI may hold (RFC 3986), no
 * escape of a character that needs none (an RFC 3986 normalizer decodes it), a lower-case scheme, no dot segment, and
 * for the WHATWG "special" schemes (http, https, ws, wss, ftp, file) the serialization's own host and port form.
 * Anything else is refused rather than normalized, so the gateway decides on exactly the text it forwards.
 */
public final class ResourceUriForm {

    private static final Set<String> SPECIAL_SCHEMES = Set.of("http", "https", "ws", "wss", "ftp", "file");
    private static final Map<String, String> DEFAULT_PORTS = Map.of("http", "80", "https", "443", "ws", "80", "wss", "443", "ftp", "21");
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
    /** A last host label a WHATWG parser reads as a number, which makes the whole host an IPv4 address. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final String URI_PUNCTUATION = "-._~:/?#[]@!$&'()*+,;=";

    private ResourceUriForm() {
    }

    /** @return null when the URI reads as written to every server, else what would be read otherwise (for the error) */
    public static String problem(String uri) {
        String characters = characterProblem(uri);
        if (characters != null) {
            return characters;
        }
        int colon = uri.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(uri.substring(0, colon)).matches()) {
            return "it does not start with a lower-case scheme (servers lower-case it)";
        }
        String scheme = uri.substring(0, colon);
        String rest = uri.substring(colon + 1);
        int queryOrFragment = indexOfQueryOrFragment(rest);
        String hierarchical = queryOrFragment < 0 ? rest : rest.substring(0, queryOrFragment);
        boolean special = SPECIAL_SCHEMES.contains(scheme);
        String path = hierarchical;
        if (hierarchical.startsWith("//")) {
            int slash = hierarchical.indexOf('/', 2);
            String authority = slash < 0 ? hierarchical.substring(2) : hierarchical.substring(2, slash);
            path = slash < 0 ? "" : hierarchical.substring(slash);
            String authorityProblem = authorityProblem(scheme, special, authority);
            if (authorityProblem != null) {
                return authorityProblem;
            }
            if (special && path.isEmpty()) {
                return "no path after its host (servers read it as '/')";
            }
        } else if (special) {
            return "a " + scheme + ": URI without '//' (servers read the slashes in)";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "a '" + segment + "' segment in its path (servers resolve it)";
            }
        }
        // A handler that decodes its path variable reads an escaped slash (or backslash) as a separator.
        for (String segment : path.replace("%2F", "/").replace("%5C", "/").split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "a '" + segment + "' segment once its escaped slashes are read (%2F, %5C)";
            }
        }
        if (special && queryOrFragment >= 0 && rest.charAt(queryOrFragment) == '?') {
            int fragment = rest.indexOf('#', queryOrFragment);
            String query = fragment < 0 ? rest.substring(queryOrFragment) : rest.substring(queryOrFragment, fragment);
            if (query.indexOf('\'') >= 0) {
                return "a ' in the query of a " + scheme + ": URI (servers escape it)";
            }
        }
        return null;
    }

    private static String characterProblem(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                int high = i + 1 < uri.length() ? Character.digit(uri.charAt(i + 1), 16) : -1;
                int low = i + 2 < uri.length() ? Character.digit(uri.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    return "a '%' that starts no escape";
                }
                char decoded = (char) (high * 16 + low);
                if (isUnreserved(decoded)) {
                    return "an escape of '" + decoded + "', which needs none (servers read it as '" + decoded + "')";
                }
                if (Character.isLowerCase(uri.charAt(i + 1)) || Character.isLowerCase(uri.charAt(i + 2))) {
                    return "an escape in lower case (%" + uri.substring(i + 1, i + 3) + "; normalizers read it in upper case)";
                }
                if (decoded < 0x20 || decoded == 0x7F) {
                    return "an escaped control character (" + describe(decoded) + ")";
                }
                if (decoded >= 0x80 && !escapesUtf8(uri, i)) {
                    return "escapes that are not UTF-8 (%" + uri.substring(i + 1, i + 3) + "...; decoders refuse them or read U+FFFD)";
                }
                if (decoded == '%' && i + 4 < uri.length() && Character.digit(uri.charAt(i + 3), 16) >= 0
                        && Character.digit(uri.charAt(i + 4), 16) >= 0) {
                    return "an escaped escape (%25" + uri.substring(i + 3, i + 5) + ", which a second decoding reads)";
                }
                i += 2;
            } else if (!isUnreserved(c) && URI_PUNCTUATION.indexOf(c) < 0) {
                return "a character no URI holds as written (" + describe(c) + ")";
            }
        }
        return null;
    }

    /**
     * Whether the run of escaped non-ASCII bytes starting at {@code from} is UTF-8. A server decoding it otherwise either
     * fails the read or reads U+FFFD for each bad byte, so two different URIs would name one resource. Checked at the
     * run's first escape only: a run is read whole, and its later escapes are skipped by the caller one at a time.
     */
    private static boolean escapesUtf8(String uri, int from) {
        if (from >= 3 && uri.charAt(from - 3) == '%' && Character.digit(uri.charAt(from - 2), 16) >= 8) {
            return true;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = from; i + 2 < uri.length() && uri.charAt(i) == '%'; i += 3) {
            int high = Character.digit(uri.charAt(i + 1), 16);
            int low = Character.digit(uri.charAt(i + 2), 16);
            if (high < 8 || low < 0) {
                break;
            }
            bytes.write(high * 16 + low);
        }
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static String authorityProblem(String scheme, boolean special, String authority) {
        // Servers drop an empty user or password and escape some characters of either: no user information at all.
        if (authority.indexOf('@') >= 0) {
            return "user information before its host (servers rewrite it)";
        }
        String hostAndPort = authority;
        if (hostAndPort.startsWith("[")) {
            return "an IP literal host in brackets (servers rewrite it in its short form)";
        }
        int portColon = hostAndPort.lastIndexOf(':');
        String host = portColon < 0 ? hostAndPort : hostAndPort.substring(0, portColon);
        if (portColon >= 0) {
            String port = hostAndPort.substring(portColon + 1);
            if (scheme.equals("file")) {
                return "a port or drive letter in a file: URI's host";
            }
            if (port.isEmpty() || !port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return "a port that is not a number (servers drop an empty one)";
            }
            if (port.length() > 1 && port.charAt(0) == '0') {
                return "a port with a leading zero (servers drop it)";
            }
            if (port.equals(DEFAULT_PORTS.get(scheme))) {
                return "the scheme's default port (servers drop it)";
            }
        }
        if (!special) {
            return null;
        }
        if (host.isEmpty()) {
            return scheme.equals("file") ? null : "no host (servers read the path's first segment as the host)";
        }
        if (!host.equals(host.toLowerCase(java.util.Locale.ROOT))) {
            return "upper-case letters in its host (servers lower-case it)";
        }
        if (host.indexOf('%') >= 0) {
            return "an escape in its host (servers decode it)";
        }
        if (scheme.equals("file") && host.equals("localhost")) {
            return "the host localhost in a file: URI (servers read file:///)";
        }
        String trimmed = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String lastLabel = trimmed.substring(trimmed.lastIndexOf('.') + 1);
        if (NUMERIC_LABEL.matcher(lastLabel).matches() && !CANONICAL_IPV4.matcher(host).matches()) {
            return "an IPv4 host not written as four decimal numbers (servers rewrite it)";
        }
        return null;
    }

    private static int indexOfQueryOrFragment(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '?' || text.charAt(i) == '#') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static String describe(char c) {
        return c > ' ' && c < 0x7F ? "'" + c + "'" : String.format(java.util.Locale.ROOT, "U+%04X", (int) c);
    }
}
