package dev.tollgate.gateway.pipeline;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;

/**
 * A request's {@code Expect} header (RFC 9110 10.1.1). The only expectation HTTP defines is {@code 100-continue}: the
 * client sends its headers and waits (a while, or until answered) for a {@code 100 Continue} before sending the body.
 * The listeners do not answer it by themselves: {@link ReadBodyStage} sends the 100 once the checks made before a body
 * is read have passed, so a call refused on its headers never has its body sent. Any other expectation is refused
 * (417 {@code expectation_failed}), and the header is never forwarded: the gateway sends the upstream a body it holds.
 */
final class ExpectContinue {

    private static final String CONTINUE = "100-continue";

    private ExpectContinue() {
    }

    /**
     * Whether the client waits for a 100 Continue before sending its body. Not on HTTP/1.0: a server must ignore the
     * expectation there (RFC 9110 10.1.1), and an HTTP/1.0 client cannot read a 1xx.
     */
    static boolean expected(HttpServerRequest request) {
        return request.version() != HttpVersion.HTTP_1_0 && request.headers().contains("Expect") && members(request) > 0;
    }

    /**
     * Whether an HTTP/1.1 client may be holding its body back for a 100 Continue it was not sent: refused on its head, it
     * may send the body now or not at all, and its connection cannot tell its next request from that body. (HTTP/2 frames
     * each request on its own stream: nothing to tell apart.)
     */
    static boolean bodyHeldBack(HttpServerRequest request) {
        return request.version() == HttpVersion.HTTP_1_1 && !request.isEnded() && expected(request);
    }

    /** What the gateway cannot meet in the request's Expect header, or null (none, or only 100-continue). */
    static String problem(HttpServerRequest request) {
        if (!request.headers().contains("Expect")) {
            return null;
        }
        return members(request) < 0 ? "Expect: only 100-continue is met" : null;
    }

    /** How many 100-continue members the Expect lines hold; -1 when one holds anything else. */
    private static int members(HttpServerRequest request) {
        int count = 0;
        for (String line : request.headers().getAll("Expect")) {
            for (String member : line.split(",", -1)) {
                String value = member.trim();
                if (value.isEmpty()) {
                    continue; // RFC 9110 5.6.1: empty list members are ignored
                }
                if (!value.toLowerCase(Locale.ROOT).equals(CONTINUE)) {
                    return -1;
                }
                count++;
            }
        }
        return count;
    }
}
