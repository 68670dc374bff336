package dev.tollgate.gateway.http;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a {@code Content-Type} names a JSON body the gateway can read exactly as the upstream
 * will. The gateway decides on the UTF-8 reading of the bytes; an upstream that honours a {@code charset}
 * parameter (Express's {@code express.json()} decodes UTF-7, UTF-16 and more through iconv-lite) would read
 * another text from the same bytes ({@code "+AGc-et-env"} is {@code "get-env"} in UTF-7). So the header is
 * parsed by the RFC 9110 grammar and refused unless it is one of the accepted media types with no charset
 * or exactly {@code utf-8}; anything the grammar does not allow, or a repeated parameter (parsers disagree on
 * which one wins), is refused too. The header forwarded upstream is the bare media type, so UTF-8 is the only
 * reading left.
 */
public final class JsonBodyType {

    /** Why a Content-Type was refused, for the 415 detail. */
    public record Verdict(String mediaType, String problem) {

        public boolean accepted() {
            return problem == null;
        }
    }

    private static final String TOKEN_SPECIALS = "()<>@,;:\\\"/[]?={} \t";
    /** The only charset label read the same way by every JSON parser (RFC 8259 section 8.1). */
    private static final String UTF_8 = "utf-8";

    private JsonBodyType() {
    }

    /**
     * @param contentType   the header's value (null when absent)
     * @param acceptedTypes lower-case media types accepted on this route (application/json, application/a2a+json),
     *                      or null to accept any media type and check only the parameters
     */
    public static Verdict check(String contentType, Set<String> acceptedTypes) {
        if (contentType == null) {
            return new Verdict(null, "no Content-Type");
        }
        Cursor c = new Cursor(contentType);
        c.skipWhitespace();
        String type = c.token();
        if (type.isEmpty() || !c.consume('/')) {
            return new Verdict(null, "Content-Type is not a media type");
        }
        String subtype = c.token();
        if (subtype.isEmpty()) {
            return new Verdict(null, "Content-Type is not a media type");
        }
        String mediaType = (type + "/" + subtype).toLowerCase(Locale.ROOT);
        if (acceptedTypes != null && !acceptedTypes.contains(mediaType)) {
            return new Verdict(mediaType, "media type must be " + String.join(" or ", acceptedTypes.stream().sorted().toList()));
        }
        Set<String> seen = new HashSet<>();
        while (true) {
            c.skipWhitespace();
            if (c.atEnd()) {
                return new Verdict(mediaType, null);
            }
            if (!c.consume(';')) {
                return new Verdict(mediaType, "Content-Type has unexpected characters after the media type");
            }
            c.skipWhitespace();
            if (c.atEnd()) {
                return new Verdict(mediaType, null); // a trailing ';' is tolerated by every parser
            }
            String name = c.token().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || !c.consume('=')) {
                return new Verdict(mediaType, "Content-Type has a malformed parameter");
            }
            String value = c.peek() == '"' ? c.quoted() : c.token();
            if (value == null || value.isEmpty()) {
                return new Verdict(mediaType, "Content-Type parameter '" + name + "' has no valid value");
            }
            if (!seen.add(name)) {
                return new Verdict(mediaType, "Content-Type repeats the parameter '" + name + "'");
            }
            if (name.equals("charset") && !value.toLowerCase(Locale.ROOT).equals(UTF_8)) {
                return new Verdict(mediaType, "charset must be utf-8, got '" + printable(value) + "'");
            }
        }
    }

    private static String printable(String value) {
        String cut = value.length() > 32 ? value.substring(0, 32) + "..." : value;
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char ch = cut.charAt(i);
            out.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return out.toString();
    }

    /** A reader over the header value; RFC 9110 section 5.6 (tokens, quoted-strings, OWS). */
    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at >= text.length();
        }

        char peek() {
            return atEnd() ? 0 : text.charAt(at);
        }

        boolean consume(char expected) {
            if (peek() == expected && !atEnd()) {
                at++;
                return true;
            }
            return false;
        }

        void skipWhitespace() {
            while (!atEnd() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }

        String token() {
            int start = at;
            while (!atEnd() && isTokenChar(text.charAt(at))) {
                at++;
            }
            return text.substring(start, at);
        }

        /** A quoted-string's content, or null when it is unterminated or holds a control character. */
        String quoted() {
            at++; // the opening quote
            StringBuilder value = new StringBuilder();
            while (!atEnd()) {
                char ch = text.charAt(at++);
                if (ch == '"') {
                    return value.toString();
                }
                if (ch == '\\') {
                    if (atEnd()) {
                        return null;
                    }
                    ch = text.charAt(at++);
                }
                if (ch < 0x20 && ch != '\t' || ch == 0x7f) {
                    return null;
                }
                value.append(ch);
            }
            return null;
        }

        private static boolean isTokenChar(char ch) {
            return ch > 0x20 && ch < 0x7f && TOKEN_SPECIALS.indexOf(ch) < 0;
        }
    }
}
