package dev.tollgate.gateway.errors;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every reason the gateway answers a call itself instead of relaying the upstream's answer. The one place
 * that maps a failure to HTTP status, JSON-RPC error code and the stable reason string clients and
 * dashboards key on. Each reason has its own counter ({@code tollgate_rejects_total{reason=...}}).
 */
public enum RejectReason {
    NO_ROUTE(404, GatewayErrorCodes.TRANSPORT, "no_route", "No route matches this path"),
    INVALID_PATH(400, GatewayErrorCodes.TRANSPORT, "invalid_path", "Path contains dot-segments, path parameters, empty segments, or encoded separators or characters that need no encoding"),
    INVALID_HEADER(400, GatewayErrorCodes.TRANSPORT, "invalid_header", "A header field holds bytes an HTTP/1.1 message cannot carry"),
    /** RFC 9110 10.1.1: an expectation the gateway does not meet (anything but {@code Expect: 100-continue}). */
    EXPECTATION_FAILED(417, GatewayErrorCodes.TRANSPORT, "expectation_failed", "The Expect header asks for something other than 100-continue"),
    METHOD_NOT_ALLOWED(405, GatewayErrorCodes.TRANSPORT, "method_not_allowed", "HTTP method not allowed on an MCP endpoint"),
    FORBIDDEN_HOST(403, GatewayErrorCodes.TRANSPORT, "forbidden_host", "Host header not allowed"),
    FORBIDDEN_ORIGIN(403, GatewayErrorCodes.TRANSPORT, "forbidden_origin", "Origin not allowed"),
    UNSUPPORTED_MEDIA_TYPE(415, GatewayErrorCodes.INVALID_REQUEST, "unsupported_media_type", "Content-Type must be application/json"),
    BODY_TOO_LARGE(413, GatewayErrorCodes.INVALID_REQUEST, "body_too_large", "Request body exceeds the configured limit"),
    EMPTY_BODY(400, GatewayErrorCodes.PARSE_ERROR, "empty_body", "Request body is empty"),
    INVALID_JSON(400, GatewayErrorCodes.PARSE_ERROR, "invalid_json", "Parse error: body is not valid JSON"),
    INVALID_UTF8(400, GatewayErrorCodes.PARSE_ERROR, "invalid_utf8", "Parse error: body is not valid UTF-8"),
    LONE_SURROGATE(400, GatewayErrorCodes.PARSE_ERROR, "lone_surrogate", "Parse error: a string holds an unpaired surrogate (not Unicode text)"),
    DUPLICATE_KEY(400, GatewayErrorCodes.PARSE_ERROR, "duplicate_key", "Parse error: duplicate object key"),
    NESTING_TOO_DEEP(400, GatewayErrorCodes.PARSE_ERROR, "nesting_too_deep", "Parse error: JSON nested too deeply"),
    NOT_JSONRPC(400, GatewayErrorCodes.INVALID_REQUEST, "not_jsonrpc", "Invalid Request: not a JSON-RPC 2.0 message"),
    INVALID_ID(400, GatewayErrorCodes.INVALID_REQUEST, "invalid_id", "Invalid Request: id must be a string of at most 1024 characters or an integer of at most 2^53 - 1 in magnitude"),
    INVALID_METHOD(400, GatewayErrorCodes.INVALID_REQUEST, "invalid_method", "Invalid Request: method must be a string"),
    INVALID_RESPONSE(400, GatewayErrorCodes.INVALID_REQUEST, "invalid_response", "Invalid Request: malformed JSON-RPC response"),
    INVALID_PARAMS(400, GatewayErrorCodes.INVALID_PARAMS, "invalid_params", "Invalid params"),
    NON_CANONICAL_URI(400, GatewayErrorCodes.INVALID_PARAMS, "non_canonical_uri",
            "Invalid params: the resource URI is not written as servers read it"),
    EMPTY_BATCH(400, GatewayErrorCodes.INVALID_REQUEST, "empty_batch", "Invalid Request: empty batch"),
    DUPLICATE_ID(400, GatewayErrorCodes.INVALID_REQUEST, "duplicate_id",
            "Invalid Request: two messages of the batch carry the same id"),
    BATCH_NOT_SUPPORTED(400, GatewayErrorCodes.INVALID_REQUEST, "batch_not_supported",
            "Invalid Request: JSON-RPC batches are not allowed from MCP 2025-06-18 on"),
    HEADER_MISMATCH(400, GatewayErrorCodes.HEADER_MISMATCH, "header_mismatch",
            "Bad Request: the request headers and body disagree"),
    REQUEST_AS_NOTIFICATION(400, GatewayErrorCodes.INVALID_REQUEST, "request_as_notification",
            "Invalid Request: a request method sent as a notification (no id)"),
    BATCH_TOO_LARGE(400, GatewayErrorCodes.INVALID_REQUEST, "batch_too_large", "Invalid Request: batch has more messages than allowed"),
    A2A_UNKNOWN_METHOD(400, GatewayErrorCodes.METHOD_NOT_FOUND, "a2a_unknown_method", "Method not found: not an A2A method"),
    A2A_UNKNOWN_OPERATION(404, GatewayErrorCodes.TRANSPORT, "a2a_unknown_operation", "No A2A operation at this path"),
    A2A_NOT_A_REQUEST(400, GatewayErrorCodes.INVALID_REQUEST, "a2a_not_a_request",
            "Invalid Request: A2A takes one JSON-RPC request with an id (no batches, notifications or responses)"),
    A2A_INVALID_AGENT_CARD(502, GatewayErrorCodes.UPSTREAM, "a2a_invalid_agent_card", "Upstream agent card cannot be read or names no interface the gateway carries"),
    /** MCP prescribes 404 for a session the server does not know: the client then starts a new one. */
    SESSION_NOT_FOUND(404, GatewayErrorCodes.TRANSPORT, "session_not_found",
            "Session not found: this Mcp-Session-Id was not issued to this caller on this route, or has expired"),
    /**
     * A session whose instance the route's active health check has taken out (unhealthy after {@code unhealthy-after}
     * failed probes) while another instance is healthy: answered as {@link #SESSION_NOT_FOUND} (404, its code and
     * {@code error.data.reason}, which MCP clients act on by starting a new session), counted and logged under this
     * reason so an operator can tell it from a foreign or expired id. See {@link ErrorResponder#respondAs}.
     */
    SESSION_INSTANCE_DOWN(404, GatewayErrorCodes.TRANSPORT, "session_instance_down",
            "Session not found: the upstream instance that holds it is down"),
    UNKNOWN_EVENT_ID(400, GatewayErrorCodes.TRANSPORT, "unknown_event_id",
            "Last-Event-ID names no event this gateway relayed to this caller on this route, or one that has expired"),
    ROUTE_CONCURRENCY_LIMIT(429, GatewayErrorCodes.TRANSPORT, "route_concurrency_limit",
            "Too many calls in flight on this route; retry later"),
    CALLER_CONCURRENCY_LIMIT(429, GatewayErrorCodes.TRANSPORT, "caller_concurrency_limit",
            "Too many calls in flight from this caller on this route; retry later"),
    TENANT_CONCURRENCY_LIMIT(429, GatewayErrorCodes.TRANSPORT, "tenant_concurrency_limit",
            "Too many calls in flight from this tenant on this route; retry later"),
    BODY_TIMEOUT(408, GatewayErrorCodes.INVALID_REQUEST, "body_timeout", "The request body did not arrive in time"),
    /** MCP: another caller's task (or one that does not exist); the caller must not learn which. */
    TASK_NOT_FOUND(404, GatewayErrorCodes.INVALID_PARAMS, "task_not_found", "Task not found"),
    /** A2A: another caller's task; answered as A2A's own TaskNotFoundError, so the caller cannot tell it exists. */
    A2A_TASK_NOT_FOUND(404, GatewayErrorCodes.A2A_TASK_NOT_FOUND, "a2a_task_not_found", "Task not found"),
    /** A message naming a context (conversation) another caller started: A2A has no error of its own, so TaskNotFound's code. */
    A2A_CONTEXT_NOT_FOUND(404, GatewayErrorCodes.A2A_TASK_NOT_FOUND, "a2a_context_not_found", "Context not found"),
    /** mTLS: the client certificate the connection was opened (or its TLS session resumed) with is past its notAfter. */
    SVID_EXPIRED(403, GatewayErrorCodes.UNAUTHENTICATED, "svid_expired", "The client SVID of this connection has expired; reconnect with a current one"),
    /** mTLS: the connection's client certificate no longer chains to the listener's current trust bundle (a CA removed). */
    SVID_UNTRUSTED(403, GatewayErrorCodes.UNAUTHENTICATED, "svid_untrusted",
            "The client SVID of this connection is no longer trusted by this listener; reconnect with a current one"),
    SPIFFE_ID_NOT_ALLOWED(403, GatewayErrorCodes.TRANSPORT, "spiffe_id_not_allowed", "This workload may not call this route"),
    AXID_MISSING(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_missing", "X-Waxell-AXID header required"),
    AXID_MALFORMED(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_malformed", "AXID is not a compact JWS"),
    AXID_TOO_LARGE(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_too_large", "AXID is larger than any valid token"),
    AXID_BAD_ALGORITHM(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_bad_algorithm", "AXID must be signed with EdDSA (Ed25519)"),
    AXID_BAD_TYPE(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_bad_type", "AXID has the wrong typ header"),
    AXID_FORBIDDEN_HEADER(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_forbidden_header", "AXID names its own key (jku, x5u, jwk, x5c are never followed)"),
    AXID_UNKNOWN_KEY(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_unknown_key", "AXID is signed by an unknown key"),
    AXID_BAD_SIGNATURE(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_bad_signature", "AXID signature does not verify"),
    AXID_EXPIRED(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_expired", "AXID has expired"),
    AXID_NOT_YET_VALID(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_not_yet_valid", "AXID is not valid yet"),
    AXID_LIFETIME_TOO_LONG(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_lifetime_too_long", "AXID lives longer than allowed"),
    AXID_WRONG_ISSUER(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_wrong_issuer", "AXID issuer not accepted"),
    AXID_WRONG_AUDIENCE(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_wrong_audience", "AXID audience does not include this gateway"),
    AXID_BINDING_MISMATCH(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_binding_mismatch", "AXID does not belong to this caller: another workload (SPIFFE ID), or a sub-user who is not the OAuth token's subject"),
    AXID_REPLAYED(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_replayed", "AXID already used (this route accepts each token once)"),
    AXID_REPLAY_GUARD_FULL(503, GatewayErrorCodes.TRANSPORT, "axid_replay_guard_full",
            "Too many single-use AXIDs within one token lifetime to remember another; retry later (fail closed)"),
    AXID_MISSING_CLAIM(401, GatewayErrorCodes.UNAUTHENTICATED, "axid_missing_claim", "AXID lacks a required claim"),
    OAUTH_TOKEN_MISSING(401, GatewayErrorCodes.UNAUTHENTICATED, "oauth_token_missing", "This route needs an OAuth bearer token"),
    OAUTH_TOKEN_INVALID(401, GatewayErrorCodes.UNAUTHENTICATED, "oauth_token_invalid", "The bearer token is not valid"),
    OAUTH_TOKEN_EXPIRED(401, GatewayErrorCodes.UNAUTHENTICATED, "oauth_token_expired", "The bearer token has expired"),
    OAUTH_WRONG_AUDIENCE(401, GatewayErrorCodes.UNAUTHENTICATED, "oauth_wrong_audience", "The bearer token was issued for another resource"),
    OAUTH_UNKNOWN_KEY(401, GatewayErrorCodes.UNAUTHENTICATED, "oauth_unknown_key", "The bearer token is signed with an unknown key"),
    OAUTH_INTROSPECTION_FAILED(401, GatewayErrorCodes.UNAUTHENTICATED, "oauth_introspection_failed",
            "The authorization server could not confirm the bearer token"),
    OAUTH_INSUFFICIENT_SCOPE(403, GatewayErrorCodes.UNAUTHENTICATED, "oauth_insufficient_scope", "The bearer token lacks a scope this route needs"),
    POLICY_DENIED(200, GatewayErrorCodes.POLICY_DENIED, "policy_denied", "Denied by policy"),
    NO_POLICY(200, GatewayErrorCodes.POLICY_DENIED, "no_policy", "Denied: no policy is loaded for this route"),
    RESULT_DENIED(200, GatewayErrorCodes.POLICY_DENIED, "result_denied", "Result withheld by policy"),
    TOOL_NOT_PINNED(200, GatewayErrorCodes.POLICY_DENIED, "tool_not_pinned",
            "Denied: the tool's definition is not the reviewed one pinned for this route"),
    /** A tools/call naming a tool whose definition result rules withheld from the tools list (a poisoned description). */
    TOOL_WITHHELD(200, GatewayErrorCodes.POLICY_DENIED, "tool_withheld",
            "Denied: the tool's listed definition was withheld by a result rule"),
    /**
     * A2A: a push-notification config on a route whose policy has result rules. The agent would send the task's events
     * (artifacts, status messages) to the caller's webhook directly, never through the gateway, so nothing the result rules
     * withhold would stay withheld: refused, never forwarded.
     */
    ARGUMENT_OUTSIDE_DECLARED_ENUM(200, GatewayErrorCodes.POLICY_DENIED, "argument_outside_declared_enum",
            "Denied: an argument holds a value its tool's listed input schema does not allow (enum or const)"),
    /**
     * A tools/call naming an argument two ways: two keys equal but for case (or Unicode case folding), or a key so equal to
     * a name the tool's listed schema declares or the policy reads, not spelled as declared. A tool binding names
     * case-insensitively (Go encoding/json, .NET web defaults, Jackson ACCEPT_CASE_INSENSITIVE_PROPERTIES) would act on
     * the spelling the rule did not read.
     */
    AMBIGUOUS_ARGUMENT_NAME(200, GatewayErrorCodes.POLICY_DENIED, "ambiguous_argument_name",
            "Denied: an argument is named two ways (keys equal but for case), or not as the tool's listed input schema declares it"),
    /**
     * A tools/call holding, in a string argument, JSON text nested deeper than the gateway reads: Python's FastMCP parses
     * it into the value its tool gets (Python's json from 3.12 reads deeper), so no rule could be decided on what it holds.
     */
    ARGUMENT_TEXT_TOO_DEEP(200, GatewayErrorCodes.POLICY_DENIED, "argument_text_too_deep",
            "Denied: an argument holds JSON text nested deeper than the gateway reads, which a Python tool parses into its value"),
    PUSH_BYPASSES_RESULT_RULES(200, GatewayErrorCodes.POLICY_DENIED, "push_bypasses_result_rules",
            "Denied: push notifications would carry the task's results past the route's result rules"),
    APPROVAL_DENIED(200, GatewayErrorCodes.POLICY_DENIED, "approval_denied", "Denied by the approver"),
    APPROVAL_TIMEOUT(200, GatewayErrorCodes.POLICY_DENIED, "approval_timeout", "Denied: nobody approved the call in time"),
    APPROVAL_CANNOT_WAIT(200, GatewayErrorCodes.POLICY_DENIED, "approval_cannot_wait",
            "Denied: the call needs a person's approval and cannot be held (send it alone, not in a batch)"),
    /** Approved, then refused: a reload since the call was held removed its route, moved its upstream, or now denies it. */
    APPROVAL_SUPERSEDED(200, GatewayErrorCodes.POLICY_DENIED, "approval_superseded",
            "Refused: approved, but the configuration serving now no longer lets the call through"),
    APPROVAL_ABANDONED(503, GatewayErrorCodes.TRANSPORT, "approval_abandoned",
            "The gateway stopped while the call waited for approval; send it again"),
    /** A client's answer to the gateway's approval question that decided nothing (404; 409 when it came too late; 503 when Redis is down). */
    APPROVAL_ANSWER_NOT_TAKEN(404, GatewayErrorCodes.TRANSPORT, "approval_answer_not_taken",
            "The answer was not taken: no question of this caller in this session is waiting for it"),
    REGEX_LIMIT(200, GatewayErrorCodes.POLICY_DENIED, "regex_input_too_long",
            "Denied: a value is longer than the policy's regular expression may scan (fail closed)"),
    REGEX_STEP_BUDGET(200, GatewayErrorCodes.POLICY_DENIED, "regex_step_budget",
            "Denied: a value needs more steps than the policy's regular expression may take (fail closed)"),
    NUMBER_READINGS_DISAGREE(200, GatewayErrorCodes.POLICY_DENIED, "number_readings_disagree",
            "Denied: a number in the call is not held by a double as written, and the policy decides differently on"
                    + " its exact value and on the value a JavaScript upstream reads (fail closed)"),
    /**
     * The caller's tenant holds as many task or context bindings as one tenant may ({@code tasks.max-bindings-per-tenant}):
     * a call that could start another is refused before it is forwarded, rather than push out another caller's binding.
     */
    TASK_BINDINGS_FULL(429, GatewayErrorCodes.TRANSPORT, "task_bindings_full",
            "This tenant holds as many tasks and conversations as the gateway keeps for one; retry once some have gone unused"),
    /** The shared task store (tasks: {store: redis}) could not say whose a named task or context is: refused, fail closed. */
    TASK_STORE_UNAVAILABLE(503, GatewayErrorCodes.TRANSPORT, "task_store_unavailable",
            "The shared task store is unavailable; call refused (fail closed)"),
    AUDIT_UNAVAILABLE(503, GatewayErrorCodes.UPSTREAM, "audit_unavailable", "Audit log cannot keep up; call refused (fail closed)"),
    UPSTREAM_CREDENTIAL(502, GatewayErrorCodes.UPSTREAM, "upstream_credential_unavailable",
            "The gateway could not obtain the upstream's credential"),
    /**
     * A reload gave the call's route other upstream instances, upstream mTLS or upstream credential while the call was
     * being read (review BB): forwarded, it went to the new instances with the old credential and TLS client, or, pinned
     * to a session on a removed instance, to another instance. Nothing was sent; the client may send it again.
     */
    ROUTE_RELOADED(503, GatewayErrorCodes.UPSTREAM, "route_reloaded",
            "The route's upstream was changed by a reload while the call was read; nothing was sent, send it again"),
    /**
     * A {@code tools/call} to a tool no tools list through this gateway named: the gateway asked the upstream for its tools
     * list to check the call's declared values, and the list could not be had (connect failure, timeout, a non-2xx
     * status, an answer it cannot read). Nothing was forwarded (fail closed).
     */
    TOOL_SCHEMA_UNAVAILABLE(502, GatewayErrorCodes.UPSTREAM, "tool_schema_unavailable",
            "The upstream's tools list, needed to check this call, could not be read; call refused (fail closed)"),
    UPSTREAM_UNAVAILABLE(502, GatewayErrorCodes.UPSTREAM, "upstream_unavailable", "Upstream server unreachable"),
    UPSTREAM_ERROR(502, GatewayErrorCodes.UPSTREAM, "upstream_error", "Upstream connection failed before answering"),
    UPSTREAM_CONNECT_TIMEOUT(504, GatewayErrorCodes.TIMEOUT, "upstream_connect_timeout", "Timed out connecting to the upstream server"),
    UPSTREAM_TIMEOUT(504, GatewayErrorCodes.TIMEOUT, "upstream_timeout", "Upstream server did not answer in time"),
    UPSTREAM_INVALID_RESPONSE(502, GatewayErrorCodes.UPSTREAM, "upstream_invalid_response",
            "Upstream answer is not a JSON-RPC message the gateway can read; not relayed"),
    UPSTREAM_RESPONSE_TOO_LARGE(502, GatewayErrorCodes.UPSTREAM, "upstream_response_too_large",
            "Upstream JSON answer exceeds the size the gateway inspects; not relayed"),
    /** An event on an upstream SSE stream the gateway could not read: dropped, never relayed, counted. */
    UPSTREAM_INVALID_EVENT(502, GatewayErrorCodes.UPSTREAM, "upstream_invalid_event", "Upstream sent a message the gateway cannot read; dropped"),
    INTERNAL_ERROR(500, GatewayErrorCodes.INTERNAL, "internal_error", "Internal gateway error");

    private static final Map<String, RejectReason> BY_CODE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(RejectReason::code, Function.identity()));

    private final int httpStatus;
    private final int jsonRpcCode;
    private final String code;
    private final String message;

    RejectReason(int httpStatus, int jsonRpcCode, String code, String message) {
        this.httpStatus = httpStatus;
        this.jsonRpcCode = jsonRpcCode;
        this.code = code;
        this.message = message;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int jsonRpcCode() {
        return jsonRpcCode;
    }

    /** The stable reason string, sent in {@code error.data.reason} and used as the metric tag. */
    public String code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** The reject reason of a stable reason string; null for a string that names none ({@code client_aborted}). */
    public static RejectReason ofCode(String code) {
        return code == null ? null : BY_CODE.get(code);
    }

    /** Maps a stable reason string from the protocols module to its reject reason; unknown → INVALID_JSON. */
    public static RejectReason fromCode(String code) {
        return BY_CODE.getOrDefault(code, INVALID_JSON);
    }
}
