package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.detect.DocumentScan;
import dev.tollgate.policy.detect.Finding;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.mcp.McpMethods;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Result rules on what a list shows the model: a client hands every tool's name, title, description and schema to its
 * model (and shows prompts, resources and templates with theirs), so a server can instruct the model through a
 * description ("tool poisoning") without any tool running. Each entry of a {@code tools}, {@code prompts},
 * {@code resources} or {@code resourceTemplates} list in a response is decided by the result rules as a result of its
 * own: a tool's under its name ({@code tool:} rules scoped to it apply), the others with no tool, as a resource's
 * contents are. A denied entry is left out of the list, with every entry of the same name (a clean twin beside a
 * poisoned one is not shown either: which of the two a client keeps, and which the server runs, is theirs to choose);
 * a withheld tool's later calls are denied ({@link WithheldTools}). A redacted entry is relayed with the findings
 * replaced in place. One verdict is recorded per response: the strongest of its entries' (deny, then redact, then the
 * first match), with every finding at its pointer in the result and the withheld entries by name. The skills of an A2A
 * agent card are entries of the same kind ({@link CardPolicing}), and so are the tasks of a {@code tasks/list} answer,
 * each read under the tool that created it, a denied one kept with its id and state only. Each entry is read after the
 * end of the entry shown before it, and a page asked for with a cursor after the end of the page the gateway handed that
 * cursor out with ({@link ListingTails}): the SDK clients hand the model every page of a listing as one list.
 */
final class ListPolicing {

    private static final Logger LOG = LoggerFactory.getLogger(ListPolicing.class);

    /** How an entry is read by the rules: the call description of the entry named {@code key} on {@code route}. */
    @FunctionalInterface
    interface EntryReading {
        CallDescription read(String route, String key, JsonNode entry);
    }

    /**
     * A list member of a result: what its entries are called in records, the member naming an entry, and how it is read.
     *
     * @param keptWhenDenied null: a denied entry is left out; else it stays with only these members (a task's id and
     *                       state, which say nothing to the model, so its caller can still see and manage it)
     */
    record Listed(String member, String kind, String key, EntryReading reading, Set<String> keptWhenDenied) {
        Listed(String member, String kind, String key, EntryReading reading) {
            this(member, kind, key, reading, null);
        }
    }

    /** What a denied task entry keeps: no text (its {@code statusMessage}, its {@code _meta}) a client could show. */
    private static final Set<String> TASK_STATE = Set.of("taskId", "status", "createdAt", "lastUpdatedAt", "ttl", "pollInterval");

    /**
     * Each entry is read with its list's method and under its own name: a tool's (rules scoped to it apply), a prompt's, a
     * resource's or a template's URI (rules scoped by {@code prompt:} or {@code resource:} apply, as to its get or read).
     */
    private static final List<Listed> MCP_LISTS = List.of(
            new Listed("tools", "tool", "name",
                    (route, key, entry) -> CallDescription.mcpResult(route, McpMethods.TOOLS_LIST, key, null, null, entry)),
            new Listed("prompts", "prompt", "name",
                    (route, key, entry) -> CallDescription.mcpResult(route, McpMethods.PROMPTS_LIST, null, null, key, entry)),
            new Listed("resources", "resource", "uri",
                    (route, key, entry) -> CallDescription.mcpResult(route, McpMethods.RESOURCES_LIST, null, key, null, entry)),
            new Listed("resourceTemplates", "resource template", "uriTemplate",
                    (route, key, entry) -> CallDescription.mcpResult(route, McpMethods.RESOURCES_TEMPLATES_LIST, null, key, null, entry)));

    /** An A2A card's skills: each read under its id, as the skill a message declares ({@code tool:} rules scoped to it apply). */
    static final Listed CARD_SKILLS = new Listed("skills", "skill", "id",
            (route, key, entry) -> CallDescription.a2aResult(route, A2aMethod.SEND_MESSAGE.canonicalName(), key, entry));

    private final ResultPolicing results;
    /** Where withheld tools are remembered (their calls are denied); null where the lists name no tool. */
    private final WithheldTools withheldTools;
    private final Exchange exchange;
    private final String route;
    private final CompiledPolicy policy;

    /** The lists this answer's entries are read from: MCP's definitions, and a tasks/list's tasks when the caller asked. */
    private final List<Listed> mcpLists;
    /** Where the end of each page of a listing is kept for the next page (null: each page is read on its own). */
    private final ListingTails listingTails;

    ListPolicing(ResultPolicing results, WithheldTools withheldTools, Exchange exchange) {
        this(results, withheldTools, exchange, null, null);
    }

    /**
     * @param taskTools    the tool that created a task, by id (null when unknown), when the call is a {@code tasks/list}:
     *                     each task's {@code statusMessage} is text a client shows (review AB: held to the rules on
     *                     tasks/get only); null when the call lists no tasks
     * @param listingTails where the end of a page is kept for the page after it (its {@code nextCursor}); null: none
     */
    ListPolicing(ResultPolicing results, WithheldTools withheldTools, Exchange exchange, java.util.function.UnaryOperator<String> taskTools,
                 ListingTails listingTails) {
        this.results = results;
        this.listingTails = listingTails;
        this.withheldTools = withheldTools;
        this.exchange = exchange;
        this.route = exchange.route().route().name();
        // The policy whose result rules read the entries (on a stream, the one serving since a reload: ResultPolicing#under).
        this.policy = results.policy();
        if (taskTools == null) {
            this.mcpLists = MCP_LISTS;
        } else {
            List<Listed> lists = new java.util.ArrayList<>(MCP_LISTS);
            // A listed task is its tool call's answer, as tasks/get's is (review BV: a {method: tools/call} result rule met
            // a task's status message on tasks/get and missed it on tasks/list).
            lists.add(new Listed("tasks", "task", "taskId",
                    (r, key, entry) -> CallDescription.mcpResult(r, McpMethods.TOOLS_CALL, key == null ? null : taskTools.apply(key),
                            null, null, entry), TASK_STATE));
            this.mcpLists = List.copyOf(lists);
        }
    }

    /** Whether a response's result holds a list of definitions a client shows its model (a loop: this runs on every answer). */
    private boolean holdsList(JsonNode response) {
        JsonNode result = response.path("result");
        if (!result.isObject()) {
            return false;
        }
        for (Listed listed : mcpLists) {
            if (result.path(listed.member()).isArray()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Holds every list in an MCP response against the result rules, in place.
     *
     * @param sizeBytes how large the answer (or event) holding it is: past limits.max-scanned-result-bytes it is not read
     * @return null when nothing changed; the response itself when entries were left out or redacted; the policy's error
     *         in its place when the list could not be read and limits.unscannable-results denies it
     */
    ObjectNode police(JsonNode response, long sizeBytes) {
        if (!response.isObject() || !holdsList(response) || !response.hasNonNull("id")) {
            return null;
        }
        String requestId = ResponseOutcome.key(response.get("id")); // typed: 1 and "1" are two calls (review BD)
        if (sizeBytes > exchange.snapshot().config().limits().maxScannedResultBytes()) {
            ResultPolicing.Judgement unscannable = results.unscannable();
            results.record(requestId, unscannable);
            if (!unscannable.decision().enforcedDeny()) {
                return null;
            }
            exchange.resultWithheld();
            return results.denial(response.get("id"));
        }
        // One scan budget for every entry of the answer: a thousand entries built to trip every trigger cost what one
        // result of that size would, and past it each remaining entry fails closed (left out).
        ListVerdicts verdicts = DocumentScan.sharingOneBudget(() -> {
            ListVerdicts gathered = new ListVerdicts();
            ObjectNode result = (ObjectNode) response.get("result");
            // A client walking a listing hands its model every page as one list (review AX): the page asked for with a
            // cursor is read after the end of the page that cursor was handed out with, and this page's end is kept
            // under its own nextCursor for the next.
            String cursor = cursorAskedWith(response.get("id"));
            JsonNode next = result.get("nextCursor");
            if (next != null && !next.isTextual() && !next.isNull()) {
                // A cursor is a string (MCP). Another value the TS clients refuse, but the Java SDK's reads 2 as "2", walks on
                // and joins the pages, while no tail could be kept under it (review BA): the walk ends here instead.
                result.remove("nextCursor");
                gathered.changed();
                next = null;
            }
            for (Listed listed : mcpLists) {
                if (!result.path(listed.member()).isArray()) {
                    continue;
                }
                String before = listingTails == null ? null : listingTails.before(route, exchange.identity(), listed.member(), cursor);
                String end = decideEntries(result, listed, "/", gathered, before);
                if (listingTails != null && next != null && next.isTextual()) {
                    listingTails.kept(route, exchange.identity(), listed.member(), next.textValue(), end);
                }
            }
            return gathered;
        });
        recordAndLog(requestId, verdicts, "the list answering request " + response.get("id"));
        return verdicts.isChanged() ? (ObjectNode) response : null;
    }

    /** The textual {@code params.cursor} of the client's request answered by {@code id}; null when none, or unknown. */
    private String cursorAskedWith(JsonNode id) {
        dev.tollgate.protocols.jsonrpc.JsonRpcPayload payload = exchange.payload();
        if (payload == null || id == null) {
            return null;
        }
        for (dev.tollgate.protocols.jsonrpc.JsonRpcMessage message : payload.messages()) {
            if (message instanceof dev.tollgate.protocols.jsonrpc.JsonRpcRequest request && request.id() != null
                    && id.equals(request.id().value()) && request.params() != null && request.params().path("cursor").isTextual()) {
                return request.params().get("cursor").textValue();
            }
        }
        return null;
    }

    /** Records an answer's one verdict, naming what it withheld; logs a warning when it withheld anything. */
    ResultPolicing.Judgement recordAndLog(String requestId, ListVerdicts verdicts, String what) {
        ResultPolicing.Judgement strongest = verdicts.strongest(policy);
        results.record(requestId, strongest, verdicts.withheld());
        if (!verdicts.withheld().isEmpty()) {
            CallLogContext.log(exchange, () -> LOG.warn("route {}: result rule '{}' of policy '{}' withheld {} from {}",
                    route, strongest.decision().ruleName(), strongest.decision().policyName(), LogText.entries(verdicts.withheld()), what));
        }
        return strongest;
    }

    /**
     * Decides and carries out every entry of {@code holder}'s list {@code listed}, gathering the judgements in
     * {@code verdicts}; {@code at} is the holder's pointer in the answer (ending in /).
     *
     * @param shownBefore the end of what a client shows right before the list (an agent card's own text before its
     *                    skills, the previous page of a listing), joined to the first entry's; null when nothing is
     * @return the end of what the list shows, as it ends with its last entry shown ({@link ShownTexts#readTail}), for
     *         what a client shows after it (the next page); {@code shownBefore} when it shows no entry
     */
    String decideEntries(ObjectNode holder, Listed listed, String at, ListVerdicts verdicts, String shownBefore) {
        if (!(holder.get(listed.member()) instanceof ArrayNode entries)) {
            return shownBefore;
        }
        // Each denied name with the decision that denied it (the first, when a name is listed twice).
        Map<String, Decision> denied = new HashMap<>();
        // Shadow denials: relayed, but their tools' calls are recorded as enforce would decide them (review CB).
        Map<String, Decision> shadowDenied = new HashMap<>();
        Set<JsonNode> deniedEntries = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // Names that held a finding themselves, each with the marker it is recorded as instead (review BY: a tool named with a
        // secret was withheld from the client and named in clear in the audit record, the span and the log).
        Map<String, String> foundInName = new HashMap<>(0);
        // The end of the last shown entry's text, joined to the next one's: a model reads the list in order.
        String before = shownBefore;
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String key = entry.path(listed.key()).asText(null);
            CallDescription read = listed.reading().read(route, key, entry);
            ShownTexts texts = ShownTexts.ofListed(entry, before);
            // A task whose creating tool is unknown is read as of any tool (tool-scoped rules apply, fail closed), as its tasks/get is.
            boolean anyTool = listed.keptWhenDenied() != null && read.toolName() == null;
            ResultPolicing.Judgement judgement = results.judgeListed(read, texts, anyTool);
            verdicts.add(judgement, at + listed.member() + "/" + i);
            for (Finding f : judgement.findings()) {
                if (key != null && !f.inKey() && f.pointer().equals("/" + listed.key())) {
                    foundInName.putIfAbsent(key, DocumentScan.marker(f));
                }
            }
            ResultPolicing.Outcome outcome = ResultPolicing.carryOut(judgement, read);
            if (key != null && judgement.decision().mode() == dev.tollgate.policy.Mode.SHADOW
                    && judgement.decision().action() == dev.tollgate.policy.Action.DENY) {
                shadowDenied.putIfAbsent(key, judgement.decision());
            }
            if (outcome == ResultPolicing.Outcome.DENIED) {
                if (key != null) {
                    denied.putIfAbsent(key, judgement.decision());
                }
                deniedEntries.add(entry);
            } else if (outcome == ResultPolicing.Outcome.REDACTED) {
                verdicts.changed();
                // What the model reads next to the following entry is the redacted text, not what was found in it.
                before = ShownTexts.ofListed(entry, before).tail(ResultPolicing.STREAM_TAIL_CHARS);
            } else {
                before = texts.tail(ResultPolicing.STREAM_TAIL_CHARS);
            }
        }
        for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
            JsonNode entry = it.next();
            String key = entry.path(listed.key()).asText(null);
            // Every entry of a denied one's name goes: a name listed twice is one tool to the client and the server.
            if (deniedEntries.contains(entry) || key != null && denied.containsKey(key)) {
                if (listed.keptWhenDenied() != null && entry.isObject()) {
                    ((ObjectNode) entry).retain(listed.keptWhenDenied());
                    verdicts.changed();
                } else {
                    it.remove();
                }
                // A name the deciding rule found nothing in may still be a secret another rule's detectors, or none, would
                // find (a tool withheld for its description or by a rule on its name): read with all of them (fix AU).
                verdicts.withheld(listed.kind() + " " + (key == null ? "(unnamed)" : foundInName.computeIfAbsent(key,
                        k -> dev.tollgate.policy.detect.RecordedNames.of(k, policy.detectors()))));
            }
        }
        if (withheldTools != null && listed.member().equals("tools")) {
            rememberTools(entries, denied, shadowDenied);
        }
        return before;
    }

    /**
     * Notes which tools this list withheld (their calls are denied) and which it showed (callable again). A tool a shadow
     * policy would have withheld stays shown but is noted with the shadow decision, so its calls are recorded as shadow
     * denials (forwarded): a shadow trial shows what enforcing would refuse (review CB).
     */
    private void rememberTools(ArrayNode shown, Map<String, Decision> denied, Map<String, Decision> shadowDenied) {
        denied.forEach((name, decision) -> withheldTools.withheld(route, name, decision, policy));
        shadowDenied.forEach((name, decision) -> withheldTools.withheld(route, name, decision, policy));
        for (JsonNode entry : shown) {
            if (entry.path("name").isTextual() && !shadowDenied.containsKey(entry.get("name").textValue())) {
                withheldTools.shown(route, entry.get("name").textValue(), policy);
            }
        }
    }
}
