package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.PathCheck;
import dev.tollgate.gateway.routing.RouteMatch;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * Entry point of every client request on a listener: takes the current snapshot (kept for the whole
 * request, so a reload never changes a call half-way), selects the route and runs the pipeline.
 */
public final class RequestDispatcher implements Handler<HttpServerRequest> {

    private final Supplier<GatewaySnapshot> snapshots;
    private final ListenerRuntime listener;
    private final Pipeline pipeline;
    private final ErrorResponder errors;

    public RequestDispatcher(Supplier<GatewaySnapshot> snapshots, ListenerRuntime listener, Pipeline pipeline,
                             ErrorResponder errors) {
        this.snapshots = snapshots;
        this.listener = listener;
        this.pipeline = pipeline;
        this.errors = errors;
    }

    /**
     * What in the request target servers read otherwise, or null. A '#': servers parse the target as a URL and drop the
     * fragment before routing, while Vert.x keeps it in the path and the query ({@code /tasks/<id>#x} was another
     * caller's task to the agent and task {@code <id>#x} to the gateway: review O). Anything but visible ASCII: HTTP/2's
     * {@code :path} can carry what no HTTP/1 request line can, and a Netty or Tomcat upstream reads a tab, VT or FF in the
     * forwarded request line as the space before the version ({@code /tasks/<id>\t} was task {@code <id>} to it), while a
     * space or CR/LF made the forwarded request unbuildable and left the caller unanswered (review P).
     */
    static String targetProblem(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '#') {
                return "a '#' in the request target: servers drop what follows it";
            }
            if (c < 0x21 || c > 0x7E) {
                return String.format("a character that is not visible ASCII (U+%04X) in the request target: escape it", (int) c);
            }
        }
        return null;
    }

    /**
     * An HTTP/2 header field an HTTP/1.1 message cannot carry, or null. HTTP/2 frames a field's bytes by length, so a value
     * may hold CR, LF or NUL: a value {@code a\r\n b} was forwarded as a folded line, which an HTTP/1 upstream joins or
     * reads as a header of its own, and other such bytes made the forwarded request unwritable (answered 500, blamed on
     * the upstream: review Q). RFC 9113 8.2.1 makes such a request malformed. HTTP/1 requests never hold them: Netty's
     * parser ends or joins the line first.
     */
    static String headerProblem(io.vertx.core.MultiMap headers) {
        for (java.util.Map.Entry<String, String> field : headers) {
            String name = field.getKey();
            for (int i = 0; i < name.length(); i++) {
                if (!isTokenChar(name.charAt(i))) {
                    return String.format("header name %s holds U+%04X, which a header name cannot", describe(name), (int) name.charAt(i));
                }
            }
            String value = field.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7F) {
                    return String.format("header %s holds U+%04X, which an HTTP/1.1 field value cannot", describe(name), (int) c);
                }
            }
        }
        return null;
    }

    /**
     * Headers the gateway decides on (identity, session, protocol version, extensions, routing headers, body type,
     * resumption, elicitation): a Connection header may not name them, or the gateway would decide on a field that
     * {@code HopByHopHeaders.copyEndToEnd} then strips from the forwarded request (RFC 9110 7.6.1).
     */
    private static final java.util.Set<String> READ_BY_GATEWAY = java.util.Set.of("a2a-version", "x-a2a-version", "a2a-extensions",
            "x-a2a-extensions", "mcp-protocol-version", "mcp-session-id", "mcp-method", "mcp-name", "x-waxell-axid", "authorization",
            "last-event-id", "accept", "content-type", "content-encoding", "origin");

    /**
     * Headers a forwarded request may not carry under a spelling with '_' for '-' (besides the ones it never carries):
     * those the gateway decides on, and those it sets or removes before forwarding (UpstreamCall). A CGI, WSGI or Rack
     * upstream reads {@code Mcp_Session_Id} as {@code Mcp-Session-Id} (review BH).
     */
    static final java.util.Set<String> UNDERSCORE_GUARDED;

    static {
        java.util.Set<String> guarded = new java.util.HashSet<>(READ_BY_GATEWAY);
        guarded.addAll(java.util.List.of("accept-encoding", "if-match", "if-unmodified-since", "if-range", "range", "if-none-match",
                "if-modified-since"));
        UNDERSCORE_GUARDED = java.util.Set.copyOf(guarded);
    }

    /**
     * A Connection header naming a field the gateway reads, or null (review R: {@code Connection: close, A2A-Extensions}
     * let a policy requiring an extension pass while the agent ran without it). Other private fields may still be named:
     * they are stripped before forwarding, and the gateway never read them.
     */
    static String connectionProblem(io.vertx.core.MultiMap headers) {
        if (!headers.contains("Connection")) {
            return null; // most requests: a lookup, no list
        }
        for (String line : headers.getAll("Connection")) {
            for (String option : line.split(",")) {
                String name = option.trim().toLowerCase(java.util.Locale.ROOT);
                if (READ_BY_GATEWAY.contains(name) || name.startsWith("mcp-param-")) {
                    return "Connection names " + describe(name) + ", a header the gateway decides on: send it without naming it in Connection";
                }
            }
        }
        return null;
    }

    /** RFC 9110's tchar. */
    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String describe(String name) {
        return name.chars().allMatch(c -> c >= 0x21 && c <= 0x7E) ? name : "(unprintable)";
    }

    /**
     * Answers a request refused on its head. A client waiting for {@code 100 Continue} holds its body back and may or may
     * not send it now: the connection cannot tell its next request from that body, so it ends with this answer.
     */
    private void refuse(HttpServerRequest request, RejectReason reason, String detail) {
        boolean heldBack = ExpectContinue.bodyHeldBack(request);
        if (heldBack) {
            request.response().putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, io.vertx.core.http.HttpHeaders.CLOSE);
        }
        io.vertx.core.Future<Void> answered = errors.respond(request.response(), reason, null, detail);
        if (heldBack) {
            answered.onComplete(v -> request.connection().close());
        }
    }

    @Override
    public void handle(HttpServerRequest request) {
        long start = System.nanoTime();
        String path = request.path();
        if (request.uri() == null || request.method() == HttpMethod.CONNECT) {
            // An HTTP/2 CONNECT has no :path (RFC 9113 8.5): the gateway tunnels nothing (review R: it was never answered).
            request.response().putHeader("Allow", "GET, POST, DELETE");
            refuse(request, RejectReason.METHOD_NOT_ALLOWED, "CONNECT is not proxied");
            return;
        }
        String connectionProblem = request.version() != io.vertx.core.http.HttpVersion.HTTP_2 ? connectionProblem(request.headers()) : null;
        if (connectionProblem != null) {
            refuse(request, RejectReason.INVALID_HEADER, connectionProblem);
            return;
        }
        String expectProblem = ExpectContinue.problem(request);
        if (expectProblem != null) {
            refuse(request, RejectReason.EXPECTATION_FAILED, expectProblem);
            return;
        }
        String targetProblem = targetProblem(request.uri());
        if (targetProblem != null) {
            refuse(request, RejectReason.INVALID_PATH, targetProblem);
            return;
        }
        String headerProblem = request.version() == io.vertx.core.http.HttpVersion.HTTP_2 ? headerProblem(request.headers()) : null;
        if (headerProblem != null) {
            refuse(request, RejectReason.INVALID_HEADER, headerProblem);
            return;
        }
        if (!PathCheck.isSafe(path)) {
            refuse(request, RejectReason.INVALID_PATH, null);
            return;
        }
        GatewaySnapshot snapshot = snapshots.get();
        if (ProtectedResourceMetadata.handles(path) && ProtectedResourceMetadata.serve(request, snapshot.config().routes())) {
            return;
        }
        RouteMatch match = snapshot.routes().match(path, request.query());
        if (match == null) {
            match = AgentCardFallback.match(snapshot, request.method().name(), path, request.query());
        }
        if (match == null) {
            String hint = AgentCardFallback.hint(snapshot, request.method().name(), path);
            refuse(request, RejectReason.NO_ROUTE, hint != null ? hint : "no route's path is a prefix of this path; routes: "
                    + String.join(", ", snapshot.config().routes().stream().map(r -> r.path() + " (" + r.name() + ")").toList()));
            return;
        }
        if (request.method() == HttpMethod.POST) {
            // Hold the body until the body stage installs its handlers; earlier stages may be asynchronous.
            request.pause();
        }
        Exchange exchange = new Exchange(request, snapshot, listener, match, start);
        exchange.liveSnapshots(snapshots);
        pipeline.run(exchange);
    }
}
