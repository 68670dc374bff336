package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.detect.DocumentScan;
import dev.tollgate.protocols.a2a.A2aMethod;

/**
 * Result rules on what an A2A agent card shows a model. A client hands the agent's name and description, and each
 * skill's name, description, tags and examples, to the model that picks an agent and a skill: an agent can instruct
 * that model through its card as an MCP server can through a tool's description (tool poisoning, {@link ListPolicing}).
 * Each skill is decided as an entry of a list, under its id ({@code tool:} rules scoped to the skill apply); a denied
 * skill is left out of the card with every skill of the same id, a redacted one relayed with the findings replaced.
 * The card's own text (every member but its skills: name, description, provider, capabilities' extensions) is decided
 * as one more result, with no skill: a deny there withholds the card. One verdict per card is recorded.
 */
final class CardPolicing {

    private final ResultPolicing results;
    private final ListPolicing entries;
    private final Exchange exchange;

    CardPolicing(ResultPolicing results, Exchange exchange) {
        this.results = results;
        this.entries = new ListPolicing(results, null, exchange);
        this.exchange = exchange;
    }

    /**
     * Holds a card (already rewritten for the caller) against the result rules, in place.
     *
     * @param sizeBytes the answer's size: past limits.max-scanned-result-bytes the card is not read
     * @return {@link ResultPolicing.Outcome#DENIED} when the card must not be relayed ({@link ResultPolicing#denial}
     *         explains why), else whether anything in it changed
     */
    ResultPolicing.Outcome police(ObjectNode card, String requestId, long sizeBytes) {
        if (sizeBytes > exchange.snapshot().config().limits().maxScannedResultBytes()) {
            ResultPolicing.Judgement unscannable = results.unscannable();
            results.record(requestId, unscannable);
            return unscannable.decision().enforcedDeny() ? ResultPolicing.Outcome.DENIED : ResultPolicing.Outcome.PASSED;
        }
        String route = exchange.route().route().name();
        // One scan budget for the card's text and all its skills (as for a list's entries).
        CardRead read = DocumentScan.sharingOneBudget(() -> read(card, route));
        entries.recordAndLog(requestId, read.verdicts(), "the agent card");
        if (read.cardDenied()) {
            return ResultPolicing.Outcome.DENIED;
        }
        return read.verdicts().isChanged() ? ResultPolicing.Outcome.REDACTED : ResultPolicing.Outcome.PASSED;
    }

    /** What reading a card decided: every verdict on it, and whether its own text was denied (its skills then unread). */
    private record CardRead(ListVerdicts verdicts, boolean cardDenied) {
    }

    private CardRead read(ObjectNode card, String route) {
        ListVerdicts gathered = new ListVerdicts();
        // The card's own text without its skills (each decided on its own below): a shallow copy, so a redaction
        // inside a member reaches the card, and one of a top-level string is copied back.
        ObjectNode own = card.objectNode().setAll(card);
        own.remove(ListPolicing.CARD_SKILLS.member());
        CallDescription read = CallDescription.a2aResult(route, A2aMethod.GET_EXTENDED_CARD.canonicalName(), null, own);
        ShownTexts ownTexts = ShownTexts.ofListed(own, null);
        ResultPolicing.Judgement judgement = results.judgeListed(read, ownTexts);
        gathered.add(judgement, ""); // pointers into the card, the result (as into an MCP list's result)
        ResultPolicing.Outcome outcome = ResultPolicing.carryOut(judgement, read);
        if (outcome == ResultPolicing.Outcome.DENIED) {
            return new CardRead(gathered, true);
        }
        if (outcome == ResultPolicing.Outcome.REDACTED) {
            own.fieldNames().forEachRemaining(name -> card.set(name, own.get(name)));
            gathered.changed();
            ownTexts = ShownTexts.ofListed(own, null); // what the client shows is the redacted text
        }
        // A client shows the card's description right before its skills: a phrase split between them is read whole.
        String ownTail = ownTexts.tail(ResultPolicing.STREAM_TAIL_CHARS);
        entries.decideEntries(card, ListPolicing.CARD_SKILLS, "/", gathered, ownTail);
        return new CardRead(gathered, false);
    }

    /** Why the last card was withheld: the policy's error message, naming the policy, rule and message. */
    String denialMessage(com.fasterxml.jackson.databind.JsonNode id) {
        return results.denial(id).path("error").path("message").asText();
    }
}
