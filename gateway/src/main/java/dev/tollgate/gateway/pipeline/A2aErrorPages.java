package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.protocols.json.JsonOpening;
import dev.tollgate.protocols.json.JsonRejection;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;

/**
 * What of an A2A error status's body (not 2xx) reaches the client when it is no JSON object the gateway reads. Every
 * {@code @a2a-js/sdk} transport makes such a body the failed call's error: its text ({@code "HTTP error for
 * SendMessage! Status: 500 ... Response: " + text}) or the error {@code JSON.parse} finds in it, and an agent hands that
 * error to its model. So, as on MCP routes ({@link McpResponseFilter#checkErrorAnswer}), under result rules:
 * <ul>
 *   <li>bytes that open like JSON but that the strict parser refuses are not relayed: a UTF-8 byte order mark (fetch's
 *   {@code text()} drops it), a duplicate key ({@code JSON.parse} keeps the last): the client would read an error the
 *   gateway never decided;</li>
 *   <li>a page whose text a client may decode otherwise ({@link AnswerEncoding#pageCharsetProblem}) is not relayed;</li>
 *   <li>any other page is decided as text, and a JSON value that is no object (a string, an array) with its strings
 *   read, under the call's skill as {@code tool:}.</li>
 * </ul>
 * Error statuses only: a 2xx answer never comes here.
 */
final class A2aErrorPages {

    /** The member a page's text (or JSON value) is decided under, as on MCP routes. */
    private static final String PAGE = "error_page";

    /** What the filter does with the body. */
    sealed interface Shown permits Relayed, Unreadable, Denied {
    }

    /** Relayed: the body as it came, or redacted. */
    record Relayed(byte[] body) implements Shown {
    }

    /** Not relayed: the gateway cannot read it as the client will (502 upstream_invalid_response). */
    record Unreadable(String detail) implements Shown {
    }

    /** Withheld by a result rule: the client gets the policy's error. */
    record Denied() implements Shown {
    }

    private A2aErrorPages() {
    }

    /**
     * A body the strict parser refused.
     *
     * @param headers the headers the client gets with it (its Content-Type says how a client decodes the text)
     */
    static Shown unparsed(byte[] body, JsonRejection rejection, MultiMap headers, ResultPolicing results, Exchange exchange) {
        if (JsonOpening.opensLikeJson(body)) {
            return new Unreadable("an error answer opens like JSON the gateway cannot read (" + rejection.getMessage()
                    + "), which a client's JSON.parse may read as an error it shows");
        }
        String charsetProblem = AnswerEncoding.pageCharsetProblem(headers, body);
        if (charsetProblem != null) {
            return new Unreadable(charsetProblem);
        }
        if (body.length == 0) {
            return new Relayed(body);
        }
        ObjectNode page = JsonNodeFactory.instance.objectNode().put(PAGE, new String(body, StandardCharsets.UTF_8));
        return switch (decide(page, body.length, results, exchange)) {
            case PASSED -> new Relayed(body);
            // Well-formed UTF-8 (pageCharsetProblem refused any other page): the redacted text is the page.
            case REDACTED -> new Relayed(page.get(PAGE).textValue().getBytes(StandardCharsets.UTF_8));
            case DENIED -> new Denied();
        };
    }

    /** Strict JSON that is no object: the clients find no error in it and show its text, decided with its strings read. */
    static Shown value(byte[] body, JsonNode value, ResultPolicing results, Exchange exchange) {
        ObjectNode page = JsonNodeFactory.instance.objectNode().set(PAGE, value);
        return switch (decide(page, body.length, results, exchange)) {
            case PASSED -> new Relayed(body);
            case REDACTED -> new Relayed(McpResponseFilter.bytes(page.get(PAGE)));
            case DENIED -> new Denied();
        };
    }

    private static ResultPolicing.Outcome decide(ObjectNode page, long size, ResultPolicing results, Exchange exchange) {
        A2aExchange a2a = exchange.a2a();
        String id = ResponseOutcome.keyOrNull(a2a.jsonRpcId());
        return results.decide(CallDescription.a2aResult(exchange.route().route().name(), a2a.call().method().canonicalName(),
                a2a.call().skill(), page), id, size, false, false);
    }
}
