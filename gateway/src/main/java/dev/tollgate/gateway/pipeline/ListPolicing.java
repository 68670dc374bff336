package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.detect.DocumentScan;
import dev.tollgate.policy.detect.Finding;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
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
 * first match), with every finding at its pointer in the result and the withheld entries by name.
 */
final class ListPolicing {

    private static final Logger LOG = LoggerFactory.getLogger(ListPolicing.class);

    /** A list member of a result: what its entries are called in records, and the member naming an entry. */
    private record Listed(String member, String kind, String key) {
    }

    private static final List<Listed> LISTS = List.of(new Listed("tools", "tool", "name"), new Listed("prompts", "prompt", "name"),
            new Listed("resources", "resource", "uri"), new Listed("resourceTemplates", "resource template", "uriTemplate"));

    private final ResultPolicing results;
    private final WithheldTools withheldTools;
    private final Exchange exchange;
    private final String route;
    private final CompiledPolicy policy;

    ListPolicing(ResultPolicing results, WithheldTools withheldTools, Exchange exchange) {
        this.results = results;
        this.withheldTools = withheldTools;
        this.exchange = exchange;
        this.route = exchange.route().route().name();
        this.policy = exchange.policy();
    }

    /** Whether a response's result holds a list of definitions a client shows its model (a loop: this runs on every answer). */
    static boolean holdsList(JsonNode response) {
        JsonNode result = response.path("result");
        if (!result.isObject()) {
            return false;
        }
        for (Listed listed : LISTS) {
            if (result.path(listed.member()).isArray()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Holds every list in a response against the result rules, in place.
     *
     * @param sizeBytes how large the answer (or event) holding it is: past limits.max-scanned-result-bytes it is not read
     * @return null when nothing changed; the response itself when entries were left out or redacted; the policy's error
     *         in its place when the list could not be read and limits.unscannable-results denies it
     */
    ObjectNode police(JsonNode response, long sizeBytes) {
        if (!response.isObject() || !holdsList(response) || !response.hasNonNull("id")) {
            return null;
        }
        String requestId = response.get("id").asText();
        if (sizeBytes > exchange.snapshot().config().limits().maxScannedResultBytes()) {
            ResultPolicing.Judgement unscannable = results.unscannable();
            results.record(requestId, unscannable);
            return unscannable.decision().enforcedDeny() ? results.denial(response.get("id")) : null;
        }
        // One scan budget for every entry of the answer: a thousand entries built to trip every trigger cost what one
        // result of that size would, and past it each remaining entry fails closed (left out).
        Verdicts verdicts = DocumentScan.sharingOneBudget(() -> decideEntries((ObjectNode) response.get("result")));
        ResultPolicing.Judgement strongest = verdicts.strongest(policy);
        results.record(requestId, strongest, verdicts.withheld());
        if (!verdicts.withheld().isEmpty()) {
            CallLogContext.log(exchange, () -> LOG.warn("route {}: result rule '{}' of policy '{}' withheld {} from the list answering request {}",
                    route, strongest.decision().ruleName(), strongest.decision().policyName(), verdicts.withheld(), requestId));
        }
        return verdicts.changed() ? (ObjectNode) response : null;
    }

    /** Decides and carries out every entry of every list in the result. */
    private Verdicts decideEntries(ObjectNode result) {
        Verdicts verdicts = new Verdicts();
        for (Listed listed : LISTS) {
            if (!(result.get(listed.member()) instanceof ArrayNode entries)) {
                continue;
            }
            Set<String> denied = new HashSet<>();
            Set<JsonNode> deniedEntries = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            Decision withholding = null;
            for (int i = 0; i < entries.size(); i++) {
                JsonNode entry = entries.get(i);
                String key = entry.path(listed.key()).asText(null);
                String tool = listed.member().equals("tools") ? key : null;
                CallDescription read = CallDescription.mcpToolResult(route, tool, entry);
                ResultPolicing.Judgement judgement = results.judgeListed(read);
                verdicts.add(judgement, "/" + listed.member() + "/" + i);
                ResultPolicing.Outcome outcome = ResultPolicing.carryOut(judgement, read);
                if (outcome == ResultPolicing.Outcome.DENIED) {
                    if (key != null) {
                        denied.add(key);
                    }
                    deniedEntries.add(entry);
                    withholding = withholding != null ? withholding : judgement.decision();
                } else if (outcome == ResultPolicing.Outcome.REDACTED) {
                    verdicts.changed = true;
                }
            }
            for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
                JsonNode entry = it.next();
                String key = entry.path(listed.key()).asText(null);
                // Every entry of a denied one's name goes: a name listed twice is one tool to the client and the server.
                if (deniedEntries.contains(entry) || key != null && denied.contains(key)) {
                    it.remove();
                    verdicts.changed = true;
                    verdicts.withheld(listed.kind() + " " + (key == null ? "(unnamed)" : key));
                }
            }
            if (listed.member().equals("tools")) {
                rememberTools(entries, denied, withholding);
            }
        }
        return verdicts;
    }

    /** Notes which tools this list withheld (their calls are denied) and which it showed (callable again). */
    private void rememberTools(ArrayNode shown, Set<String> denied, Decision withholding) {
        for (String name : denied) {
            withheldTools.withheld(route, name, withholding, policy);
        }
        for (JsonNode entry : shown) {
            if (entry.path("name").isTextual()) {
                withheldTools.shown(route, entry.get("name").textValue());
            }
        }
    }

    /** The entries' judgements of one response, gathered into its one verdict. */
    private static final class Verdicts {
        private Decision deny;
        private Decision redact;
        private Decision matched;
        private final List<Finding> findings = new ArrayList<>(0);
        private final List<String> withheld = new ArrayList<>(0);
        private boolean changed;

        /** @param at the entry's pointer in the result: each finding is recorded where it is in the result */
        void add(ResultPolicing.Judgement judgement, String at) {
            Decision d = judgement.decision();
            if (d.action() == Action.DENY) {
                deny = deny != null && deny.mode() == Mode.ENFORCE ? deny : d;
            } else if (d.action() == Action.REDACT) {
                redact = redact != null ? redact : d;
            } else if (d.ruleName() != null) {
                matched = matched != null ? matched : d;
            }
            for (Finding f : judgement.findings()) {
                findings.add(new Finding(f.detector(), f.kind(), at + f.pointer(), f.start(), f.end(), f.digest(), f.inKey(), f.encoded()));
            }
        }

        void withheld(String entry) {
            if (!withheld.contains(entry)) {
                withheld.add(entry);
            }
        }

        List<String> withheld() {
            return withheld;
        }

        boolean changed() {
            return changed;
        }

        /** Deny (an enforced one first), then redact, then the first rule that matched, else the pass. */
        ResultPolicing.Judgement strongest(CompiledPolicy policy) {
            Decision decision = deny != null ? deny : redact != null ? redact : matched != null ? matched : policy.resultPass();
            return new ResultPolicing.Judgement(decision, List.copyOf(findings));
        }
    }
}
