package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.budget.BudgetFacts;
import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.budget.CallCharge;
import dev.tollgate.gateway.budget.Secured;
import dev.tollgate.gateway.config.PricingTable;
import dev.tollgate.gateway.limits.ToolCallCounts;
import dev.tollgate.gateway.pinning.PinChange;
import dev.tollgate.gateway.pinning.PinManifest;
import dev.tollgate.gateway.pinning.PinState;
import dev.tollgate.gateway.pinning.PinWatch;
import dev.tollgate.gateway.pinning.RoutePins;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.condition.AgtCondition;
import dev.tollgate.protocols.jsonrpc.JsonRpcMessage;
import dev.tollgate.protocols.jsonrpc.JsonRpcPayload;
import dev.tollgate.protocols.jsonrpc.JsonRpcRequest;
import dev.tollgate.protocols.mcp.McpMethods;
import dev.tollgate.protocols.mcp.PreParsedArguments;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides every policed message of the request on the event loop (microseconds, no I/O). It only decides:
 * the trace stage records the decision and the enforce stage answers a denied request, so the decision is
 * on the span before anything is sent. A batch is decided element by element: denied elements are answered
 * with errors, the allowed ones are forwarded as a smaller batch, and the two are merged in the answer.
 * Audit and shadow decisions allow the call; they are recorded at completion.
 *
 * <p>Budget and rate-limit rules answer from facts read beforehand (the spend stage) and leave obligations:
 * an allowed call's rate tokens and budget hold are secured here, after the decision and before anything
 * is forwarded, and a refused one turns the decision into a deny by its rule. Only then is the call
 * charged, to be settled when it completes.
 *
 * <p>Each tool call takes its place in its run's count before it is decided (AGT's {@code tool_call_count}: the Nth call
 * of a run sees N-1) and gives it back when it is denied ({@link ToolCallCounts}); other calls read the count.
 */
public final class PolicyStage implements Stage {

    // Reads numbers exactly: a partly denied batch forwards its allowed elements with the numbers as sent (review revJ:
    // 0.1000000000000000000001 went out as 0.1 and 1E+2 as 100.0 while the audit kept the exact values).
    private static final ObjectMapper JSON = dev.tollgate.protocols.json.ExactNumbers.readingExactly(new ObjectMapper());

    private final Budgets budgets;
    private final TaskOrigins tasks;
    private final PinWatch pins;
    private final WithheldTools withheld;
    private final DeclaredEnums declaredEnums;
    private final ToolCallCounts toolCalls;
    private final ArgumentNameCheck argumentNames;

    public PolicyStage(Budgets budgets, TaskOrigins tasks, PinWatch pins, WithheldTools withheld, DeclaredEnums declaredEnums,
                       ToolCallCounts toolCalls, ArgumentNameCheck argumentNames) {
        this.argumentNames = argumentNames;
        this.declaredEnums = declaredEnums;
        this.budgets = budgets;
        this.tasks = tasks;
        this.pins = pins;
        this.withheld = withheld;
        this.toolCalls = toolCalls;
    }

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        if (exchange.a2a() != null) {
            return decideA2a(exchange);
        }
        if (exchange.messages().isEmpty()) {
            return StageResult.proceed();
        }
        AskClientAnswer answer = exchange.askClientAnswer();
        if (answer != null && answer.questionHold() != null && budgets != null && exchange.payload() instanceof JsonRpcPayload.Single single
                && single.message() instanceof JsonRpcRequest request) {
            // The retry of an ask-client question takes over the budget its question's leg secured when it was held, as a
            // held 2025 call keeps its hold: calls made while the user decided cannot have spent it (review AW).
            return budgets.takeOverQuestionHold(answer.questionHold(), Budgets.keyOf(exchange.identity()), exchange.route().route().name(),
                    request.params() == null ? null : request.params().path("name").asText(null)).compose(taken -> decideMcp(exchange, taken));
        }
        return decideMcp(exchange, null);
    }

    /**
     * Decides the request's MCP messages.
     *
     * @param taken the budget hold an ask-client retry took over from its question ({@link Budgets#takeOverQuestionHold}),
     *              or null: its call's hold, not secured again
     */
    private Future<StageResult> decideMcp(Exchange exchange, CallCharge taken) {
        CompiledPolicy policy = exchange.policy();
        String route = exchange.route().route().name();
        PricingTable pricing = exchange.snapshot().config().budget().pricing();
        Instant now = Instant.now();
        exchange.decidedAt(now); // recorded: a replay decides time: conditions at the decision, not at the call's end (review BD)
        int size = exchange.messages().size();
        List<Decision> decisions = new ArrayList<>(size);
        List<CallDescription> calls = new ArrayList<>(size);
        List<BudgetFacts> facts = new ArrayList<>(size);
        // The run each tool call took its place in (null for the others): given back if the call ends up denied.
        List<String> counted = new ArrayList<>(size);
        boolean securing = false;
        for (int i = 0; i < size; i++) {
            CallDescription call = McpCallDescriber.describe(route, exchange.route().route().taskScope(), exchange.messages().get(i), tasks);
            calls.add(call);
            if (call == null) {
                decisions.add(null);
                facts.add(null);
                counted.add(null);
                continue;
            }
            PinState pin = pinState(exchange, call);
            BudgetFacts callFacts = new BudgetFacts(exchange.spend(),
                    PricedCalls.isPriced(call) ? pricing.estimateMicros(route, call.toolName()) : 0, pin == PinState.PINNED);
            if (taken != null && exchange.spend() != null && exchange.spend().counts(taken)) {
                // The spend read here counts this gateway's holds, the one this call took over too: not counted twice (only
                // when it sits in the account read: review AZ, a hold in an account the reading did not add was subtracted).
                callFacts.alreadyHolding(taken.estimateMicros());
            }
            counted.add(count(exchange, call, callFacts, exchange.askClientAnswer() != null));
            Decision withholding = McpMethods.TOOLS_CALL.equals(call.method()) && call.toolName() != null
                    ? withheld.withholding(route, call.toolName(), policy) : null;
            // A tool whose listed definition result rules withheld was never shown: its call is denied before policy; so is
            // a call holding a value its tool's listed schema does not allow (a rule decided on the names it lists).
            // FastMCP's reading of JSON text in a string argument (null when it reads the call as sent): held to the same checks.
            PreParsedArguments.Reading fastMcp = McpMethods.TOOLS_CALL.equals(call.method()) ? PreParsedArguments.read(call.arguments())
                    : new PreParsedArguments.Reading(null, null);
            JsonNode preParsed = fastMcp.parsed();
            String outside = withholding == null && McpMethods.TOOLS_CALL.equals(call.method()) && call.toolName() != null
                    ? outside(exchange, route, call, call.arguments(), preParsed)
                    : null;
            // And a call naming an argument two ways (MODE beside, or instead of, the mode a rule or the schema reads).
            String ambiguous = withholding == null && outside == null ? ambiguousName(exchange, call, call.arguments()) : null;
            if (ambiguous == null && withholding == null && outside == null && preParsed != null) {
                ambiguous = ambiguousName(exchange, call, preParsed);
            }
            // And JSON text a Python tool parses, nested deeper than the gateway reads: no rule could decide what it holds.
            String tooDeep = withholding == null && outside == null && ambiguous == null && call.toolName() != null ? fastMcp.tooDeep() : null;
            Decision decision = withholding != null ? WithheldToolDecisions.withheld(call, withholding)
                    : outside != null ? DeclaredEnumDecisions.outside(call, outside, exchange.policy())
                    : ambiguous != null ? ArgumentNameDecisions.ambiguous(call, ambiguous, exchange.policy())
                    : tooDeep != null ? ArgumentTextDecisions.tooDeep(call, tooDeep, exchange.policy()) : decide(exchange, call, pin, callFacts, now);
            if (withholding == null && outside == null && ambiguous == null && tooDeep == null && McpMethods.TOOLS_CALL.equals(call.method())
                    && call.toolName() != null) {
                // The tool fills what its listed schema gives a default and the call leaves out (zod, Pydantic): decided as it
                // reads the call too (each union branch it may take), the stronger refusal deciding and its reading recorded (as
                // an A2A send's readings).
                for (JsonNode filled : toolReadings(exchange, route, call, preParsed)) {
                    CallDescription asFilled = CallDescription.mcpToolCall(call.route(), call.toolName(), filled);
                    Decision asTheToolReadsIt = decide(exchange, asFilled, pin, callFacts, now);
                    if (refusesMore(asTheToolReadsIt, decision)) {
                        decision = asTheToolReadsIt;
                        calls.set(i, asFilled);
                    }
                }
            }
            for (McpCallDescriber.ListenedResource resource : McpCallDescriber.listenedResources(call)) {
                // One resource the caller may not watch refuses the whole listen, named in the decision and the record.
                for (CallDescription reading : resource.readings()) {
                    Decision each = decide(exchange, reading, PinState.NOT_PINNING, callFacts, now);
                    if (refusesMore(each, decision)) {
                        decision = each;
                        calls.set(i, resource.asListen());
                    }
                }
            }
            decisions.add(decision);
            // Given back at once (review CF): the next element of a batch sees its run's count without this call.
            giveBackIfDenied(decision, counted, i);
            facts.add(callFacts);
            if (decision.requiresApproval()) {
                exchange.heldFacts(callFacts); // read again only if a reload comes before its approval (ApprovalRecheck)
            }
            securing |= needsSecuring(decision, callFacts, call);
        }
        exchange.described(calls);
        if (!securing) {
            releaseUnused(exchange, taken);
            giveBackDenied(decisions, counted);
            keepCountedPlace(exchange, counted);
            return conclude(exchange, decisions);
        }
        return secure(exchange, decisions, facts, calls, 0, taken).compose(v -> {
            releaseUnused(exchange, taken);
            giveBackDenied(decisions, counted);
            keepCountedPlace(exchange, counted);
            return conclude(exchange, decisions);
        });
    }

    /**
     * A tool call's arguments as its tool may read them other than as sent: its schema's defaults filled in (zod, Pydantic),
     * and the JSON text of a string argument parsed as FastMCP pre-parses it ({@link PreParsedArguments}), defaults then
     * filled in that reading too.
     */
    private List<JsonNode> toolReadings(Exchange exchange, String route, CallDescription call, JsonNode preParsed) {
        java.util.function.Supplier<String> caller = () -> CallerKey.of(exchange.identity());
        List<JsonNode> readings = new ArrayList<>(declaredEnums.filled(route, exchange.upstreamSessionId(), caller, call.toolName(),
                call.arguments()));
        if (preParsed != null) {
            readings.add(preParsed);
            readings.addAll(declaredEnums.filled(route, exchange.upstreamSessionId(), caller, call.toolName(), preParsed));
        }
        return readings;
    }

    /** The JSON pointer of a tools/call's argument spelled two ways ({@link ArgumentNameCheck}), or null. */
    private String ambiguousName(Exchange exchange, CallDescription call, JsonNode arguments) {
        return McpMethods.TOOLS_CALL.equals(call.method()) && call.toolName() != null
                ? argumentNames.ambiguous(declaredEnums.names(exchange.route().route().name(), exchange.upstreamSessionId(),
                        () -> CallerKey.of(exchange.identity()), call.toolName()), exchange.policy(), call.toolName(), arguments)
                : null;
    }

    /** Where a tool call holds a value its listed schema does not allow, as sent or as FastMCP parses it; null when none. */
    private String outside(Exchange exchange, String route, CallDescription call, JsonNode arguments, JsonNode preParsed) {
        java.util.function.Supplier<String> caller = () -> CallerKey.of(exchange.identity());
        String found = declaredEnums.outside(route, exchange.upstreamSessionId(), caller, call.toolName(), arguments);
        return found != null || preParsed == null ? found
                : declaredEnums.outside(route, exchange.upstreamSessionId(), caller, call.toolName(), preParsed);
    }

    /**
     * Gives the call the count of its run's earlier tool calls: a tool call (the calls {@code action_type} names, MCP
     * {@code tools/call} and A2A sends) takes its place in the count, any other call reads it. An ask-client retry is the
     * second leg of a call its question leg counted: it reads the count without itself, and takes nothing.
     *
     * @return the run the call took its place in, or null when it took none
     */
    private String count(Exchange exchange, CallDescription call, BudgetFacts facts, boolean retry) {
        CompiledPolicy policy = exchange.policy();
        if (policy == null || !policy.usesCheck(AgtCondition.TOOL_CALL_COUNT)) {
            return null; // no rule reads the count: nothing is counted (a call's cost stays off the hot path)
        }
        String run = ToolCallCounts.runOf(exchange.identity(), exchange.route().route().name(), exchange.upstreamSessionId());
        boolean toolCall = AgtCondition.actionType(call) != null;
        if (!toolCall || retry) {
            long seen = toolCalls.peek(run);
            facts.toolCallCount(toolCall && seen > 0 ? seen - 1 : seen);
            return null;
        }
        facts.toolCallCount(toolCalls.take(run));
        return run;
    }

    /** A counted tool call that is denied (by policy, a withheld tool, a refused budget or rate token) is not one of its run's. */
    private void giveBackDenied(List<Decision> decisions, List<String> counted) {
        for (int i = 0; i < counted.size(); i++) {
            giveBackIfDenied(decisions.get(i), counted, i);
        }
    }

    /** Gives back call {@code i}'s place when its decision denies it (once: its place is then null). */
    private void giveBackIfDenied(Decision decision, List<String> counted, int i) {
        // A call held for approval keeps its place: it may yet run.
        if (counted.get(i) != null && decision != null && decision.enforcedDeny() && !decision.requiresApproval()) {
            toolCalls.giveBack(counted.get(i));
            counted.set(i, null);
        }
    }

    /**
     * The place a forwarded MCP call took in its run's count, given back if the upstream answers it {@code input_required}
     * (review CF): that round did not run the tool, the client's retry with the user's answers is the tool call, and it
     * takes its own place. Only a POST of one call (2026-07-28, which asks for input this way, has no batches).
     */
    private void keepCountedPlace(Exchange exchange, List<String> counted) {
        if (counted.size() == 1 && counted.get(0) != null) {
            String run = counted.get(0);
            exchange.countedPlace(() -> toolCalls.giveBack(run));
        }
    }

    /** A hold the retry took over that its decision did not use (denied by policy now): released, nothing ran. */
    private void releaseUnused(Exchange exchange, CallCharge taken) {
        if (taken != null && !exchange.charges().contains(taken)) {
            budgets.settle(taken, false, 0);
        }
    }

    /** Whether {@code candidate} stops more than {@code current} ({@link CallReadings#refusesMore}). */
    private static boolean refusesMore(Decision candidate, Decision current) {
        return CallReadings.refusesMore(candidate, current);
    }

    /**
     * A call to a tool nobody reviewed is denied before policy on a route that hides such tools; on a route that audits
     * them it is decided by policy (which may ask {@code pinned:}) and the finding goes to its audit record and span.
     */
    private static Decision decide(Exchange exchange, CallDescription call, PinState pin, BudgetFacts facts, Instant now) {
        if (pin.unreviewed()) {
            PinManifest.Pin reviewed = exchange.snapshot().pins(call.route()).manifest().pins().get(call.toolName());
            exchange.pinFindings(List.of(new PinChange(call.toolName(), pin, reviewed == null ? null : reviewed.digest(), null)));
            if (exchange.snapshot().pins(call.route()).hides()) {
                return PinDecisions.notPinned(call, pin);
            }
        }
        return BudgetDenials.explained(RoutePolicy.decide(exchange.policy(), new PolicyRequest(call, exchange.identity(), now, facts)), facts);
    }

    /**
     * Where the call's tool stands against its route's manifest: only a {@code tools/call} (an A2A call naming a skill)
     * on a route that pins is checked; a task's follow-ups act on work started while the tool was reviewed.
     */
    private PinState pinState(Exchange exchange, CallDescription call) {
        RoutePins routePins = exchange.snapshot().pins(call.route());
        boolean toolCall = McpMethods.TOOLS_CALL.equals(call.method()) || "a2a".equals(call.protocol());
        if (routePins == null || call.toolName() == null || !toolCall) {
            return PinState.NOT_PINNING;
        }
        return pins.state(call.route(), routePins, call.toolName());
    }

    private boolean needsSecuring(Decision decision, BudgetFacts facts, CallDescription call) {
        // A call held for approval secures its budget before the hold: an approved call must not then find the budget
        // spent by calls that came after it; a denied one releases it when it completes.
        return (decision.allowsCall() || decision.requiresApproval()) && (facts.hasObligations() || budgets.accounting() && PricedCalls.isPriced(call));
    }

    /**
     * Secures each allowed call's obligations in order (rate tokens, budget hold) and notes its charge; a
     * refused obligation turns the call's decision into a deny by the rule that asked for it.
     */
    private Future<Void> secure(Exchange exchange, List<Decision> decisions, List<BudgetFacts> facts,
                                List<CallDescription> calls, int from, CallCharge taken) {
        for (int i = from; i < decisions.size(); i++) {
            Decision decision = decisions.get(i);
            CallDescription call = calls.get(i);
            if (decision == null || !needsSecuring(decision, facts.get(i), call)) {
                continue;
            }
            int index = i;
            // A shadow decision enforce would refuse (deny, approve) lets the call run: it pays, but takes no rate token, so
            // the rate rule's record of later calls is what enforce would make (review AC: the next call read as rate-denied).
            boolean refusedUnderEnforce = decision.mode() == dev.tollgate.policy.Mode.SHADOW
                    && decision.action() != dev.tollgate.policy.Action.ALLOW && decision.action() != dev.tollgate.policy.Action.AUDIT;
            // An ask-client retry is the second leg of one call: its question's leg, held for approval, took the call's rate
            // tokens (review AS: the retry took a second one, and under "one call an hour" the approved call was refused).
            // Its budget hold was parked with the question: taken over, it is this call's charge, paid if forwarded; not found
            // (another replica's local hold, lapsed, or taken by an earlier retry), the retry holds again.
            boolean takesRateTokens = !refusedUnderEnforce && exchange.askClientAnswer() == null;
            Future<Secured> securing = taken != null && index == 0 ? Future.succeededFuture(new Secured.Granted(taken))
                    : budgets.secure(facts.get(i), Budgets.keyOf(exchange.identity()), call.route(), call.toolName(), PricedCalls.isPriced(call),
                            takesRateTokens);
            return securing.compose(secured -> {
                if (secured instanceof Secured.Refused refused) {
                    decisions.set(index, BudgetDenials.refused(decision, refused));
                } else if (((Secured.Granted) secured).charge() != null) {
                    exchange.charge(((Secured.Granted) secured).charge(), exchange.payload() != null
                            && index < exchange.payload().messages().size()
                            && exchange.payload().messages().get(index) instanceof JsonRpcRequest request
                            ? ResponseOutcome.key(request.id().value()) : null);
                }
                return secure(exchange, decisions, facts, calls, index + 1, taken);
            });
        }
        return Future.succeededFuture();
    }

    /** Records the decisions and prepares the answer of denied calls (the enforce stage sends it). */
    private Future<StageResult> conclude(Exchange exchange, List<Decision> decisions) {
        int denied = 0;
        for (Decision decision : decisions) {
            if (decision != null && decision.enforcedDeny()) {
                denied++;
            }
        }
        exchange.decided(decisions);
        if (denied == 0) {
            return StageResult.proceed();
        }
        if (exchange.payload() instanceof JsonRpcPayload.Single single) {
            Decision decision = decisions.get(0);
            if (decision.requiresApproval()) {
                // Held for a person by the approval stage, after the span records the decision.
                return StageResult.proceed();
            }
            JsonNode id = ((JsonRpcRequest) single.message()).id().value();
            exchange.denied(bytes(PolicyDenials.response(id, decision)), PolicyDenials.reasonFor(decision));
            return StageResult.proceed();
        }
        return splitBatch(exchange, decisions, denied);
    }

    /**
     * An A2A request is one call (A2A has no batches). The public agent card is discovery, not a call: it is
     * not decided here, its skills are filtered on the way back.
     */
    /** One A2A call: decided, its budget and rate obligations secured like an MCP call's, then answered if denied. */
    private Future<StageResult> decideA2a(Exchange exchange) {
        A2aExchange a2a = exchange.a2a();
        if (a2a.call() == null) {
            return StageResult.proceed();
        }
        String route = exchange.route().route().name();
        CallDescription call = A2aCallDescriber.describe(route, a2a.call());
        PinState pin = pinState(exchange, call);
        // The declared skill binds no agent: priced, metered and bucketed by it only when the gateway knows it (review Y).
        BudgetFacts facts = BudgetFacts.ofA2a(exchange.spend(), A2aCallDescriber.declaredSkill(exchange.snapshot(), route, call),
                PricedCalls.isPriced(call), pin == PinState.PINNED);
        Instant now = Instant.now();
        exchange.decidedAt(now); // recorded: a replay decides time: conditions at the decision, not at the call's end (review BD)
        Decision pushDenial = A2aPushDecisions.denial(exchange.policy(), a2a.call());
        if (pushDenial != null && pushDenial.enforcedDeny()) {
            // A push config would carry the task's results past the result rules (review BO): refused before policy, as a
            // withheld tool is; nothing is secured for a call that is never forwarded.
            exchange.described(List.of(call));
            return concludeA2a(exchange, a2a, new ArrayList<>(List.of(pushDenial)));
        }
        List<String> counted = new ArrayList<>(1);
        counted.add(count(exchange, call, facts, false));
        Decision decision = decide(exchange, call, pin, facts, now);
        for (CallDescription reading : A2aCallDescriber.otherReadings(call)) {
            // The agent may read the tenant from the path (review K: the SDK overwrites the body's with it), or its text
            // parts run together (review AT): decided under those readings too, the stronger refusal deciding.
            Decision other = decide(exchange, reading, pin, facts, now);
            if (refusesMore(other, decision)) {
                decision = other;
                call = reading;
            }
        }
        // The reading decided on is the one recorded (review AC: the audit re-described the body's reading, so a send denied
        // in the path's tenant was recorded in the body's).
        exchange.described(List.of(call));
        if (decision.requiresApproval()) {
            exchange.heldFacts(facts); // read again only if a reload comes before its approval (ApprovalRecheck)
        }
        List<Decision> decisions = new ArrayList<>(List.of(decision));
        if (!needsSecuring(decision, facts, call)) {
            giveBackDenied(decisions, counted);
            return concludeA2a(exchange, a2a, decisions);
        }
        return secure(exchange, decisions, List.of(facts), List.of(call), 0, null).compose(v -> {
            giveBackDenied(decisions, counted);
            return concludeA2a(exchange, a2a, decisions);
        });
    }

    private Future<StageResult> concludeA2a(Exchange exchange, A2aExchange a2a, List<Decision> decisions) {
        Decision decision = decisions.get(0);
        exchange.decided(decisions);
        if (decision.enforcedDeny() && !decision.requiresApproval()) {
            if (a2a.restShaped()) {
                exchange.denied(A2aErrors.restDenial(decision), PolicyDenials.reasonFor(decision), A2aErrors.DENIED_STATUS);
            } else {
                exchange.denied(bytes(PolicyDenials.response(a2a.jsonRpcId(), decision)), PolicyDenials.reasonFor(decision));
            }
        }
        return StageResult.proceed();
    }

    private Future<StageResult> splitBatch(Exchange exchange, List<Decision> decisions, int denied) {
        List<JsonRpcMessage> messages = exchange.payload().messages();
        ArrayNode denials = JsonNodeFactory.instance.arrayNode();
        Decision firstDenial = null;
        for (int i = 0; i < messages.size(); i++) {
            Decision decision = decisions.get(i);
            if (decision != null && decision.enforcedDeny()) {
                denials.add(PolicyDenials.response(((JsonRpcRequest) messages.get(i)).id().value(), decision));
                firstDenial = firstDenial == null ? decision : firstDenial;
            }
        }
        if (denied == messages.size()) {
            exchange.denied(bytes(denials), PolicyDenials.reasonFor(firstDenial));
            return StageResult.proceed();
        }
        // Rare path (batches exist only before MCP 2025-06-18): re-read the body as a tree and keep the
        // allowed elements. Duplicate keys were refused at parse time and numbers are read exactly, so this
        // re-serialization means exactly what the client sent.
        ArrayNode allowed = JsonNodeFactory.instance.arrayNode();
        JsonNode original = tree(exchange.body());
        for (int i = 0; i < messages.size(); i++) {
            Decision decision = decisions.get(i);
            if (decision == null || !decision.enforcedDeny()) {
                allowed.add(original.get(i));
            }
        }
        exchange.forwardPartialBatch(Buffer.buffer(bytes(allowed)), denials);
        return StageResult.proceed();
    }

    private static JsonNode tree(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw new IllegalStateException("body parsed once already failed to parse again", e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
