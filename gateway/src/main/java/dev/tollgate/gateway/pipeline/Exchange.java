package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.upstream.UpstreamInstance;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.gateway.budget.CallCharge;
import io.vertx.core.Future;
import dev.tollgate.gateway.budget.SpendView;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.routing.RouteMatch;
import dev.tollgate.gateway.telemetry.CallTrace;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.mcp.McpMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * Typed per-request state, handed from stage to stage on one event loop. Fields are filled in by the
 * stage that owns them (body by the body stage, payload by the parse stage), read by later ones. Never
 * shared across threads; configuration lives in the immutable {@link GatewaySnapshot}.
 */
public final class Exchange {

    private final HttpServerRequest request;
    private final GatewaySnapshot snapshot;
    private final ListenerRuntime listener;
    private final RouteMatch route;
    private final long startNanos;
    private Buffer body;
    private String bodyMediaType;
    private JsonRpcPayload payload;
    private List<McpMessage> messages = List.of();
    private List<Decision> decisions = List.of();
    /** When policy decided the request's calls (its audit records' decision time); null before, or when it decided none. */
    private java.time.Instant decidedAt;
    private List<CallDescription> calls = List.of();
    private String mcpRevision;
    private String upstreamSessionId;
    /** Set and taken on different threads (an approval may end on another event loop), under this exchange's lock. */
    private Runnable countedPlace;
    private String upstreamLastEventId;
    private dev.tollgate.gateway.session.StreamCall resumedCall;
    private String pinnedUpstream;
    /** The caller's validated OAuth token, kept only for a token exchange; never logged, never forwarded. */
    private String bearerToken;
    /** The AXID the identity stage verified on this call (the only one ever forwarded with forward: pass); null otherwise. */
    private String verifiedAxid;
    /** A single-use route's verified AXID, whose jti {@link AxidReplayStage} spends once identity and OAuth admitted the call. */
    private dev.tollgate.gateway.identity.VerifiedAxid singleUseAxid;
    /** The upstream's own token the gateway obtained for this call (client credentials or token exchange). */
    private String upstreamToken;
    private dev.tollgate.gateway.approval.PendingApproval approval;
    private AskClientAnswer askClientAnswer;
    private ApprovedContinuation approvedContinuation;
    private ApprovedContinuation.Origin approvedOrigin;
    private boolean askedInClient;
    private UpstreamInstance upstreamInstance;
    /** The instance the gateway's own tools list reached for this call (it is forwarded there too); null when none was sent. */
    private ChosenInstance chosenInstance;
    private final List<Runnable> onComplete = new java.util.ArrayList<>(1);
    private Identity identity = Identity.ANONYMOUS;
    /** Set once every identity stage admitted the call: its refusals from then on are audited ({@link RefusalRecords}). */
    private boolean identified;
    private Buffer forwardBody;
    /** The params of the one request forwarded, with the members the gateway replaced; null while none was. */
    private com.fasterxml.jackson.databind.node.ObjectNode forwardedParams;
    private ArrayNode batchDenials;
    private byte[] denialBody;
    private RejectReason denialReason;
    private int denialStatus;
    private A2aExchange a2a;
    private CallTrace trace;
    /** What result policy decided about this call's results; null when it decided nothing. */
    private List<ResultVerdict> resultVerdicts;
    /** Tools met in this call whose definitions are not the reviewed ones (a call to one, or a list holding them). */
    private List<dev.tollgate.gateway.pinning.PinChange> pinFindings;
    private long upstreamStartNanos;
    private long upstreamEndNanos;
    private String errorType;
    private boolean completed;
    private SpendView spend;
    private java.util.function.Supplier<GatewaySnapshot> liveSnapshots;
    private dev.tollgate.policy.CallFacts heldFacts;
    /** Set when an approval given after a reload let the call through: the serving policy, whose result rules read its answer. */
    private CompiledPolicy answerPolicy;
    private boolean answersUnderServingPolicy;
    private List<CallCharge> charges = List.of();
    private List<String> chargedRequestIds = List.of();
    private ResponseOutcome outcome;
    private dev.tollgate.gateway.audit.AuditLog.Admission auditAdmission;
    private boolean unsealedCursor;
    /** The query the upstream gets in place of the client's (an A2A ListTasks with the upstream's own page token); null: the client's. */
    private String forwardQuery;

    public Exchange(HttpServerRequest request, GatewaySnapshot snapshot, ListenerRuntime listener, RouteMatch route,
                    long startNanos) {
        this.request = request;
        this.snapshot = snapshot;
        this.listener = listener;
        this.route = route;
        this.startNanos = startNanos;
    }

    public HttpServerRequest request() {
        return request;
    }

    public HttpServerResponse response() {
        return request.response();
    }

    public GatewaySnapshot snapshot() {
        return snapshot;
    }

    public ListenerRuntime listener() {
        return listener;
    }

    public RouteMatch route() {
        return route;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The request body, or null for bodiless requests (GET, DELETE). */
    public Buffer body() {
        return body;
    }

    /** The body's media type as checked (no parameters): the Content-Type forwarded, so UTF-8 is the only reading. */
    public String bodyMediaType() {
        return bodyMediaType;
    }

    void bodyMediaType(String mediaType) {
        this.bodyMediaType = mediaType;
    }

    void body(Buffer body) {
        this.body = body;
    }

    public JsonRpcPayload payload() {
        return payload;
    }

    /** The classified MCP messages of a POST body, one per JSON-RPC element; empty for GET and DELETE. */
    public List<McpMessage> messages() {
        return messages;
    }

    void parsed(JsonRpcPayload payload, List<McpMessage> messages) {
        this.payload = payload;
        this.messages = List.copyOf(messages);
    }

    /** The caller's identity (workload and action); anonymous until an identity stage sets it. */
    public Identity identity() {
        return identity;
    }

    void identity(Identity identity) {
        this.identity = identity;
    }

    /**
     * Whether the identity stages (SPIFFE, AXID and its single use, OAuth) all admitted the call and established who calls:
     * false for an anonymous caller, and for a call refused by one of them (unauthenticated traffic is not audited).
     */
    boolean identified() {
        return identified;
    }

    void identified(boolean identified) {
        this.identified = identified;
    }

    /** The policy deciding this request's route in this request's snapshot; null means none (fail closed). */
    public CompiledPolicy policy() {
        return snapshot.policyFor(route.route());
    }

    /**
     * The policy whose result rules read this call's answer: the one it was decided under, or, for a held call an approval
     * let through after a reload, the route's serving policy (review AS: the answer was read under the old snapshot's
     * rules, and an injected result a reload had come to refuse reached the client).
     */
    CompiledPolicy answerPolicy() {
        return answersUnderServingPolicy ? answerPolicy : policy();
    }

    void answerUnder(CompiledPolicy serving) {
        this.answerPolicy = serving;
        this.answersUnderServingPolicy = true;
    }

    /**
     * The route's policy in the configuration serving now, which a reload may have replaced since this call began:
     * what a stream open for hours decides the server's requests on (review revJ: a GET stream kept relaying sampling
     * requests a reload had denied). Null when the route is gone (decided as no policy: denied).
     */
    CompiledPolicy currentPolicy() {
        return liveSnapshots == null ? policy() : liveSnapshots.get().policyFor(route.route());
    }

    /**
     * The configuration serving now (the one a new call would get), which a reload may have swapped in since this call
     * began: what a held call's approval is checked against before it is forwarded (review AO).
     */
    GatewaySnapshot servingSnapshot() {
        return liveSnapshots == null ? snapshot : liveSnapshots.get();
    }

    /** The facts the held call was decided on (its budget and rate obligations secured then); null for a call not held. */
    dev.tollgate.policy.CallFacts heldFacts() {
        return heldFacts;
    }

    void heldFacts(dev.tollgate.policy.CallFacts facts) {
        this.heldFacts = facts;
    }

    void liveSnapshots(java.util.function.Supplier<GatewaySnapshot> snapshots) {
        this.liveSnapshots = snapshots;
    }

    /** One decision per message, null where policy does not decide (notifications, responses, initialize). */
    public List<Decision> decisions() {
        return decisions;
    }

    /** Runs when the exchange completes, however it ends (once; see CompletionRecorder). */
    void onComplete(Runnable action) {
        onComplete.add(action);
    }

    /**
     * Every action runs, even when one before it throws: each gives back something of its own (a concurrency slot, the
     * session's request ids), and one failing must not keep the others (found when a lookup of null threw in one).
     */
    void runCompletionActions() {
        for (Runnable action : onComplete) {
            try {
                action.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Exchange.class).error("a completion action failed", e);
            }
        }
        onComplete.clear();
    }

    /**
     * The URL of the route's upstream instance this call must go to (the one holding its session or task); null when
     * the call is balanced freely.
     */
    public String pinnedUpstream() {
        return pinnedUpstream;
    }

    void pinnedUpstream(String url) {
        this.pinnedUpstream = url;
    }

    /** The instance the call was (last) sent to; null before forwarding. */
    public UpstreamInstance upstreamInstance() {
        return upstreamInstance;
    }

    void upstreamInstance(UpstreamInstance instance) {
        this.upstreamInstance = instance;
    }

    /** The instance this call's tools list (ToolListFetch) reached, where its forwarding begins; null when none was listed. */
    ChosenInstance chosenInstance() {
        return chosenInstance;
    }

    void chosenInstance(ChosenInstance chosen) {
        this.chosenInstance = chosen;
    }

    String bearerToken() {
        return bearerToken;
    }

    String verifiedAxid() {
        return verifiedAxid;
    }

    void verifiedAxid(String token) {
        this.verifiedAxid = token;
    }

    dev.tollgate.gateway.identity.VerifiedAxid singleUseAxid() {
        return singleUseAxid;
    }

    void singleUseAxid(dev.tollgate.gateway.identity.VerifiedAxid verified) {
        this.singleUseAxid = verified;
    }

    void bearerToken(String token) {
        this.bearerToken = token;
    }

    String upstreamToken() {
        return upstreamToken;
    }

    void upstreamToken(String token) {
        this.upstreamToken = token;
    }

    /** The approval this call was held for; null when its policy asked for none. */
    public dev.tollgate.gateway.approval.PendingApproval approval() {
        return approval;
    }

    void approval(dev.tollgate.gateway.approval.PendingApproval approval) {
        this.approval = approval;
    }

    /** The user's answer a 2026 client's retry carried for its call's approval (ask-client); null for any other request. */
    AskClientAnswer askClientAnswer() {
        return askClientAnswer;
    }

    void askClientAnswer(AskClientAnswer answer) {
        this.askClientAnswer = answer;
    }

    /**
     * The approved call this request carries on, a retry with the state relayed on that call's {@code input_required}
     * answer ({@link RequestStateStage}); null for any other request.
     */
    ApprovedContinuation approvedContinuation() {
        return approvedContinuation;
    }

    void approvedContinuation(ApprovedContinuation continuation) {
        this.approvedContinuation = continuation;
    }

    /** How to give back the place this call took in its run's {@code tool_call_count} ({@link PolicyStage}); once. */
    synchronized void countedPlace(Runnable giveBack) {
        countedPlace = giveBack;
    }

    /**
     * This call ran no tool after all: the upstream answered it {@code input_required} (the round ran no tool; the retry
     * is the call), or it was held for approval and then refused. Its place in the run's count is given back (once).
     */
    void ranNoTool() {
        Runnable giveBack;
        synchronized (this) {
            giveBack = countedPlace;
            countedPlace = null;
        }
        if (giveBack != null) {
            giveBack.run();
        }
    }

    /**
     * The approved call this request goes on as, once its approval let it go on ({@link ApprovalStage}): what the state
     * of its {@code input_required} answer names ({@link ApprovedContinuation#approvedIn}); null for any other request.
     */
    ApprovedContinuation.Origin approvedOrigin() {
        return approvedOrigin;
    }

    void approvedOrigin(ApprovedContinuation.Origin origin) {
        this.approvedOrigin = origin;
    }

    /**
     * Whether this request was answered with the gateway's own ask-client question ({@link ClientInputRequired}): nothing
     * was forwarded, so its charge is released, and the retry carrying the answer is the call that pays.
     */
    boolean askedInClient() {
        return askedInClient;
    }

    void askedInClient(boolean asked) {
        this.askedInClient = asked;
    }

    /**
     * Whether the call's policy asks for an approval that was not given (none was held, or it did not allow the call):
     * such a call must never be forwarded, whatever path it took.
     */
    boolean awaitsApproval() {
        if (decisions.size() != 1 || decisions.get(0) == null || !decisions.get(0).requiresApproval()) {
            return false;
        }
        return approval == null || approval.ended() == null || !approval.ended().allows();
    }

    /** The upstream's own MCP session id for the sealed one the client sent; null when it sent none. */
    public String upstreamSessionId() {
        return upstreamSessionId;
    }

    void upstreamSessionId(String id) {
        this.upstreamSessionId = id;
    }

    /** The upstream's own event id for the sealed {@code Last-Event-ID} the client sent; null when it sent none. */
    public String upstreamLastEventId() {
        return upstreamLastEventId;
    }

    void upstreamLastEventId(String id) {
        this.upstreamLastEventId = id;
    }

    /** The call the stream this GET resumes answered (sealed into its event ids); null when none or unknown. */
    public dev.tollgate.gateway.session.StreamCall resumedCall() {
        return resumedCall;
    }

    /** The tool a response with {@code id} on the resumed stream is the result of; null when unknown (fail closed). */
    public String resumedToolFor(com.fasterxml.jackson.databind.JsonNode id) {
        return resumedCall == null ? null : resumedCall.toolFor(id);
    }

    void resumedCall(dev.tollgate.gateway.session.StreamCall call) {
        this.resumedCall = call;
    }

    /** The MCP revision the request speaks (2025-11-25, 2026-07-28, ...); null for GET, DELETE and A2A. */
    public String mcpRevision() {
        return mcpRevision;
    }

    void mcpRevision(String revision) {
        this.mcpRevision = revision;
    }

    /** The call each message was decided as (null where not policed), as policy saw it: what the audit records. */
    List<CallDescription> calls() {
        return calls;
    }

    void described(List<CallDescription> calls) {
        this.calls = java.util.Collections.unmodifiableList(calls);
    }

    void decided(List<Decision> decisions) {
        this.decisions = java.util.Collections.unmodifiableList(decisions);
    }

    /** The instant policy decided at (the time its {@code time:} conditions read), for the audit records. */
    void decidedAt(java.time.Instant at) {
        this.decidedAt = at;
    }

    /** When policy decided the request's calls; null when it decided none. */
    public java.time.Instant decidedAt() {
        return decidedAt;
    }

    /** What to send upstream: the original body, the allowed part of a partly denied batch, or a body the gateway rewrote. */
    public Buffer forwardBody() {
        return forwardBody != null ? forwardBody : body;
    }

    /** Error responses for the denied elements of a batch, to merge into the upstream's answer; or null. */
    public ArrayNode batchDenials() {
        return batchDenials;
    }

    /** A body the gateway wrote in place of the client's (a tasks/list with the upstream's own cursor). */
    void forwardRewritten(Buffer rewritten) {
        this.forwardBody = rewritten;
    }

    /**
     * The list page forwarded (an MCP tasks/list, an A2A ListTasks) carries the upstream's own cursor or page token,
     * unsealed by the gateway: its errors are not relayed.
     */
    void forwardsUnsealedCursor() {
        this.unsealedCursor = true;
    }

    boolean unsealedCursor() {
        return unsealedCursor;
    }

    /** Forwards the request with this query in place of the client's (written by the gateway, like a rewritten body). */
    void forwardWithQuery(String rawQuery) {
        this.forwardQuery = rawQuery;
    }

    /** The request URI on this upstream instance: the path after the route's prefix, and the client's query or the gateway's. */
    String upstreamUri(dev.tollgate.gateway.routing.UpstreamTarget instance) {
        return forwardQuery == null ? route.upstreamUri(instance) : instance.uriFor(route.remainder(), forwardQuery);
    }

    /**
     * Forwards the client's one request with {@code params.<name>} replaced by the upstream's own value (a cursor, a
     * requestState the gateway sealed), in a body the gateway writes ({@link RewrittenRequest}). Replacements by several
     * stages add up: a {@code tasks/list} retried with a cursor and a requestState gets both of the upstream's own.
     */
    void forwardWithParam(dev.tollgate.protocols.jsonrpc.JsonRpcRequest request, String name, String value) {
        editableParams(request).put(name, value);
        forwardRewritten(Buffer.buffer(RewrittenRequest.body(request, forwardedParams)));
    }

    /**
     * Forwards the client's one request without these {@code params} members (the gateway's own requestState and the
     * answer to its own question, which mean nothing upstream), in a body the gateway writes; adds up with
     * {@link #forwardWithParam} like the replacements do.
     */
    void forwardWithoutParams(dev.tollgate.protocols.jsonrpc.JsonRpcRequest request, String... names) {
        editableParams(request).remove(java.util.List.of(names));
        forwardRewritten(Buffer.buffer(RewrittenRequest.body(request, forwardedParams)));
    }

    /**
     * Forwards the client's one request without these {@code params._meta} members (the caller's trace context, under
     * {@code incoming-trace: link}); adds up with the other rewrites. Nothing when {@code _meta} holds none of them.
     */
    void forwardWithoutMeta(dev.tollgate.protocols.jsonrpc.JsonRpcRequest request, java.util.List<String> names) {
        com.fasterxml.jackson.databind.JsonNode meta = (forwardedParams != null ? forwardedParams : request.params()).path("_meta");
        if (!meta.isObject() || names.stream().noneMatch(meta::has)) {
            return;
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) editableParams(request).get("_meta")).remove(names);
        forwardRewritten(Buffer.buffer(RewrittenRequest.body(request, forwardedParams)));
    }

    /** The params forwarded in place of the client's, copied from them at the first rewrite; the rewrites add up. */
    private com.fasterxml.jackson.databind.node.ObjectNode editableParams(dev.tollgate.protocols.jsonrpc.JsonRpcRequest request) {
        if (forwardedParams == null) {
            forwardedParams = ((com.fasterxml.jackson.databind.node.ObjectNode) request.params()).deepCopy();
        }
        return forwardedParams;
    }

    void forwardPartialBatch(Buffer allowedElements, ArrayNode denials) {
        this.forwardBody = allowedElements;
        this.batchDenials = denials;
    }

    /** Set by policy when the whole request is denied: the answer to send instead of forwarding. */
    void denied(byte[] body, RejectReason reason) {
        this.denialBody = body;
        this.denialReason = reason;
    }

    /** A denial answered with its own HTTP status (an HTTP+JSON A2A call gets 403, not a JSON-RPC 200). */
    void denied(byte[] body, RejectReason reason, int httpStatus) {
        denied(body, reason);
        this.denialStatus = httpStatus;
    }

    /** The HTTP status of the denial, or 0 for the reason's own. */
    int denialStatus() {
        return denialStatus;
    }

    /** On an {@code a2a} route: what the request addresses and, once parsed, the call; null on MCP routes. */
    public A2aExchange a2a() {
        return a2a;
    }

    void a2a(A2aExchange a2a) {
        this.a2a = a2a;
    }

    public boolean isDenied() {
        return denialBody != null;
    }

    byte[] denialBody() {
        return denialBody;
    }

    RejectReason denialReason() {
        return denialReason;
    }

    /** The call's spans; null until the trace stage ran (requests refused earlier have none). */
    public CallTrace trace() {
        return trace;
    }

    void trace(CallTrace trace) {
        this.trace = trace;
    }

    /** What result policy decided about this call's results (for its audit record, span and metrics); empty when nothing. */
    public List<ResultVerdict> resultVerdicts() {
        return resultVerdicts == null ? List.of() : resultVerdicts;
    }

    /** Notes a result decision, on the span at once (the span is open while the answer is relayed). */
    void resultDecided(ResultVerdict verdict) {
        if (resultVerdicts == null) {
            resultVerdicts = new java.util.ArrayList<>(1);
        }
        resultVerdicts.add(verdict);
        if (trace != null) {
            var attributes = io.opentelemetry.api.common.Attributes.builder()
                    .put(dev.tollgate.gateway.telemetry.CallAttributes.RESULT_ACTION, verdict.action());
            if (verdict.decision().ruleName() != null) {
                attributes.put(dev.tollgate.gateway.telemetry.CallAttributes.RESULT_RULE, verdict.decision().ruleName());
            }
            if (!verdict.findings().isEmpty()) {
                attributes.put(dev.tollgate.gateway.telemetry.CallAttributes.RESULT_DETECTORS, verdict.detectorLabels());
            }
            if (!verdict.withheld().isEmpty()) {
                // Bounded: the upstream chooses how many entries, and how long (the audit record keeps them all).
                dev.tollgate.gateway.telemetry.CallAttributes.putBounded(dev.tollgate.gateway.telemetry.AttributeSink.of(attributes),
                        dev.tollgate.gateway.telemetry.CallAttributes.RESULT_WITHHELD,
                        dev.tollgate.gateway.telemetry.CallAttributes.RESULT_WITHHELD_OMITTED, verdict.withheld());
            }
            trace.annotate(attributes.build());
        }
    }

    /** Unreviewed tool definitions met by this call, for its audit record and span; empty when none. */
    public List<dev.tollgate.gateway.pinning.PinChange> pinFindings() {
        return pinFindings == null ? List.of() : pinFindings;
    }

    /** Notes unreviewed definitions; put on the span at once when it is already open (a list found on the way back). */
    void pinFindings(List<dev.tollgate.gateway.pinning.PinChange> found) {
        if (found.isEmpty()) {
            return;
        }
        if (pinFindings == null) {
            pinFindings = new java.util.ArrayList<>(found.size());
        }
        pinFindings.addAll(found);
        if (trace != null) {
            var attributes = io.opentelemetry.api.common.Attributes.builder();
            dev.tollgate.gateway.telemetry.CallAttributes.putBounded(dev.tollgate.gateway.telemetry.AttributeSink.of(attributes),
                    dev.tollgate.gateway.telemetry.CallAttributes.PINNING_UNREVIEWED,
                    dev.tollgate.gateway.telemetry.CallAttributes.PINNING_UNREVIEWED_OMITTED,
                    dev.tollgate.gateway.telemetry.CallAttributes.pinLabels(pinFindings, policy()));
            trace.annotate(attributes.build());
        }
    }

    void upstreamStarted() {
        upstreamStartNanos = System.nanoTime();
    }

    /** Completes when the upstream is done with a call its client abandoned; null while the client is there. */
    private Future<Void> slotsHeldUntil;

    void slotsHeldUntil(Future<Void> upstreamDone) {
        this.slotsHeldUntil = upstreamDone;
    }

    /**
     * Gives a concurrency slot back when the call is over for the upstream: at once, or, for a call its client abandoned
     * after it was sent, once the upstream's answer has ended.
     */
    void releaseSlot(Runnable release) {
        if (slotsHeldUntil == null) {
            release.run();
        } else {
            slotsHeldUntil.onComplete(v -> release.run());
        }
    }

    /** Whether the call was sent to an upstream instance (its request started), whatever came of it. */
    boolean sentUpstream() {
        return upstreamStartNanos != 0;
    }

    void upstreamAnswered() {
        if (upstreamEndNanos == 0 && upstreamStartNanos != 0) {
            upstreamEndNanos = System.nanoTime();
        }
    }

    /** Time spent waiting on the upstream (to its response headers), 0 when it was never called. */
    public long upstreamNanos() {
        return upstreamStartNanos == 0 ? 0 : (upstreamEndNanos == 0 ? System.nanoTime() : upstreamEndNanos) - upstreamStartNanos;
    }

    /** Stable reason the call ended abnormally (upstream_timeout, client_aborted, policy_denied...), or null. */
    public String errorType() {
        return errorType;
    }

    /** True the first time only: completion is recorded once per exchange. */
    boolean markCompleted() {
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }

    void errorType(String errorType) {
        if (this.errorType == null) {
            this.errorType = errorType;
        }
    }

    /**
     * A result rule withheld the answer of this MCP call (the client got the policy's error in its place): the call ends
     * with error type {@code result_denied}, as an A2A call does (its span, access line, metric and audit record say so;
     * review BK: it showed as an allowed call that ended well). Not for a batch: its other calls were answered, and the
     * withheld one's verdict is on record with it.
     */
    void resultWithheld() {
        if (!(payload instanceof dev.tollgate.protocols.jsonrpc.JsonRpcPayload.Batch)) {
            errorType(dev.tollgate.gateway.errors.RejectReason.RESULT_DENIED.code());
        }
    }

    /**
     * A request carried in this MCP call's answer (a 2026-07-28 input_required result, a URL elicitation error) was denied
     * by policy, or withheld because its record could not be kept: the client got that error in place of the answer, so
     * the call ends with its error type, as for {@link #resultWithheld} (review BN: span, access line and record read as an
     * allowed call that ended well). Only for a single call: a batch's other calls were answered, and a GET stream's
     * answers are no call of its own.
     */
    void answerRefused(dev.tollgate.gateway.errors.RejectReason reason) {
        if (payload instanceof dev.tollgate.protocols.jsonrpc.JsonRpcPayload.Single) {
            errorType(reason.code());
        }
    }

    /** The spend read for this call's tree before policy, or null when the policy has no budget rule. */
    public SpendView spend() {
        return spend;
    }

    void spend(SpendView spend) {
        this.spend = spend;
    }

    /** The budget charges of the allowed calls, settled when the exchange completes. */
    public List<CallCharge> charges() {
        return charges;
    }

    /** The JSON-RPC id ({@link ResponseOutcome#key}) of the request the i-th charge is for; null when it has none (A2A). */
    String chargedRequestId(int i) {
        return i < chargedRequestIds.size() ? chargedRequestIds.get(i) : null;
    }

    /**
     * The charges are handed on, not settled with this exchange: an ask-client question's hold, parked for the retry that
     * carries the user's answer ({@link ClientInputRequired}).
     */
    void chargesHandedOn() {
        charges = List.of();
        chargedRequestIds = List.of();
    }

    void charge(CallCharge charge, String requestId) {
        if (charges.isEmpty()) {
            charges = new java.util.ArrayList<>(1);
            chargedRequestIds = new java.util.ArrayList<>(1);
        }
        charges.add(charge);
        chargedRequestIds.add(requestId);
        if (outcome == null) {
            outcome = ResponseOutcome.of(a2a);
        }
    }

    /**
     * Tasks the upstream's answers created and showed ended in this exchange (for their concurrency slots), each once:
     * an open stream relays any number of events about the same tasks, and what it keeps must not grow with them (review
     * BE: one record per event, for as long as the stream stayed open). A created task is handed to RunningTasks when the
     * exchange gives its own slot back; one created here and also seen to end here gives back what it took then (the
     * effect of "all created, then all ended" at the end, as before). A task seen to end that this exchange did not
     * create is handed on at once when the exchange holds a slot ({@link #taskSlots}): a GET stream open for hours no
     * longer collects them, and the slot of a task created by another call is given back when its end is seen.
     */
    private java.util.Set<TaskLifecycle.Created> createdTasks = java.util.Set.of();
    private java.util.Set<String> endedTasks = java.util.Set.of();
    private TaskSlots taskSlots;

    /** Created tasks kept for the end of the exchange; past this, a newly created one is handed on at once. */
    static final int MAX_CREATED_TASKS = 1_000;

    /** Where tasks seen in this exchange go at once: RunningTasks, for the exchange's route, caller and tenant. */
    interface TaskSlots {
        void started(String taskId);

        void ended(String taskId);
    }

    void taskSlots(TaskSlots slots) {
        this.taskSlots = slots;
    }

    void taskCreated(TaskLifecycle.Created task) {
        if (createdTasks.contains(task)) {
            return;
        }
        if (taskSlots != null && createdTasks.size() >= MAX_CREATED_TASKS) {
            taskSlots.started(task.taskId()); // an upstream naming ever more tasks on one stream: held now, not collected
            return;
        }
        if (createdTasks.isEmpty()) {
            createdTasks = new java.util.LinkedHashSet<>(2);
        }
        createdTasks.add(task);
    }

    void taskEnded(String taskId) {
        if (taskSlots != null && !createdTasks.contains(new TaskLifecycle.Created(taskId))) {
            taskSlots.ended(taskId);
            return;
        }
        if (endedTasks.isEmpty()) {
            endedTasks = new java.util.LinkedHashSet<>(2);
        }
        endedTasks.add(taskId);
    }

    java.util.Collection<TaskLifecycle.Created> createdTasks() {
        return createdTasks;
    }

    java.util.Collection<String> endedTasks() {
        return endedTasks;
    }

    /** Reads the answer for costs though this exchange charges nothing itself: it may carry a deferred call's (DeferredCosts). */
    void watchOutcome() {
        if (outcome == null) {
            outcome = ResponseOutcome.of(a2a);
        }
    }

    /** Watches the answer of a charged call for its result (cost, usage) or error; null when nothing is charged. */
    ResponseOutcome outcome() {
        return outcome;
    }

    /** How this call was admitted to the audit queue (when-full: reject): what its records are queued on; null otherwise. */
    public dev.tollgate.gateway.audit.AuditLog.Admission auditAdmission() {
        return auditAdmission;
    }

    void auditAdmission(dev.tollgate.gateway.audit.AuditLog.Admission admission) {
        this.auditAdmission = admission;
    }
}
