package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.http.JsonBodyType;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * Whether an upstream's answer can be read exactly as the client will read it: bytes as sent (no
 * Content-Encoding; the gateway asks for none) in UTF-8 (no other charset, which a client honouring the
 * header would decode into text the gateway never checked).
 */
final class AnswerEncoding {

    private AnswerEncoding() {
    }

    /** Why the answer cannot be read as the client reads it, or null when it can. */
    static String problem(MultiMap headers) {
        for (String encoding : headers.getAll(HttpHeaders.CONTENT_ENCODING)) {
            if (!encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                return "answer has Content-Encoding '" + encoding.trim() + "'";
            }
        }
        if (headers.getAll(HttpHeaders.CONTENT_TYPE).size() > 1) {
            return "answer has more than one Content-Type";
        }
        String contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            return null; // an empty answer (202) has none; a body without one is read as JSON and must parse
        }
        JsonBodyType.Verdict verdict = JsonBodyType.check(contentType, null);
        return verdict.accepted() ? null : "answer " + verdict.problem();
    }
}
