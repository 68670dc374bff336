package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.protocols.mcp.ServerMessage;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.http.ForwardedHeaders;
import dev.tollgate.gateway.http.BufferBytes;
import dev.tollgate.gateway.http.HopByHopHeaders;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.routing.Route;
import dev.tollgate.gateway.routing.UpstreamTarget;
import dev.tollgate.gateway.telemetry.CallAttributes;
import dev.tollgate.gateway.upstream.SseEventRelay;
import dev.tollgate.gateway.upstream.StreamRelay;
import dev.tollgate.gateway.upstream.UpstreamCredential;
import dev.tollgate.gateway.upstream.UpstreamFailures;
import dev.tollgate.gateway.upstream.UpstreamInstance;
import dev.tollgate.gateway.upstream.UpstreamSet;
import dev.tollgate.gateway.upstream.Upstreams;
import dev.tollgate.protocols.mcp.McpMethods;
import java.util.List;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpHeaders;
import dev.tollgate.protocols.mcp.McpMessage;
import dev.tollgate.gateway.session.StreamCall;
import dev.tollgate.protocols.sse.SseDecoder;
import dev.tollgate.protocols.sse.SseEncoder;
import dev.tollgate.protocols.sse.SseEvent;
import dev.tollgate.protocols.sse.SseFramingException;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import dev.tollgate.gateway.upstream.RoutePool;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One forwarded request and the relay of its answer. Owns the three ways a call can end early: the
 * upstream cannot be reached (502), it does not answer within the route's response timeout (504), or the
 * client goes away, which cancels the upstream request so no work is left running for nobody.
 */
final class UpstreamCall {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamCall.class);

    /**
     * Set by the gateway alone: Host, Content-Length and the forwarding headers (ForwardedHeaders). Nor is the client's
     * {@code Expect}: the gateway answered it (ReadBodyStage) and sends the upstream a body it already holds.
     */
    private static final HopByHopHeaders.Skipped REQUEST_HEADERS_SET_BY_GATEWAY = HopByHopHeaders.skipping(
            ForwardedHeaders.skippingClientClaims(Set.of("host", "content-length", "expect")));
    /** The AXID is a credential for the gateway; by default it does not travel on (axid.forward: strip). */
    static final HopByHopHeaders.Skipped REQUEST_HEADERS_SET_BY_GATEWAY_AND_AXID = HopByHopHeaders.skippingWithUnderscoreSpellings(
            ForwardedHeaders.skippingClientClaims(Set.of("host", "content-length", "expect", "x-waxell-axid")),
            RequestDispatcher.UNDERSCORE_GUARDED, List.of("mcp-param-"));
    /**
     * Answer headers that point a client at another URL, none relayed: {@code Location} (RFC 9110 10.2.2: fetch and the
     * Java HttpClient follow it), {@code Content-Location} (RFC 9110 8.7: a cache takes it as the answer's URL and
     * invalidates it, RFC 9111 4.4), {@code Link} (RFC 8288: preload, preconnect, alternate, which browsers fetch),
     * {@code Refresh} (HTML: the browser loads the URL it names), {@code Alt-Svc} (RFC 7838: an alternative service for
     * the gateway's own origin, which browsers, curl and HTTP/3 clients connect to for the next calls instead of the
     * gateway), the reporting endpoints a browser posts to ({@code Report-To}, {@code Reporting-Endpoints}, {@code NEL}),
     * {@code SourceMap}/{@code X-SourceMap} and {@code Speculation-Rules} (fetched by the browser), and the internal
     * redirects a proxy in front of the gateway acts on ({@code X-Accel-Redirect}: nginx serves that location instead,
     * {@code X-Sendfile}: Apache and lighttpd serve that file).
     */
    static final Set<String> REDIRECTING_RESPONSE_HEADERS = Set.of("location", "content-location", "link", "refresh", "alt-svc",
            "report-to", "reporting-endpoints", "nel", "sourcemap", "x-sourcemap", "speculation-rules", "x-accel-redirect",
            "x-sendfile", "x-lighttpd-send-file");

    private static Set<String> withRedirecting(String... names) {
        Set<String> all = new java.util.HashSet<>(REDIRECTING_RESPONSE_HEADERS);
        all.addAll(List.of(names));
        return all;
    }

    /**
     * Upstream answer headers not relayed: the length (the gateway frames what it sends), and the upstream's
     * authentication challenges, which concern the gateway's hop (its upstream credential), not the client's: the SDK
     * clients run their authorization again on a {@code WWW-Authenticate} (a resource_metadata of any origin, a step-up
     * to the scopes it names), so an upstream must not steer the client's authorization with the gateway. Nor is its
     * {@code Location}, on any route or status (review AX): fetch follows a redirect with the same headers, the caller's
     * AXID among them, to wherever the upstream names, and reads the card or sends the message there, around the gateway.
     * Nor is any other header that sends a client (or a proxy in front of the gateway) to a URL of the upstream's choosing
     * ({@link #REDIRECTING_RESPONSE_HEADERS}), on calls, streams, cards and errors alike.
     */
    private static final HopByHopHeaders.Skipped RESPONSE_HEADERS_SET_BY_GATEWAY = HopByHopHeaders.skipping(
            withRedirecting("content-length", "www-authenticate", "dpop-nonce"));
    /** Requests that read and change nothing: sent again on another instance when the first failed after sending. */
    private static final Set<String> IDEMPOTENT_MCP_METHODS = Set.of(McpMethods.PING, McpMethods.TOOLS_LIST, McpMethods.RESOURCES_LIST,
            McpMethods.RESOURCES_TEMPLATES_LIST, McpMethods.PROMPTS_LIST);

    private final Vertx vertx;
    private final Exchange exchange;
    private final RoutePool client;
    private final ErrorResponder errors;
    private final GatewayMetrics metrics;
    private final CompletionRecorder completion;
    private final UpstreamLearning learnt;
    private final UpstreamSet instances;
    private final Upstreams upstreams;
    private final Promise<StageResult> done = Promise.promise();
    /** The instance of the current attempt, and whether its outcome (for ejection) and its end were recorded. */
    private UpstreamInstance instance;
    private boolean outcomeRecorded;
    private boolean released;
    private List<UpstreamInstance> tried;
    private HttpClientRequest upstreamRequest;
    private CallDeadlines.Deadline deadline;
    /** Set when the client hung up after the call was sent: completes when the upstream's answer has ended or timed out. */
    private Promise<Void> abandoned;
    private String upstreamSessionId;
    private boolean finished;

    UpstreamCall(Vertx vertx, Exchange exchange, RoutePool client, ErrorResponder errors, GatewayMetrics metrics,
                 CompletionRecorder completion, UpstreamLearning learnt, Upstreams upstreams) {
        this.vertx = vertx;
        this.exchange = exchange;
        this.client = client;
        this.errors = errors;
        this.metrics = metrics;
        this.completion = completion;
        this.learnt = learnt;
        this.upstreams = upstreams;
        this.instances = upstreams.of(exchange.route().route());
    }

    /** @return completes (RESPONDED) when the client's answer is complete, failed over, or abandoned */
    Future<StageResult> start() {
        Route route = exchange.route().route();
        exchange.response().closeHandler(v -> clientGone());
        // The deadline covers waiting for a pooled connection too, not only the upstream's think time. A traced call
        // first wakes at decision-span-after to export its decision, then waits out the rest: one deadline at a time.
        long timeoutMillis = route.config().responseTimeout().toMillis();
        long decisionMillis = exchange.trace() == null ? Long.MAX_VALUE : exchange.trace().decisionSpanAfterMillis();
        CallDeadlines deadlines = CallDeadlines.current();
        if (decisionMillis < timeoutMillis) {
            long armedAt = System.nanoTime();
            deadline = deadlines.after(decisionMillis, () -> {
                // The timeout first, counted from the call's start (the sweep may wake late): an export that throws
                // must not leave the call without one.
                long elapsedMillis = (System.nanoTime() - armedAt) / 1_000_000L;
                deadline = deadlines.after(timeoutMillis - elapsedMillis, this::timedOut);
                exchange.trace().exportDecisionNow();
            });
        } else {
            deadline = deadlines.after(timeoutMillis, this::timedOut);
        }
        // An abandoned call still runs on its instance: it is released when its answer ends instead (outliveTheClient).
        done.future().onComplete(v -> {
            if (abandoned == null) {
                release();
            }
        });
        var verifier = exchange.snapshot().oauth(route.name());
        if (verifier != null && verifier.upstreamTokens() != null) {
            // The upstream's own token first (client credentials or token exchange): the client's never travels on.
            Future.fromCompletionStage(verifier.upstreamTokens().tokenFor(exchange.bearerToken()), vertx.getOrCreateContext()).onComplete(ar -> {
                if (ar.failed()) {
                    CallLogContext.log(exchange, () -> LOG.warn("route {}: no upstream token: {}", route.name(), ar.cause().getMessage()));
                    failWithoutInstance(RejectReason.UPSTREAM_CREDENTIAL, "route " + route.name() + ": the gateway could not obtain the upstream's token");
                } else if (!finished) {
                    exchange.upstreamToken(ar.result());
                    attemptFirst();
                }
            });
            return done.future();
        }
        attemptFirst();
        return done.future();
    }

    private void attemptFirst() {
        String pinned = exchange.pinnedUpstream();
        UpstreamInstance first = pinned == null ? null : instances.byUrl(pinned);
        ChosenInstance listed = exchange.chosenInstance();
        if (first == null && listed != null && listed.set() == instances) {
            // The gateway's own tools list for this call reached this instance: the call goes there too, one balancing
            // turn for both, and the instances the list could not connect to are not tried again.
            first = listed.instance();
            if (!listed.tried().isEmpty()) {
                tried = new java.util.ArrayList<>(listed.tried());
            }
        }
        attempt(first != null ? first : instances.pick(null));
    }

    /** A failure before any instance was chosen (no upstream token). */
    private void failWithoutInstance(RejectReason reason, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        cancelDeadline();
        exchange.errorType(reason.code());
        errors.respond(exchange.response(), reason, singleRequestId(), detail);
        done.tryComplete(StageResult.RESPONDED);
    }

    /**
     * Sends the call to one instance. A connection that cannot be had means nothing was sent: the call goes on to
     * another instance (unless a session or task pins it to this one), and only when none is left does the client
     * get the 502.
     */
    private void attempt(UpstreamInstance next) {
        instance = next;
        outcomeRecorded = false;
        released = false;
        exchange.upstreamInstance(next);
        instances.started(next);
        UpstreamTarget target = next.target();
        RequestOptions options = new RequestOptions()
                .setMethod(exchange.request().method())
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(exchange.upstreamUri(target))
                .setConnectTimeout(exchange.route().route().config().connectTimeout().toMillis());
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                attemptFailed(ar.cause(), false);
            } else if (finished) {
                ar.result().reset();
            } else {
                try {
                    send(ar.result());
                } catch (RuntimeException e) {
                    // A request the HTTP client refuses to write (review P: a path or header byte Netty will not put on
                    // an HTTP/1.1 line) was left unanswered until the deadline: it is answered now, and nothing was sent.
                    ar.result().reset();
                    CallLogContext.log(exchange, () -> LOG.warn("route {}: the upstream request could not be written: {}",
                            exchange.route().route().name(), e.toString()));
                    fail(RejectReason.INTERNAL_ERROR, e);
                }
            }
        });
    }

    /** @param sent whether the request may have reached the instance (then only idempotent calls are tried again) */
    private void attemptFailed(Throwable cause, boolean sent) {
        UpstreamInstance failedOn = instance;
        recordOutcome(true);
        release();
        if (finished) {
            // Timed out, hung up on, or refused: the call's end ends the attempt's span, with the call's error.
            return;
        }
        if (exchange.trace() != null) {
            // The attempt's CLIENT span ends here, with its failure, before another attempt's starts (review BN).
            exchange.trace().upstreamAttemptFailed(UpstreamFailures.classify(cause).code());
        }
        UpstreamInstance next = exchange.pinnedUpstream() != null || (sent && !idempotent()) ? null : nextInstance(failedOn);
        if (next != null) {
            upstreams.retried(exchange.route().route().name());
            CallLogContext.log(exchange, () -> LOG.info("route {}: upstream {} failed ({}), call tried on {}",
                    exchange.route().route().name(), failedOn.url(), cause.toString(), next.url()));
            attempt(next);
            return;
        }
        // A session's instance that cannot be reached gets the answer every other connect failure gets (502, or 504 on the
        // connect timeout), never 404 session_not_found: that tells an MCP client its session is over and to initialize a
        // new one, while the instance (and the session on it) may be back in a moment. An instance that restarted answers
        // 404 itself, and one the route no longer lists is refused 404 by SessionStage before anything is sent, as is one
        // the route's health check has taken out while another instance is healthy (fix AB: one dead for good).
        fail(UpstreamFailures.classify(cause), cause);
    }

    private UpstreamInstance nextInstance(UpstreamInstance failedOn) {
        if (tried == null) {
            tried = new java.util.ArrayList<>(2);
        }
        tried.add(failedOn);
        return instances.pick(tried);
    }

    /** Calls that read and change nothing, which the protocol lets a client send twice: an agent card, the lists. */
    private boolean idempotent() {
        if (exchange.a2a() != null) {
            return exchange.a2a().returnsCard() && exchange.request().method() == HttpMethod.GET;
        }
        return exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request
                && IDEMPOTENT_MCP_METHODS.contains(request.method());
    }

    /** For passive ejection: whether the instance failed this call (no connection, reset, 502-504, timeout). */
    private void recordOutcome(boolean failed) {
        if (instance != null && !outcomeRecorded) {
            outcomeRecorded = true;
            instances.answered(instance, failed);
        }
    }

    /** The attempt no longer occupies its instance (least-requests counts what is in flight, streams included). */
    private void release() {
        if (instance != null && !released) {
            released = true;
            instances.ended(instance);
        }
    }

    /** Host is not copied: the request options name the upstream, so Vert.x writes the upstream's authority. */
    private void send(HttpClientRequest request) {
        upstreamRequest = request;
        HttpServerRequest inbound = exchange.request();
        var axid = exchange.snapshot().config().axid();
        // The client's header is never copied: with forward: pass the upstream gets the token this call's identity stage
        // verified, and nothing on a route that did not read it (axid: off) or a call that sent none (Review V).
        HopByHopHeaders.copyEndToEnd(inbound.headers(), request.headers(), REQUEST_HEADERS_SET_BY_GATEWAY_AND_AXID);
        if (axid != null && axid.forward() == dev.tollgate.gateway.config.AxidConfig.Forward.PASS && exchange.verifiedAxid() != null) {
            request.headers().set(dev.tollgate.gateway.config.AxidConfig.HEADER, exchange.verifiedAxid());
        }
        ForwardedHeaders.set(inbound, request.headers());
        if (exchange.a2a() != null) {
            A2aExtensionHeaders.forwardUnderBothNames(inbound.headers(), request.headers());
        }
        var oauth = exchange.route().route().config().oauth();
        if (oauth != null) {
            // No token passthrough (MCP authorization): the client's token was for the gateway; the upstream gets its own.
            request.headers().remove(HttpHeaders.AUTHORIZATION);
            UpstreamCredential.apply(oauth, exchange.upstreamToken(), request.headers()::set);
        }
        if (exchange.upstreamSessionId() != null) {
            // The client holds a sealed id (SessionStage opened it); the upstream knows only its own.
            request.headers().set(McpHeaders.SESSION_ID, exchange.upstreamSessionId());
        }
        if (exchange.a2a() == null) {
            // Sealed as well (ResumptionStage opened it): never the client's own value, whatever reached this point.
            request.headers().remove(McpHeaders.LAST_EVENT_ID);
            if (exchange.upstreamLastEventId() != null) {
                request.headers().set(McpHeaders.LAST_EVENT_ID, exchange.upstreamLastEventId());
            }
        }
        if (exchange.bodyMediaType() != null) {
            // The media type alone: no charset the upstream could read the decided bytes in differently.
            request.headers().set(HttpHeaders.CONTENT_TYPE, exchange.bodyMediaType());
        }
        // Answers are read before they are relayed (every MCP answer; A2A tasks the gateway binds, lists it filters,
        // results it decides, cards it rewrites): they must arrive as the bytes they mean, uncompressed.
        request.headers().remove(HttpHeaders.ACCEPT_ENCODING);
        // Nor may the upstream answer 304 or a range on bytes the gateway would have filtered (review R).
        request.headers().remove(HttpHeaders.IF_MATCH).remove("If-Unmodified-Since").remove("If-Range").remove("Range");
        if (exchange.a2a() == null || !exchange.a2a().returnsCard()) {
            request.headers().remove(HttpHeaders.IF_NONE_MATCH).remove(HttpHeaders.IF_MODIFIED_SINCE);
        }
        if (exchange.a2a() != null && exchange.a2a().returnsCard()) {
            // The upstream's validators do not describe the gateway's version of the card (the gateway answers
            // If-None-Match itself, see A2aResponseFilter).
            request.headers().remove(HttpHeaders.IF_NONE_MATCH).remove(HttpHeaders.IF_MODIFIED_SINCE);
        }
        if (exchange.trace() != null) {
            UpstreamTarget target = instance.target();
            exchange.trace().startUpstream(() -> TraceStage.spanName(exchange), target.host(), target.port(), request.headers());
        }
        exchange.upstreamStarted();
        Buffer body = exchange.forwardBody();
        // Whether the request was written decides whether a failure may be retried elsewhere: a pooled connection the
        // instance had just closed fails the write itself, and then the instance never saw the call.
        Future<Void> written = body == null ? request.end() : request.end(body);
        request.response().onComplete(ar -> {
            if (ar.failed()) {
                written.onComplete(w -> attemptFailed(ar.cause(), w.succeeded()));
            } else if (!finished) {
                relay(ar.result());
            }
        });
    }

    /** Ends the answer with a whole JSON body: as it is, or as the next event when the answer is already a stream. */
    private void endJson(Buffer json) {
        if (ClientElicitation.streaming(exchange.response())) {
            ClientElicitation.endWith(exchange.response(), json.getBytes());
        } else {
            exchange.response().end(json);
        }
    }

    private void relay(HttpClientResponse upstream) {
        exchange.upstreamAnswered();
        recordOutcome(upstream.statusCode() >= 502 && upstream.statusCode() <= 504);
        if (upstream.statusCode() < 200) {
            // An interim status the HTTP client hands over as the answer (it takes only 100 and 103 as interim: a 102
            // Processing from res.writeProcessing() arrives here). Relayed, it ended the client's answer with a status its
            // client reads as interim, and the upstream's real answer reached nobody (review BF). The exchange with the
            // upstream is over for the HTTP client, so nothing later can be waited for: cut, and the client gets a 502.
            refuseAnswer(upstream, RejectReason.UPSTREAM_INVALID_RESPONSE, "upstream answered " + upstream.statusCode()
                    + ", an interim status, where its answer was due; not relayed");
            return;
        }
        HttpServerResponse response = exchange.response();
        upstreamSessionId = upstream.getHeader(McpHeaders.SESSION_ID);
        // A call held for its client's approval already answers as a stream (the question went first): the upstream's
        // answer follows as events on it, with no status line or headers of its own.
        if (!response.headWritten()) {
            // The status alone: Vert.x writes its standard reason phrase. The upstream's phrase is text nobody reads, which
            // clients put in a failed call's error (the A2A JS client: "Status: 500 <phrase>"), so it is never relayed.
            response.setStatusCode(upstream.statusCode());
            HopByHopHeaders.copyEndToEnd(upstream.headers(), response.headers(), RESPONSE_HEADERS_SET_BY_GATEWAY);
            if (exchange.a2a() == null || !exchange.a2a().returnsCard()) {
                // The upstream's validators name the upstream's bytes, which the gateway may filter, redact or withhold: a
                // filtered ListTasks carried the agent's ETag over every caller's tasks (review R). Cards get their own.
                response.headers().remove(HttpHeaders.ETAG).remove(HttpHeaders.LAST_MODIFIED);
            }
            if (upstreamSessionId != null && exchange.a2a() == null) {
                sealSessionId(response, upstreamSessionId);
            }
        }
        ResponseFilter filter = exchange.a2a() != null ? new A2aResponseFilter(exchange, errors, learnt)
                : new McpResponseFilter(exchange, new ServerRequestAnswers(exchange, client, errors, () -> upstreamSessionId),
                        (call, decision, id) -> {
                            boolean recorded = completion.serverRequestDecided(exchange, call, decision, id);
                            if (decision.enforcedDeny()) {
                                errors.count(PolicyDenials.reasonFor(decision));
                            }
                            return recorded;
                        }, this::refused, learnt);
        HttpMethod verb = exchange.request().method();
        // What a client dispatches: the answers to its POSTs and its GET stream (a DELETE's body is never read).
        boolean policed = filter.inspectsEveryAnswer() && (verb == HttpMethod.POST || verb == HttpMethod.GET);
        int status = upstream.statusCode();
        boolean inspected = policed && status >= 200 && status < 300;
        if (exchange.a2a() != null && status >= 300 && status < 400) {
            // As on MCP routes (handledBeforeRelay), on every verb: the A2A clients follow a redirect (fetch's default) to
            // the agent's own card or endpoint with the caller's headers, and a 304 would answer bytes the gateway never read.
            refuseRedirect(upstream, status);
            return;
        }
        if (policed && handledBeforeRelay(upstream, filter, status, verb)) {
            return;
        }
        if (!policed && filter.rewritesJson()) {
            // An answer this filter reads (an A2A task or context it binds, a list it filters, a result it decides) is
            // read as the client reads it, or not relayed: compressed (asked for or not) or in another charset, the
            // gateway would learn and decide nothing while the client inflates the same bytes into a task bound to nobody.
            // An error status's body is read too (the client makes its text the call's error): neither compressed nor a stream.
            boolean succeeded = status >= 200 && status < 300;
            if (refusedUnreadable(upstream, succeeded ? AnswerEncoding.problem(upstream.headers())
                    : AnswerEncoding.errorBodyProblem(upstream.headers()))) {
                return;
            }
        }
        // A GET opens a stream whatever the answer calls itself: clients read its body as events.
        if (isEventStream(upstream) || inspected && exchange.request().method() == HttpMethod.GET) {
            cancelDeadline();
            streamOpened();
            metrics.sseStreamOpened();
            done.future().onComplete(v -> metrics.sseStreamClosed());
            if (!response.headWritten()) {
                response.setChunked(true);
            }
            if (filter.batchDenials() != null) {
                filter.batchDenials().forEach(denial -> response.write(Buffer.buffer(SseEncoder.encode(
                        SseEvent.data(new String(McpResponseFilter.bytes(denial), StandardCharsets.UTF_8))))));
            }
            // Event by event, so server-to-client requests meet policy before the client sees them.
            ResponseOutcome outcome = exchange.outcome();
            SseEventRelay.EventFilter events = event -> {
                SseEvent relayed = filter.onEvent(event);
                return relayed == null ? null : sealedId(outcome == null ? relayed : outcome.onEvent(relayed));
            };
            // A relay that waits tells the outcome what it sends once the event is settled (it may be replaced by an error).
            (filter.waitsOnEvents() ? SseEventRelay.relay(upstream, response, new SseDecoder(), filter::beforeEvent, filter::onEvent,
                    passed -> filter.settle(passed).map(sent -> sent == null ? null : sealedId(outcome == null ? sent : outcome.onEvent(sent))))
                    : SseEventRelay.relay(upstream, response, new SseDecoder(), events)).onComplete(ar -> {
                        if (ar.failed() && ar.cause() instanceof SseFramingException framing) {
                            // An event too large or malformed to frame: the client's stream was cut, never relayed in part.
                            errors.count(RejectReason.UPSTREAM_INVALID_EVENT);
                            CallLogContext.log(exchange, () -> LOG.warn("route {}: upstream stream cut: {}",
                                    exchange.route().route().name(), framing.getMessage()));
                        }
                        finish();
                    });
        } else if (inspected || filter.rewritesJson()) {
            relayRead(upstream, filter, body -> rewritten(body, filter), "the answer is not a JSON-RPC response the gateway can read");
        } else if (shouldStream(upstream)) {
            cancelDeadline();
            streamOpened();
            if (!response.headWritten()) {
                response.setChunked(true);
            }
            StreamRelay.relay(upstream, response, null).onComplete(ar -> finish());
        } else {
            // A small JSON answer is read whole and written once: one write instead of headers + chunks.
            upstream.body().onComplete(ar -> {
                if (ar.failed()) {
                    fail(RejectReason.UPSTREAM_ERROR, ar.cause());
                } else if (!finished) {
                    cancelDeadline();
                    if (exchange.outcome() != null) {
                        exchange.outcome().onJson(ar.result());
                    }
                    endJson(ar.result());
                    finish();
                }
            });
        }
    }

    /**
     * The MCP answers that are not relayed as they come: redirects (a client would follow one to another
     * route with the same body and credentials), 202 Accepted (no body in MCP: none is relayed unread, and
     * what the upstream sends is drained within a bound), answers the client could not read as the gateway
     * does (charset, encoding), and error statuses, read whole: a body that is JSON-RPC (a client still dispatches an
     * error response, a -32042 URL elicitation included) or a page (its text is the call's error), never a compressed
     * body or an event stream. True when the answer has been dealt with here.
     */
    private boolean handledBeforeRelay(HttpClientResponse upstream, ResponseFilter filter, int status, HttpMethod verb) {
        if (status >= 300 && status < 400) {
            refuseRedirect(upstream, status);
            return true;
        }
        if (status == 202 && verb == HttpMethod.POST && filter.batchDenials() == null) {
            drainAccepted(upstream);
            return true;
        }
        String encodingProblem = AnswerEncoding.problem(upstream.headers());
        if (status >= 200 && status < 300) {
            return refusedUnreadable(upstream, encodingProblem);
        }
        // An error body the client inflates may hold JSON-RPC it dispatches (a -32042 elicitation), and one sent as an event
        // stream is read whole as the call's error text, comments included: neither is relayed (fail closed).
        if (refusedUnreadable(upstream, AnswerEncoding.errorBodyProblem(upstream.headers()))) {
            return true;
        }
        // Read as a 2xx answer is: a task list filtered with the shared bindings, a task it creates bound before it is relayed.
        relayRead(upstream, filter, body -> filter.checkErrorAnswer(body, encodingProblem,
                        AnswerEncoding.pageCharsetProblem(upstream.headers(), body)),
                "an error answer holds JSON-RPC the gateway cannot read or relay, or text the result rules withhold");
        return true;
    }

    /** A redirect (any 3xx) is not relayed: a client would follow it, body and credentials included, where the upstream says. */
    private void refuseRedirect(HttpClientResponse upstream, int status) {
        // Where it pointed is for the operator's log, not the caller's error (a model reads that text, and may follow a URL).
        String location = upstream.getHeader(HttpHeaders.LOCATION);
        CallLogContext.log(exchange, () -> LOG.warn("route {}: upstream redirect {} to {} not relayed", exchange.route().route().name(),
                status, location));
        refuseAnswer(upstream, RejectReason.UPSTREAM_INVALID_RESPONSE, "upstream answered " + status
                + "; redirects are not relayed: point the route at the final URL");
    }

    /** An answer whose headers make it unreadable as the client reads it ({@link AnswerEncoding}) is not relayed. */
    private boolean refusedUnreadable(HttpClientResponse upstream, String encodingProblem) {
        if (encodingProblem == null) {
            return false;
        }
        refuseAnswer(upstream, RejectReason.UPSTREAM_INVALID_RESPONSE, encodingProblem);
        return true;
    }

    /**
     * An MCP event's id as the client gets it: sealed to this caller and route (see ResumptionStage), so only it can resume
     * the stream from there, and with the instance that wrote it, where the resumed stream is sent. An id too long to seal is not relayed: the client cannot resume from that event. A2A events
     * pass as written (no A2A binding resumes by event id).
     */
    private SseEvent sealedId(SseEvent event) {
        if (event == null || event.id() == null || event.id().isEmpty() || exchange.a2a() != null) {
            return event;
        }
        if (exchange.unsealedCursor()) {
            // A page asked for with a cursor the gateway unsealed: the upstream's error about that cursor may name another
            // caller's task, which this answer is scrubbed of (McpResponseFilter.decided), but a GET resuming the stream would
            // replay it as the upstream stored it (review DE). Such a stream is not offered for resumption.
            return event.withId(null);
        }
        try {
            // With the instance that wrote the stream: only its event store can replay it (review AY).
            return event.withId(exchange.snapshot().sessions().sealEventId(exchange.route().route().name(), exchange.identity(),
                    event.id(), streamCall(), instance == null ? null : instance.url(), java.time.Instant.now()));
        } catch (IllegalArgumentException e) {
            return event.withId(null);
        }
    }

    /** The longest tool name an event id carries: a longer one is left out (its stream resumes as of an unknown tool). */
    private static final int MAX_SEALED_TOOL_CHARS = 128;

    /**
     * The call this stream answers, sealed into its event ids so that a resumed stream's results are decided as that
     * call's tool: a POST's one {@code tools/call} (its id and tool), or, on a GET resuming a stream, the call that stream
     * was sealed with; null otherwise. A request with a body answers its own messages only, never the call of a
     * Last-Event-ID it carried (review W: a batch's stream was sealed with a tool of the caller's choosing).
     */
    private StreamCall streamCall() {
        if (exchange.payload() == null) {
            return exchange.resumedCall();
        }
        if (exchange.messages().size() == 1 && exchange.messages().get(0) instanceof McpMessage.ToolCall call && call.id() != null
                && call.toolName() != null && call.toolName().length() <= MAX_SEALED_TOOL_CHARS) {
            return new StreamCall(call.id().value().toString(), call.toolName());
        }
        // A task's tasks/result, described as its creating tool's call: its answer may come on a resumed stream too (review Z:
        // it was never charged there), and is decided as that tool's result, as on the POST.
        if (exchange.messages().size() == 1 && DeferredCostWatchStage.taskResultOf(exchange.messages().get(0)) != null
                && exchange.messages().get(0) instanceof McpMessage.OtherRequest request && request.id() != null
                && exchange.calls().size() == 1 && exchange.calls().get(0) != null) {
            String tool = exchange.calls().get(0).toolName();
            return tool == null || tool.length() > MAX_SEALED_TOOL_CHARS ? null : new StreamCall(request.id().value().toString(), tool);
        }
        return null;
    }

    /**
     * The client gets the upstream's session id sealed to itself and this route (see SealedSessions), so only
     * it can use the session, on any replica holding the keys. An id too long to seal is not relayed: the
     * client sees no session rather than one it could lend to others.
     */
    private void sealSessionId(HttpServerResponse response, String upstreamId) {
        try {
            // The seal names the instance that issued the session, whatever the number of instances: every replica sends it
            // there, also after a reload scaled the route out, and a session whose instance left is not found (review AY).
            String holder = instance.url();
            response.headers().set(McpHeaders.SESSION_ID, exchange.snapshot().sessions()
                    .seal(exchange.route().route().name(), exchange.identity(), upstreamId, holder, java.time.Instant.now()));
        } catch (IllegalArgumentException e) {
            response.headers().remove(McpHeaders.SESSION_ID);
            CallLogContext.log(exchange, () -> LOG.warn("route {}: upstream session id not relayed: {}",
                    exchange.route().route().name(), e.getMessage()));
        }
    }

    /**
     * Reads an answer whole, up to {@code limits.max-inspected-response-bytes}, and relays what {@code check} makes of it;
     * when {@code check} gives null, or the answer is too large, the client gets the gateway's 502. The filter prepares and
     * settles it: first what the
     * check reads from a shared store ({@link ResponseFilter#beforeRewrite}), last what deciding it wrote there
     * ({@link ResponseFilter#bindingsWritten}); when either fails, the answer is withheld.
     */
    private void relayRead(HttpClientResponse upstream, ResponseFilter filter, Function<byte[], byte[]> check, String refusal) {
        long limit = exchange.snapshot().config().limits().maxInspectedResponseBytes();
        BoundedBody.read(upstream, limit).onComplete(ar -> {
            if (finished) {
                return;
            }
            if (ar.failed()) {
                if (ar.cause() instanceof BoundedBody.TooLarge tooLarge) {
                    refuseAnswer(upstream, RejectReason.UPSTREAM_RESPONSE_TOO_LARGE, tooLarge.getMessage());
                } else {
                    fail(RejectReason.UPSTREAM_ERROR, ar.cause());
                }
                return;
            }
            byte[] body = BufferBytes.readOnly(ar.result());
            Future<Void> ready = filter.beforeRewrite(body);
            if (ready.succeeded()) {
                relayChecked(upstream, body, check, filter, refusal);
                return;
            }
            ready.onComplete(prepared -> {
                if (finished) {
                    return; // the call's deadline answered meanwhile
                }
                if (prepared.failed()) {
                    // The list may hold another caller's tasks that only the store knows: not relayed (fail closed).
                    refuseAnswer(upstream, RejectReason.TASK_STORE_UNAVAILABLE, WITHHELD_STATUS,
                            "the task store could not be read to filter the answer: " + prepared.cause().getMessage());
                } else {
                    relayChecked(upstream, body, check, filter, refusal);
                }
            });
        });
    }

    /** An answer withheld after the upstream gave it is the gateway's failure to pass it on, as other refused answers: 502. */
    private static final int WITHHELD_STATUS = 502;

    private void relayChecked(HttpClientResponse upstream, byte[] body, Function<byte[], byte[]> check, ResponseFilter filter,
                              String refusal) {
        byte[] relayed;
        try {
            relayed = check.apply(body);
        } catch (RuntimeException e) {
            // A fault in the gateway's own reading: the answer is not relayed (fail closed), and the client is answered.
            CallLogContext.log(exchange, () -> LOG.error("route {}: reading the upstream's answer failed", exchange.route().route().name(), e));
            refuseAnswer(upstream, RejectReason.INTERNAL_ERROR, "the gateway could not read the upstream's answer");
            return;
        }
        if (relayed == null) {
            refuseAnswer(upstream, RejectReason.UPSTREAM_INVALID_RESPONSE, refusal);
            return;
        }
        Future<Void> written = filter.bindingsWritten();
        if (written.succeeded()) {
            relayJson(relayed);
            return;
        }
        written.onComplete(settled -> {
            if (finished) {
                return; // the call's deadline answered meanwhile
            }
            if (settled.failed()) {
                // The task or context it creates is not in the shared store: handed out, it would be nobody's on other replicas.
                refuseAnswer(upstream, RejectReason.TASK_STORE_UNAVAILABLE, WITHHELD_STATUS,
                        "the task or context the answer creates could not be bound in the task store: " + settled.cause().getMessage());
            } else {
                relayJson(relayed);
            }
        });
    }

    private void relayJson(byte[] relayed) {
        cancelDeadline();
        Buffer out = BufferBytes.wrapping(relayed);
        if (exchange.outcome() != null) {
            exchange.outcome().onJson(out);
        }
        endJson(out);
        finish();
    }

    /**
     * 202 Accepted: relayed without a body. Whatever the upstream sends with it is read and dropped under the
     * response timeout, up to {@link ReadBodyStage#MAX_DISCARDED_BODY_BYTES}; beyond that the upstream request
     * is cut, so an endless body costs neither memory nor a stuck call.
     */
    private void drainAccepted(HttpClientResponse upstream) {
        HttpServerResponse response = exchange.response();
        response.headers().remove(HttpHeaders.CONTENT_TYPE).remove(HttpHeaders.CONTENT_ENCODING);
        long[] drained = {0};
        upstream.handler(chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > ReadBodyStage.MAX_DISCARDED_BODY_BYTES && !finished) {
                upstream.handler(null);
                quietReset(upstream);
                answerAccepted();
            }
        });
        upstream.endHandler(v -> answerAccepted());
        upstream.exceptionHandler(e -> answerAccepted());
    }

    /**
     * Cuts the upstream's answer. The reset is ours, so the stream ending with it is not an error to log; an
     * answer already read to its end takes no handler any more (Vert.x refuses one), and has nothing to reset.
     */
    private void quietReset(HttpClientResponse upstream) {
        try {
            upstream.exceptionHandler(e -> { });
        } catch (IllegalStateException alreadyEnded) {
            // read to its end: nothing left to report
        }
        cancelUpstream();
    }

    private void answerAccepted() {
        if (!finished) {
            exchange.response().end();
            finish();
        }
    }

    /**
     * An upstream answer that is not relayed: the client gets the gateway's 502 instead of any of it (the
     * upstream's headers are dropped too), and the rest of the upstream's answer is discarded.
     */
    private void refuseAnswer(HttpClientResponse upstream, RejectReason reason, String detail) {
        refuseAnswer(upstream, reason, reason.httpStatus(), detail);
    }

    private void refuseAnswer(HttpClientResponse upstream, RejectReason reason, int httpStatus, String detail) {
        if (finished) {
            return;
        }
        CallLogContext.log(exchange, () -> LOG.warn("route {}: upstream answer refused ({}): {}",
                exchange.route().route().name(), reason.code(), detail));
        finished = true;
        cancelDeadline();
        quietReset(upstream);
        exchange.errorType(reason.code());
        exchange.response().headers().clear();
        errors.respond(exchange.response(), reason, httpStatus, singleRequestId(), detail);
        done.tryComplete(StageResult.RESPONDED);
    }

    /** An upstream message dropped as unreadable: counted under its reason and logged. */
    private void refused(RejectReason reason, ServerMessage.Unreadable why) {
        if (reason == RejectReason.UPSTREAM_INVALID_EVENT || reason == RejectReason.TASK_STORE_UNAVAILABLE) {
            // A JSON answer refused is counted when its 502 is sent; a dropped or replaced event only here.
            errors.count(reason);
        }
        CallLogContext.log(exchange, () -> LOG.warn("route {}: upstream message refused ({}: {}){}", exchange.route().route().name(),
                why.reason(), why.detail(), why.looksLikeRequest() ? ", answered upstream with an error" : ""));
    }

    /**
     * The JSON answer after policy: tools/list filtered, batch denials merged; null when it must not be
     * relayed. When only notifications of a batch were forwarded the upstream answers 202 with no body, and
     * the client gets the denials instead.
     */
    private byte[] rewritten(byte[] body, ResponseFilter filter) {
        if (body.length == 0) {
            if (filter.batchDenials() != null) {
                exchange.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                return McpResponseFilter.bytes(filter.batchDenials());
            }
            return new byte[0];
        }
        return filter.rewriteJson(body, exchange.response());
    }

    private static boolean isEventStream(HttpClientResponse upstream) {
        String contentType = upstream.getHeader(HttpHeaders.CONTENT_TYPE);
        // By the media type's essence, as the SDK clients decide (an answer naming the type anywhere else is refused, AnswerEncoding).
        return AnswerEncoding.isEventStream(contentType);
    }

    private boolean shouldStream(HttpClientResponse upstream) {
        String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return true;
        }
        try {
            return Long.parseLong(length.trim()) > exchange.snapshot().config().limits().maxBufferedResponseBytes();
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** A stream may stay open for hours: its decision is exported now rather than when it ends. */
    private void streamOpened() {
        if (exchange.trace() != null) {
            exchange.trace().exportDecisionNow();
        }
    }

    private void timedOut() {
        deadline = null;
        if (abandoned != null) {
            // An abandoned call's upstream ran out its time: no longer waited for, its slots are given back.
            cancelUpstream();
            abandoned.tryComplete();
            return;
        }
        recordOutcome(true);
        fail(RejectReason.UPSTREAM_TIMEOUT, null);
    }

    private void clientGone() {
        if (finished) {
            return;
        }
        metrics.clientAborted();
        exchange.errorType("client_aborted");
        finished = true;
        if (upstreamRequest != null && exchange.sentUpstream()) {
            outliveTheClient();
        } else {
            cancelDeadline();
            cancelUpstream();
        }
        done.tryComplete(StageResult.RESPONDED);
    }

    /**
     * A call already sent runs on upstream when its client hangs up (MCP: a disconnect is not a cancellation), so it keeps
     * its concurrency slots until the upstream's answer ends, read and dropped, or the route's response timeout passes
     * (review Y: a caller limited to 1 call in flight kept six tools running by hanging up after each was forwarded).
     */
    private void outliveTheClient() {
        Promise<Void> upstreamDone = Promise.promise();
        abandoned = upstreamDone;
        exchange.slotsHeldUntil(upstreamDone.future());
        if (deadline == null) {
            // A stream no longer has a deadline once it started: the wait for an abandoned one is bounded all the same.
            deadline = CallDeadlines.current().after(exchange.route().route().config().responseTimeout().toMillis(), this::timedOut);
        }
        // The instance runs the call until then: it counts as in flight there (least-requests, tollgate_upstream_in_flight),
        // or a caller hanging up after each slow call steered everyone's calls onto the instance it kept busy (review AY).
        upstreamDone.future().onComplete(v -> {
            cancelDeadline();
            release();
        });
        upstreamRequest.response().onComplete(ar -> {
            if (ar.failed()) {
                upstreamDone.tryComplete();
                return;
            }
            HttpClientResponse answer = ar.result();
            try {
                // Read to its end, relaying nothing: a cost it reports or a task it creates is still accounted (review Z).
                AbandonedAnswer.drain(answer, response -> completion.abandonedAnswer(exchange, response))
                        .onComplete(end -> upstreamDone.tryComplete());
            } catch (IllegalStateException alreadyRead) {
                // The relay read it all (the client left as its answer ended): nothing to drain, the slot is free.
                upstreamDone.tryComplete();
            }
        });
    }

    private void fail(RejectReason reason, Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        cancelDeadline();
        cancelUpstream();
        exchange.errorType(reason.code());
        String detail = "route " + exchange.route().route().name() + ": upstream " + instance.url() + " " + UpstreamFailures.describe(reason, cause,
                exchange.route().route().config());
        CallLogContext.log(exchange, () -> LOG.warn("{}", detail));
        errors.respond(exchange.response(), reason, singleRequestId(), detail);
        done.tryComplete(StageResult.RESPONDED);
    }

    private void finish() {
        finished = true;
        cancelDeadline();
        done.tryComplete(StageResult.RESPONDED);
    }

    private void cancelUpstream() {
        if (upstreamRequest != null) {
            upstreamRequest.reset();
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }

    /** The id of a single JSON-RPC request, echoed in the gateway's error so the client can match it. */
    private JsonNode singleRequestId() {
        if (exchange.payload() instanceof JsonRpcPayload.Single single && single.message() instanceof JsonRpcRequest request) {
            return request.id().value();
        }
        return null;
    }
}
