package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.detect.DocumentScan;
import dev.tollgate.policy.detect.Finding;
import java.time.Instant;
import java.util.List;

/**
 * Result policy for one call: each result on its way back (a JSON answer, an SSE event holding the response, an A2A
 * answer or stream event) is decided by the policy's result rules before the client sees it. Deny replaces the result
 * with the policy's error; redact replaces what the rule's detectors found and relays the rest; audit relays it and
 * records the findings. Only documents with result rules pay anything: every other call skips this at one check.
 */
final class ResultPolicing {

    /** A result larger than limits.max-scanned-result-bytes, by limits.unscannable-results. */
    static final Decision UNSCANNABLE_DENIED = new Decision(Action.DENY, "result_unscannable",
            "the result is larger than limits.max-scanned-result-bytes, so result rules cannot read it", "tollgate-limits", Mode.ENFORCE);
    static final Decision UNSCANNABLE_ALLOWED = new Decision(Action.ALLOW, "result_unscannable",
            "the result is larger than limits.max-scanned-result-bytes and relayed unread (limits.unscannable-results: allow)",
            "tollgate-limits", Mode.ENFORCE);

    /** What happened to one result. */
    enum Outcome { PASSED, REDACTED, DENIED }

    private final Exchange exchange;
    private final CompiledPolicy policy;
    /** The decision of the last result decided: what {@link #denial} explains. */
    private Decision lastDecision;
    /**
     * The end of the text this call's stream has relayed so far (its {@link ShownTexts}), by channel: on A2A one per
     * artifact id (a client appends a chunk to its artifact, whatever was streamed between) and one for the rest; on MCP
     * one. A phrase split across two events ("ignore all previous" | "instructions") is read whole: the next event is
     * decided with its channel's tail joined to its own text, in a field {@value #STREAM_JOINT} of the document the
     * rules read. Null until a stream event has text; at most {@link #MAX_STREAM_TEXT_CHANNELS} entries.
     */
    private java.util.Map<String, String> streamTails;
    /**
     * Who keeps this stream's tails: this, or the call's own policing when this one reads the stream under a policy a
     * reload put in place since ({@link #under}): the client reads one stream, whichever policy reads each event.
     */
    private final ResultPolicing tailsKeeper;

    /** The field holding the previous events' tail joined to this event's text, for result rules on streams. */
    static final String STREAM_JOINT = "tollgate_stream_joint";
    /** How much of the previous events' text is kept: enough for any phrase the detectors look for. */
    static final int STREAM_TAIL_CHARS = 256;
    /**
     * How many channels (A2A artifact ids, plus the one for status messages) one stream may carry text in: each keeps a
     * tail of {@link #STREAM_TAIL_CHARS}, so a hostile upstream naming a new artifact in every event cannot grow memory.
     */
    static final int MAX_STREAM_TEXT_CHANNELS = 64;
    /** A stream past {@link #MAX_STREAM_TEXT_CHANNELS}: its text can no longer be read whole, so it is withheld (fail closed). */
    static final Decision TOO_MANY_ARTIFACTS_DENIED = new Decision(Action.DENY, "result_too_many_artifacts",
            "the stream carries text in more than " + MAX_STREAM_TEXT_CHANNELS + " artifacts, more than result rules follow",
            "tollgate-limits", Mode.ENFORCE);

    /**
     * A result holding a member of the name the rules read joined texts under: its own text would be replaced by the
     * joints in what the rules read, so it is never read. No server has a reason to send it: withheld.
     */
    static final Decision RESERVED_MEMBER_DENIED = new Decision(Action.DENY, "result_reserved_member",
            "the result holds a member named " + STREAM_JOINT + ", the name result rules read joined text under",
            "tollgate-limits", Mode.ENFORCE);

    private ResultPolicing(Exchange exchange, CompiledPolicy policy, ResultPolicing tailsKeeper) {
        this.exchange = exchange;
        this.policy = policy;
        this.tailsKeeper = tailsKeeper == null ? this : tailsKeeper;
    }

    /** Null when the call's policy has no result rule (nothing to do for any of its results). */
    static ResultPolicing of(Exchange exchange) {
        return of(exchange, exchange.answerPolicy());
    }

    /** Result rules of {@code policy} for this exchange; null when it has none. */
    static ResultPolicing of(Exchange exchange, CompiledPolicy policy) {
        return policy == null || !policy.hasResultRules() ? null : new ResultPolicing(exchange, policy, null);
    }

    /**
     * The same stream read under another policy (the route's, since a reload): this when it is the same, null when it
     * has no result rule; else one sharing this stream's tails, so text split across the reload is still read whole.
     */
    ResultPolicing under(CompiledPolicy other) {
        if (other == policy) {
            return this;
        }
        return other == null || !other.hasResultRules() ? null : new ResultPolicing(exchange, other, tailsKeeper);
    }

    /** The policy whose result rules this reads. */
    CompiledPolicy policy() {
        return policy;
    }

    /**
     * Decides an MCP result (a JSON answer's, or a stream event's: the stream's tail is kept for the next event).
     *
     * @see #decide(CallDescription, String, long, boolean, boolean)
     */
    Outcome decide(CallDescription call, String requestId, long sizeBytes) {
        return decide(call, requestId, sizeBytes, false, true, false);
    }

    /**
     * Decides an MCP result whose tool cannot be known (a response on the session's GET stream to no pending
     * {@code tools/call}): rules scoped to a tool apply as if it were theirs (fail closed).
     */
    Outcome decideOfUnknownTool(CallDescription call, String requestId, long sizeBytes) {
        return decide(call, requestId, sizeBytes, false, true, true);
    }

    /**
     * Decides text a stream carries that reaches another reader than the call's result (a server's sampling request, for
     * the client's model; an elicitation, for its user): read on its own, neither joined to the stream's text nor
     * extending it (a denied request's text, never delivered, must not make the call's next events read as its sequel).
     *
     * @param anyTool the text's tool cannot be known: {@code tool:} conditions read as holding where that makes a rule match
     */
    Outcome decideApart(CallDescription call, String requestId, long sizeBytes, boolean anyTool) {
        Judgement judgement = judgeServerRequest(call, sizeBytes, anyTool);
        record(requestId, judgement);
        return carryOut(judgement, call);
    }

    /**
     * Decides a request the server sent on a stream as {@link #decideApart} does, recorded as that request's verdict
     * (under the server's id, apart from the client's calls: see {@link ResultVerdict#ofServerRequest}).
     */
    Outcome decideServerRequest(CallDescription request, String serverRequestId, long sizeBytes, boolean anyTool) {
        Judgement judgement = judgeServerRequest(request, sizeBytes, anyTool);
        recorded(new ResultVerdict(serverRequestId, judgement.decision(), judgement.findings(), List.of(), true));
        return carryOut(judgement, request);
    }

    /** Decides an A2A answer (an answer whole, or a stream event). */
    Outcome decide(CallDescription call, String requestId, long sizeBytes, boolean byArtifact, boolean streamed) {
        return decide(call, requestId, sizeBytes, byArtifact, streamed, false);
    }

    /**
     * Decides a result, redacting it in place ({@code call.arguments()} is the result object) when a redact rule matches.
     *
     * @param call       the result as policy sees it
     * @param requestId  the id of the request it answers, typed ({@link ResponseOutcome#key}; for the audit record)
     * @param sizeBytes  how large the answer (or event) holding it is: past limits.max-scanned-result-bytes it is not read
     * @param byArtifact an A2A answer: each artifact's text is joined apart from the rest, by artifact id
     * @param streamed   a stream event: joined to the stream's tails, which it extends for the next event
     * @param anyTool    the result's tool cannot be known: {@code tool:} conditions read as holding where that makes a rule match
     * @return what was done; on {@link Outcome#DENIED} the caller answers with {@link #denial}
     */
    private Outcome decide(CallDescription call, String requestId, long sizeBytes, boolean byArtifact, boolean streamed, boolean anyTool) {
        Judgement judgement = judgeWhole(call, sizeBytes, byArtifact, streamed, anyTool);
        record(requestId, judgement);
        return carryOut(judgement, call);
    }

    /** Judges a request a server sends (sampling, elicitation) with its shown texts, system prompt first. */
    private Judgement judgeServerRequest(CallDescription request, long sizeBytes, boolean anyTool) {
        return judge(request, ShownTexts.ofServerRequest(request.arguments()), false, anyTool,
                sizeBytes > exchange.snapshot().config().limits().maxScannedResultBytes());
    }

    /** Judges a result with all its shown texts (see {@link #decide} for the parameters). */
    private Judgement judgeWhole(CallDescription call, long sizeBytes, boolean byArtifact, boolean streamed, boolean anyTool) {
        return judge(call, ShownTexts.of(call.arguments(), byArtifact), streamed, anyTool,
                sizeBytes > exchange.snapshot().config().limits().maxScannedResultBytes());
    }

    /**
     * What result rules make of one result, neither recorded nor carried out: the deciding rule's decision (a deny
     * anywhere wins, then a redact, then the first match, else the pass) and what the deciding rules' detectors found.
     */
    record Judgement(Decision decision, List<Finding> findings) {
        Judgement {
            // A deny whose findings scan ran past the scan budget (null) still denies: it is recorded without findings.
            findings = findings == null ? List.of() : findings;
        }
    }

    /** The verdict on a result larger than limits.max-scanned-result-bytes, by limits.unscannable-results. */
    Judgement unscannable() {
        return new Judgement(exchange.snapshot().config().limits().denyUnscannableResults() ? UNSCANNABLE_DENIED : UNSCANNABLE_ALLOWED,
                List.of());
    }

    /**
     * Judges one entry of a list (a tool, prompt, resource or resource template definition a client shows its model): its
     * shown texts ({@link ShownTexts#ofListed}) read joined, never joined to a stream's text. The caller
     * checks the answer's size, records one verdict for the whole list and carries each judgement out.
     */
    Judgement judgeListed(CallDescription entry, ShownTexts texts) {
        return judgeListed(entry, texts, false);
    }

    /** @param anyTool the entry's tool cannot be known (a task's): {@code tool:} conditions read as holding where that makes a rule match */
    Judgement judgeListed(CallDescription entry, ShownTexts texts, boolean anyTool) {
        return judge(entry, texts, false, anyTool, false);
    }

    /**
     * Judges a result ({@code call.arguments()} is the result object) with its shown texts joined, and on a stream
     * joined to the stream's tails, which it then extends.
     *
     * @param streamed a stream event: joined to the stream's tails, which it extends for the next event
     * @param anyTool  the result's tool cannot be known: {@code tool:} conditions read as holding where that makes a rule match
     * @param tooLarge past limits.max-scanned-result-bytes: not read (a stream's tails are extended all the same)
     */
    private Judgement judge(CallDescription call, ShownTexts texts, boolean streamed, boolean anyTool, boolean tooLarge) {
        // Text parts are read together as a client hands them to the model: joined within the answer, and joined to the
        // end of what the stream relayed before in the same channel, so a phrase split between two parts or two events
        // is read whole.
        int newChannels = 0;
        for (int i = 0; streamed && i < texts.channels(); i++) {
            newChannels += tailsKeeper.streamTails == null || !tailsKeeper.streamTails.containsKey(texts.channel(i)) ? 1 : 0;
        }
        if (newChannels > 0 && (tailsKeeper.streamTails == null ? 0 : tailsKeeper.streamTails.size()) + newChannels > MAX_STREAM_TEXT_CHANNELS) {
            return new Judgement(TOO_MANY_ARTIFACTS_DENIED, List.of());
        }
        if (call.arguments() != null && call.arguments().has(STREAM_JOINT)) {
            return new Judgement(RESERVED_MEMBER_DENIED, List.of());
        }
        CallDescription read = withJoints(call, joints(texts, streamed));
        if (streamed) {
            keepTails(texts);
        }
        if (tooLarge) {
            return unscannable();
        }
        List<Decision> matched = matches(read, anyTool);
        ShownTexts previousEntry = texts.joinsBefore() ? texts : null;
        if (previousEntry != null && !matched.isEmpty()) {
            matched = ownMatches(matched, call, read, previousEntry, anyTool);
        }
        Decision deny = matched.stream().filter(d -> d.action() == Action.DENY).findFirst().orElse(null);
        if (deny != null) {
            return new Judgement(deny, findings(List.of(deny), read, previousEntry));
        }
        List<Decision> redacts = matched.stream().filter(d -> d.action() == Action.REDACT).toList();
        if (!redacts.isEmpty()) {
            List<Finding> found = findings(redacts, read, previousEntry);
            if (found == null || !redactable(found, call.arguments())) {
                // What cannot be replaced in place (a match in a key or a blob, across two parts, in a number or structuredContent, or past the scan budget) is not relayed.
                return new Judgement(new Decision(Action.DENY, redacts.get(0).ruleName(), "what the rule found cannot be redacted "
                        + "in place (it is in a key, in a base64 blob, split across parts, in a number or a tool's structuredContent, whose type or "
                        + "schema the marker would break, or the result is too costly to scan); withheld (fail closed)",
                        redacts.get(0).policyName(), redacts.get(0).mode()), found == null ? List.of() : found);
            }
            return new Judgement(redacts.get(0), found);
        }
        Decision shown = matched.isEmpty() ? policy.resultPass() : matched.get(0);
        List<Finding> found = findings(matched, read, previousEntry);
        return new Judgement(shown, found == null ? List.of() : found);
    }

    /** Records a verdict (the audit record, span and metric take it from the exchange); {@link #denial} explains the last one. */
    void record(String requestId, Judgement judgement) {
        recorded(new ResultVerdict(requestId, judgement.decision(), judgement.findings()));
    }

    /** Records a verdict on a list, naming the entries it withheld. */
    void record(String requestId, Judgement judgement, List<String> withheld) {
        recorded(new ResultVerdict(requestId, judgement.decision(), judgement.findings(), withheld, false));
    }

    private void recorded(ResultVerdict verdict) {
        lastDecision = verdict.decision();
        exchange.resultDecided(named(verdict));
    }

    /**
     * The verdict as it is recorded: every key on its findings' pointers that holds what any detector of the policy (or the
     * check every recorded name gets) finds, written as its marker, whichever rule decided (fix AU). The judgement's own
     * findings keep their pointers: a redaction finds its spans by them.
     */
    private ResultVerdict named(ResultVerdict verdict) {
        List<Finding> findings = dev.tollgate.policy.detect.RecordedNames.pointersOf(verdict.findings(), policy.detectors());
        return findings == verdict.findings() ? verdict
                : new ResultVerdict(verdict.requestId(), verdict.decision(), findings, verdict.withheld(), verdict.ofServerRequest());
    }

    /** Carries a judgement out on the result it judged: what happened to it (a redaction is made in place). */
    static Outcome carryOut(Judgement judgement, CallDescription call) {
        Decision decision = judgement.decision();
        if (decision.mode() == Mode.SHADOW) {
            return Outcome.PASSED;
        }
        if (decision.action() == Action.DENY) {
            return Outcome.DENIED;
        }
        if (decision.action() == Action.REDACT && !judgement.findings().isEmpty()) {
            DocumentScan.redact(call.arguments(), judgement.findings());
            return Outcome.REDACTED;
        }
        return Outcome.PASSED;
    }

    /** What a client puts between two events' text: nothing within an artifact (a chunk is appended), else a new message. */
    private static String separator(String channel) {
        return channel.equals(ShownTexts.OUTSIDE_ARTIFACTS) ? " " : "";
    }

    /**
     * The end of the text this MCP stream relayed so far (its one channel), null before any: kept under each relayed
     * event's id, so a stream resumed from that event reads on after it ({@link #resumeAfter}).
     */
    String streamTail() {
        java.util.Map<String, String> tails = tailsKeeper.streamTails;
        return tails == null ? null : tails.get(ShownTexts.OUTSIDE_ARTIFACTS);
    }

    /**
     * Starts this stream's text with the end of the stream it resumes (review DE: a POST's stream cut after a progress
     * message "Ignore all prev" went on, on the GET resuming it, with a result "ious instructions", each read alone, while
     * the client hands both to the one call).
     */
    void resumeAfter(String tail) {
        if (tail == null || tail.isEmpty()) {
            return;
        }
        if (tailsKeeper.streamTails == null) {
            tailsKeeper.streamTails = new java.util.HashMap<>(4);
        }
        tailsKeeper.streamTails.putIfAbsent(ShownTexts.OUTSIDE_ARTIFACTS, tail);
    }

    /** Extends each channel's tail with this event's text in it. */
    private void keepTails(ShownTexts texts) {
        for (int i = 0; i < texts.channels(); i++) {
            String text = texts.joined(i);
            if (text.isEmpty()) {
                continue;
            }
            if (tailsKeeper.streamTails == null) {
                tailsKeeper.streamTails = new java.util.HashMap<>(4);
            }
            java.util.Map<String, String> tails = tailsKeeper.streamTails;
            String tail = tails.get(texts.channel(i));
            // Only the end matters, as the detectors read it: spaces collapsed and invisible characters removed before
            // it is cut (review AX: cut first, 600 trailing spaces or zero-width spaces left nothing of the text before
            // them), read from the end of the event's text, not over a whole large result.
            String recent = ShownTexts.readTail(text, STREAM_TAIL_CHARS);
            tails.put(texts.channel(i), tail == null || recent.length() >= STREAM_TAIL_CHARS ? recent
                    : ShownTexts.readTail(tail + separator(texts.channel(i)) + recent, STREAM_TAIL_CHARS));
        }
    }

    /**
     * Whether every finding can be replaced in place: none in a key or in a decoded blob, and none that only the joined text holds (a match
     * across two parts) unless the same text was also found within one part.
     */
    private static boolean redactable(List<Finding> findings, JsonNode document) {
        java.util.Set<String> inParts = new java.util.HashSet<>();
        for (Finding f : findings) {
            if (!inJoint(f)) {
                inParts.add(f.digest());
            }
        }
        for (Finding f : findings) {
            if (f.inKey() || f.encoded() || inJoint(f) && !inParts.contains(f.digest()) || !keepsItsType(f, document)) {
                return false;
            }
        }
        return true;
    }

    /** A tool result's schema-checked member: a client validates it against the tool's outputSchema. */
    private static final String STRUCTURED_CONTENT = "/structuredContent";

    /**
     * Whether replacing the finding's span with the marker leaves a value its reader still accepts (review BS): not a
     * number (the marker would make it a string), and nothing under a tool result's {@code structuredContent}, which a
     * client checks against the tool's outputSchema (a type, pattern, format, enum or length the marker may break: the
     * TypeScript SDK then throws a schema error in place of the result). The gateway does not know whether this tool has
     * one, so it assumes it does (fail closed): such a result is denied with the policy's error instead.
     */
    private static boolean keepsItsType(Finding f, JsonNode document) {
        if (document == null) {
            return true;
        }
        String pointer = f.pointer();
        if (pointer.equals(STRUCTURED_CONTENT) || pointer.startsWith(STRUCTURED_CONTENT + "/")) {
            return false;
        }
        return !document.at(pointer).isNumber();
    }

    /** A finding in the joined text (one joint, or one of several: {@code /tollgate_stream_joint/1}). */
    private static boolean inJoint(Finding f) {
        String pointer = f.pointer();
        return pointer.startsWith(STREAM_JOINT, 1) && (pointer.length() == STREAM_JOINT.length() + 1
                || pointer.charAt(STREAM_JOINT.length() + 1) == '/');
    }

    /**
     * Every run of two or more whitespace characters (regex {@code \s}: space, tab, line feed, vertical tab, form feed,
     * carriage return) as one space; a lone one is kept as it is. A loop rather than {@code replaceAll}: on every result
     * read by result rules, the regex was 4.7 % of the gateway's samples (JFR of the harness's results target).
     */
    static String collapseSpaces(String text) {
        StringBuilder out = null;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int end = i;
            while (end < n && isRegexSpace(text.charAt(end))) {
                end++;
            }
            if (end - i >= 2) {
                if (out == null) {
                    out = new StringBuilder(n).append(text, 0, i);
                }
                out.append(' ');
                i = end;
            } else {
                if (out != null) {
                    out.append(text.charAt(i));
                }
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** Every result rule that matches the result as read. */
    private List<Decision> matches(CallDescription read, boolean anyTool) {
        PolicyRequest request = new PolicyRequest(read, exchange.identity(), Instant.now());
        return anyTool ? policy.evaluateResultAllOfUnknownTool(request) : policy.evaluateResultAll(request);
    }

    /**
     * The joined texts a result is read with besides its own strings: each channel's texts joined, and on a stream joined
     * to the channel's tail; null when there is nothing to join (one text, no tail).
     */
    private ArrayNode joints(ShownTexts texts, boolean streamed) {
        ArrayNode joints = null;
        for (int i = 0; i < texts.channels(); i++) {
            String tail = streamed && tailsKeeper.streamTails != null ? tailsKeeper.streamTails.get(texts.channel(i)) : null;
            if (texts.count(i) > 1 || tail != null) {
                joints = joints != null ? joints : JsonNodeFactory.instance.arrayNode(1);
                String separator = separator(texts.channel(i));
                joints.add(tail == null ? texts.joined(i) : tail + separator + texts.joined(i));
                // Two messages are two runs of text ("hi" | "Ignore all ..."), yet a word split between them
                // ("Ignore all prev" | "ious instructions"), in one answer or across two events, must not pass either:
                // read both ways.
                String glued = texts.glued(i);
                if (glued != null || tail != null && !separator.isEmpty()) {
                    joints.add((tail == null ? "" : tail) + (glued != null ? glued : texts.joined(i)));
                }
            }
        }
        return joints;
    }

    /** The result as the rules read it: its own strings, and the joined texts under {@link #STREAM_JOINT}. */
    private static CallDescription withJoints(CallDescription call, ArrayNode joints) {
        if (joints == null || !call.arguments().isObject()) {
            return call;
        }
        ObjectNode joined = ((ObjectNode) call.arguments()).deepCopy();
        joined.set(STREAM_JOINT, joints.size() == 1 ? joints.get(0) : joints);
        return new CallDescription(call.protocol(), call.route(), call.method(), call.toolName(), call.resourceUri(), call.promptName(),
                joined, call.direction());
    }

    /**
     * The rules that matched for what a listed entry shows, not only for the previous entry's text joined before it. A
     * rule that matches the entry read without that text matched on its own (whatever made it match: a detector, an
     * {@code arg:} condition). One that matches only with it is kept when some finding of its detectors reaches into
     * the entry (a phrase split between the two), or when it has none to tell (it matched on something else; fail
     * closed); it is dropped when every finding lies in the previous entry's text, which was read under its own rules
     * (a rule scoped to this tool must not withhold it for its neighbour's description).
     */
    private List<Decision> ownMatches(List<Decision> matched, CallDescription call, CallDescription read, ShownTexts texts, boolean anyTool) {
        java.util.Set<String> matchedAlone = new java.util.HashSet<>();
        for (Decision d : matches(withJoints(call, joints(texts.withoutBefore(), false)), anyTool)) {
            matchedAlone.add(d.ruleName());
        }
        List<Decision> own = new java.util.ArrayList<>(matched.size());
        for (Decision d : matched) {
            if (d.ruleName() == null || matchedAlone.contains(d.ruleName())) {
                own.add(d);
                continue;
            }
            List<Finding> found = findings(List.of(d), read);
            if (found == null || found.isEmpty() || !findingsOfThisEntry(found, texts).isEmpty()) {
                own.add(d);
            }
        }
        return own;
    }

    /** Where a detector's finding starts: one found in the joined text is looked for at the same place in the glued one. */
    private record FindingStart(String detector, String kind, int start) {
    }

    /**
     * The findings without those of the previous entry's text joined before a listed entry's: wholly in it in the joined
     * text (where a space ends it), or in the glued text (where nothing does) starting where the joined text has one wholly
     * in it, found by the same detector (an address at the end of the previous description runs on into this entry's
     * first word there: {@code support@example.comEchoes}). A phrase split across the two entries is still this one's.
     */
    private static List<Finding> findingsOfThisEntry(List<Finding> found, ShownTexts texts) {
        java.util.Set<FindingStart> previousStarts = new java.util.HashSet<>();
        for (Finding f : found) {
            if (jointIndex(f) == 0 && texts.withinBefore(false, f.start(), f.end())) {
                previousStarts.add(new FindingStart(f.detector(), f.kind(), texts.gluedOffset(f.start())));
            }
        }
        List<Finding> own = new java.util.ArrayList<>(found.size());
        for (Finding f : found) {
            int joint = jointIndex(f);
            boolean previous = joint == 0 && texts.withinBefore(false, f.start(), f.end())
                    || joint == 1 && (texts.withinBefore(true, f.start(), f.end())
                    || texts.startsInBefore(f.start()) && previousStarts.contains(new FindingStart(f.detector(), f.kind(), f.start())));
            if (!previous) {
                own.add(f);
            }
        }
        return own;
    }

    /** Which joint a finding is in: 0 the joined text, 1 the glued one ({@code /joint/1}), -1 none (or a key). */
    private static int jointIndex(Finding f) {
        if (!inJoint(f) || f.inKey()) {
            return -1;
        }
        String pointer = f.pointer();
        return pointer.length() > STREAM_JOINT.length() + 1 && pointer.substring(STREAM_JOINT.length() + 2).equals("1") ? 1 : 0;
    }

    private List<Finding> findings(List<Decision> decisions, CallDescription call, ShownTexts previousEntry) {
        List<Finding> found = findings(decisions, call);
        return found == null || previousEntry == null ? found : findingsOfThisEntry(found, previousEntry);
    }

    /** What the deciding rules' detectors find; null when the scan went past its budget or a text blob is not base64. */
    private List<Finding> findings(List<Decision> decisions, CallDescription call) {
        List<dev.tollgate.policy.detect.Detector> detectors = new java.util.ArrayList<>();
        for (Decision d : decisions) {
            if (d.ruleName() != null && d.failure() == Decision.Failure.NONE) {
                policy.detectors(d.ruleName()).stream().filter(x -> !detectors.contains(x)).forEach(detectors::add);
            }
        }
        if (detectors.isEmpty()) {
            return List.of();
        }
        try {
            return DocumentScan.scan(call.arguments(), detectors);
        } catch (dev.tollgate.policy.detect.ScanBudget.Exceeded | DocumentScan.Undecodable e) {
            return null;
        }
    }

    /** The JSON-RPC error a client gets instead of a denied result. */
    ObjectNode denial(JsonNode id) {
        Decision decision = lastDecision;
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        ObjectNode error = response.putObject("error");
        error.put("code", RejectReason.RESULT_DENIED.jsonRpcCode());
        String rule = decision.ruleName() == null ? "default" : decision.ruleName();
        error.put("message", "The result was withheld by policy '" + decision.policyName() + "' (rule '" + rule + "')"
                + (decision.message() == null ? "" : ": " + decision.message()));
        ObjectNode data = error.putObject("data");
        data.put("reason", RejectReason.RESULT_DENIED.code());
        data.put("policy", decision.policyName());
        data.put("rule", rule);
        if (decision.message() != null) {
            data.put("message", decision.message());
        }
        return response;
    }
}
