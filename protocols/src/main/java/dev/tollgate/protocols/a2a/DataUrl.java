package dev.tollgate.protocols.a2a;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * A file part's URL that is a {@code data:} URL (RFC 2397): the file's bytes travel in the request, and an agent resolving
 * the URL reads them with no network access (Node's {@code fetch}, the WHATWG data: URL processor; Python's
 * {@code urlopen}), so the view decodes them like inline bytes (review AH). Accepted only in a form every reader parses the
 * same way, else refused before policy:
 * <ul>
 *   <li>it starts with {@code data:} (any case) and is printable ASCII: the WHATWG URL parser trims and drops spaces, tabs
 *       and line breaks, Python's {@code unwrap} reads {@code <URL:data:...>}, and readers encode non-ASCII differently;</li>
 *   <li>no fragment ({@code #}: the processors drop it, a reader splitting on the comma keeps it) and no {@code data://}
 *       (WHATWG reads an authority and normalises the path);</li>
 *   <li>the {@code ;base64} marker in lower case (Python matches it so, WHATWG in any case), and then a canonical base64
 *       body with nothing percent-encoded: WHATWG percent-decodes and then reads base64 forgivingly, Python's
 *       {@code decodebytes} skips what is not base64, a reader that does not percent-decode reads the body as sent;</li>
 *   <li>otherwise every {@code %} followed by two hex digits: WHATWG and Python's {@code unquote_to_bytes} keep a
 *       malformed escape ({@code %zz}) as is, strict decoders (Java's, Go's) refuse it.</li>
 * </ul>
 * A URL without a comma is no data to any reader and stays a URL without content.
 *
 * @param mediaType the media type as the URL declares it (without {@code ;base64}; empty when the URL names none)
 */
record DataUrl(String mediaType, boolean base64, String body) {

    /** What WHATWG and Python read when the URL declares no media type. */
    static final String DEFAULT_MEDIA_TYPE = "text/plain;charset=US-ASCII";
    private static final String SCHEME = "data:";
    private static final String BASE64 = ";base64";
    private static final String TOKEN = "!#$%&'*+-.^_`|~";

    /**
     * Whether some reader may take the URL for a {@code data:} URL: ignoring spaces and controls (WHATWG trims and drops
     * them), a leading {@code <} and {@code URL:} (Python's {@code unwrap}), and case.
     */
    static boolean named(String url) {
        StringBuilder head = new StringBuilder(16);
        for (int i = 0; i < url.length() && head.length() < 16; i++) {
            char c = url.charAt(i);
            if (c > ' ' && c != 0x7F && !(c == '<' && head.isEmpty())) {
                head.append(Character.toLowerCase(c));
            }
        }
        String start = head.toString();
        return start.startsWith(SCHEME) || start.startsWith("url:" + SCHEME);
    }

    /** The data: URL a file part's URL is, or null when no reader takes it for one or it carries no data (no comma). */
    static DataUrl of(String url) throws A2aInvalidRequest {
        if (!named(url)) {
            return null;
        }
        if (!url.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw refused("must start with data:");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                throw refused("must be printable ASCII, with no spaces (percent-encode the rest)");
            }
            if (c == '#') {
                throw refused("must have no fragment (#)");
            }
        }
        if (url.startsWith("/", SCHEME.length())) {
            throw refused("must not start with data:/ (URL parsers read an authority or a path there)");
        }
        int comma = url.indexOf(',', SCHEME.length());
        if (comma < 0) {
            return null;
        }
        String mediaType = url.substring(SCHEME.length(), comma);
        String body = url.substring(comma + 1);
        boolean base64 = mediaType.toLowerCase(Locale.ROOT).endsWith(BASE64);
        if (base64 && !mediaType.endsWith(BASE64)) {
            throw refused("must spell its ;base64 marker in lower case (Python's urlopen reads no other)");
        }
        if (base64) {
            mediaType = mediaType.substring(0, mediaType.length() - BASE64.length());
            if (!InlineFileText.canonical(body)) {
                throw new A2aInvalidRequest("a file's inline bytes are not canonical base64 (standard alphabet, padded, no line breaks,"
                        + " spare bits or percent-encoding): agents' decoders read such bytes differently");
            }
        } else {
            for (int i = body.indexOf('%'); i >= 0; i = body.indexOf('%', i + 1)) {
                if (i + 2 >= body.length() || Character.digit(body.charAt(i + 1), 16) < 0 || Character.digit(body.charAt(i + 2), 16) < 0) {
                    throw refused("has a % not followed by two hex digits, which URL decoders read differently");
                }
            }
        }
        return new DataUrl(mediaType, base64, body);
    }

    private static A2aInvalidRequest refused(String why) {
        return new A2aInvalidRequest("a file's data: URL " + why);
    }

    /** The number of bytes the URL carries. */
    long size() {
        if (base64) {
            int padding = body.endsWith("==") ? 2 : body.endsWith("=") ? 1 : 0;
            return (long) body.length() / 4 * 3 - padding;
        }
        long escapes = body.chars().filter(c -> c == '%').count();
        return body.length() - 2 * escapes;
    }

    /** The bytes the URL carries: call only for a size the caller bounds. */
    byte[] bytes() {
        if (base64) {
            return Base64.getDecoder().decode(body);
        }
        byte[] ascii = body.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[(int) size()];
        int n = 0;
        for (int i = 0; i < ascii.length; i++) {
            if (ascii[i] == '%') {
                out[n++] = (byte) (Character.digit(ascii[i + 1], 16) << 4 | Character.digit(ascii[i + 2], 16));
                i += 2;
            } else {
                out[n++] = ascii[i];
            }
        }
        return out;
    }

    /**
     * The media types a reader may decode the bytes by: the URL's own, or {@link #DEFAULT_MEDIA_TYPE} when it names none or
     * one the WHATWG MIME type parser refuses (that processor then falls back to the default, Python reads its parameters).
     */
    String[] mediaTypes() {
        int semicolon = mediaType.indexOf(';');
        String essence = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
        if (mediaType.isEmpty()) {
            return new String[] {DEFAULT_MEDIA_TYPE};
        }
        // ";charset=utf-8": WHATWG prepends text/plain.
        return essence.isEmpty() || validEssence(essence) ? new String[] {mediaType} : new String[] {mediaType, DEFAULT_MEDIA_TYPE};
    }

    /** The file's text for the view ({@link InlineFileText}), with the part's own media type considered too. */
    String text(String partMediaType) {
        if (size() > InlineFileText.MAX_BYTES) {
            return null;
        }
        String[] own = mediaTypes();
        String[] all = java.util.Arrays.copyOf(own, own.length + 1);
        all[own.length] = partMediaType;
        return InlineFileText.text(bytes(), all);
    }

    private static boolean validEssence(String essence) {
        int slash = essence.indexOf('/');
        return slash > 0 && slash < essence.length() - 1 && token(essence.substring(0, slash)) && token(essence.substring(slash + 1));
    }

    private static boolean token(String s) {
        return s.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || TOKEN.indexOf(c) >= 0));
    }
}
