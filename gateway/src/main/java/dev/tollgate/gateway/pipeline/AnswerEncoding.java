package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.http.JsonBodyType;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;

/**
 * Whether an upstream's answer can be read exactly as the client will read it: bytes as sent (no
 * Content-Encoding; the gateway asks for none) in UTF-8 (no other charset, which a client honouring the
 * header would decode into text the gateway never checked).
 */
final class AnswerEncoding {

    private static final String EVENT_STREAM = "text/event-stream";

    private AnswerEncoding() {
    }

    /**
     * Why an error page's text (a body that is not JSON-RPC) may not be what a client reads when the gateway reads it as
     * UTF-8, or null: a charset other than UTF-8 or US-ASCII declared in its Content-Type (a client decoding by the
     * header reads other text: Latin-1's no-break space, UTF-16's two bytes a letter), or none declared on a body that
     * starts with a UTF-16 or UTF-32 byte order mark (some clients sniff it).
     */
    static String pageCharsetProblem(MultiMap headers, byte[] body) {
        if (headers.getAll(HttpHeaders.CONTENT_TYPE).size() > 1) {
            return "error page has more than one Content-Type"; // clients join them, or take either
        }
        String contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        String charset = null;
        for (String parameter : contentType == null ? new String[0] : contentType.split(";")) {
            int eq = parameter.indexOf('=');
            if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                if (charset != null) {
                    return "error page names more than one charset";
                }
                charset = parameter.substring(eq + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
            }
        }
        if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8") && !charset.equals("us-ascii")) {
            return "error page in charset '" + charset + "', which the gateway does not read as the client would";
        }
        boolean utf16or32Bom = body.length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF) || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))
                || body.length >= 4 && body[0] == 0 && body[1] == 0 && body[2] == (byte) 0xFE && body[3] == (byte) 0xFF;
        if (utf16or32Bom) {
            return "error page starts with a UTF-16 or UTF-32 byte order mark";
        }
        // JSON readers tell UTF-16 and UTF-32 from the zero bytes among the first four (RFC 4627), marks or not.
        boolean zeroByteFirst = body.length >= 2 && (body[0] == 0 || body[1] == 0) || body.length >= 4 && (body[2] == 0 || body[3] == 0);
        if (zeroByteFirst) {
            return "error page starts with a zero byte (UTF-16 or UTF-32 to a JSON reader)";
        }
        // Bytes that are not UTF-8, with no charset named: some clients read text/* as ISO-8859-1 then (Python's
        // requests), where the gateway's UTF-8 reading has U+FFFD (a no-break space 0xA0 between the words of a phrase).
        return wellFormedUtf8(body) ? null : "error page is not UTF-8 and names no charset";
    }

    private static boolean wellFormedUtf8(byte[] body) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** Why the answer cannot be read as the client reads it, or null when it can. */
    static String problem(MultiMap headers) {
        String compressed = compression(headers);
        if (compressed != null) {
            return compressed;
        }
        if (headers.getAll(HttpHeaders.CONTENT_TYPE).size() > 1) {
            return "answer has more than one Content-Type";
        }
        String contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return null; // an empty answer (202) has none; a body without one is read as JSON and must parse
        }
        JsonBodyType.Verdict verdict = JsonBodyType.check(contentType, null);
        if (!verdict.accepted()) {
            return "answer " + verdict.problem();
        }
        if (!isEventStream(contentType) && contentType.toLowerCase(Locale.ROOT).contains(EVENT_STREAM)) {
            // One client tests the essence, another searches the header: they would read it differently.
            return "answer Content-Type names text/event-stream outside its media type: '" + contentType + "'";
        }
        return null;
    }

    /**
     * Why the body is not the bytes it means (a Content-Encoding other than identity), or null. A client inflates it,
     * so even an error page the gateway relays unread may hold a message the client dispatches.
     */
    static String compression(MultiMap headers) {
        for (String encoding : headers.getAll(HttpHeaders.CONTENT_ENCODING)) {
            if (!encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                return "answer has Content-Encoding '" + encoding.trim() + "'";
            }
        }
        return null;
    }

    /**
     * Why an error status's body (not 2xx) is not relayed whatever it says, or null: compressed (a client inflates it, so
     * even a page relayed unread may hold a message the client dispatches or text it shows), or an event stream (a
     * client reads a failed call's body whole as text, comments and event names included, and makes it the call's error,
     * where the gateway would relay it event by event and read only the events' data).
     */
    static String errorBodyProblem(MultiMap headers) {
        String compressed = compression(headers);
        if (compressed != null) {
            return compressed;
        }
        for (String contentType : headers.getAll(HttpHeaders.CONTENT_TYPE)) {
            if (isEventStream(contentType)) {
                return "an error status answered as an event stream, which a client reads as the call's error text";
            }
        }
        return null;
    }

    /** The answer is an event stream: its media type's essence (before any parameter) is text/event-stream. */
    static boolean isEventStream(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT).equals(EVENT_STREAM);
    }
}
