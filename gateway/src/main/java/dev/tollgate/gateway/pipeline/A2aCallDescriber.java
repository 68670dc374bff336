package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.budget.DeclaredSkill;
import dev.tollgate.gateway.pinning.RoutePins;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns an A2A call into the protocol-neutral description policy, audit and budget read. */
final class A2aCallDescriber {

    private A2aCallDescriber() {
    }

    static CallDescription describe(String route, A2aCall call) {
        return CallDescription.a2a(route, call.method().canonicalName(), call.skill(), call.view());
    }

    /**
     * The readings of the call other than its body's, each decided too, the stronger refusal deciding: its tenant as an
     * agent reading it from the path sees it ({@link #inPathTenant}), and its text parts joined as agents join them other
     * than by a newline ({@link #textPartsJoined}: run together, or by a space), each alone and with the path's tenant.
     * Empty for most calls.
     */
    static List<CallDescription> otherReadings(CallDescription call) {
        CallDescription inPath = inPathTenant(call);
        List<CallDescription> readings = new ArrayList<>(5);
        if (inPath != null) {
            readings.add(inPath);
        }
        for (String separator : OTHER_TEXT_JOINS) {
            CallDescription joined = textPartsJoined(call, separator);
            if (joined != null) {
                readings.add(joined);
                if (inPath != null) {
                    readings.add(textPartsJoined(inPath, separator));
                }
            }
        }
        return readings;
    }

    /** How agents join a message's text parts besides the view's newline: concatenated, or with a space. */
    private static final List<String> OTHER_TEXT_JOINS = List.of("", " ");

    /**
     * The call with {@code /message/text} its text parts joined by {@code separator} (the view joins them with a newline).
     * Agents differ: one concatenating them read {@code rm -rf} from the parts {@code "rm -"} and {@code "rf"}, which a
     * rule looking for it in the newline-joined text never matched (review AT); one joining them with a space reads
     * {@code rm -rf} from {@code "rm"} and {@code "-rf"} (review AW). Null for fewer than two text parts.
     */
    static CallDescription textPartsJoined(CallDescription call, String separator) {
        JsonNode view = call.arguments();
        JsonNode message = view == null ? null : view.get("message");
        if (message == null || !message.path("text").isTextual()) {
            return null;
        }
        StringBuilder joined = new StringBuilder();
        int texts = 0;
        for (JsonNode part : message.path("parts")) {
            if (part.path("text").isTextual()) {
                if (texts > 0) {
                    joined.append(separator);
                }
                joined.append(part.path("text").textValue());
                texts++;
            }
        }
        if (texts < 2) {
            return null;
        }
        ObjectNode reading = ((ObjectNode) view).deepCopy();
        ((ObjectNode) reading.get("message")).put("text", joined.toString());
        return CallDescription.a2a(call.route(), call.method(), call.toolName(), reading);
    }

    /**
     * The call as an agent reading its tenant from the path would see it ({@code /tenant} = the path's
     * {@link A2aCall#PATH_TENANT} segment); null when the path names none, or the same tenant as the body.
     */
    static CallDescription inPathTenant(CallDescription call) {
        JsonNode view = call.arguments();
        JsonNode segment = view == null ? null : view.get(A2aCall.PATH_TENANT);
        if (segment == null || segment.asText().equals(view.path("tenant").asText(null))) {
            return null;
        }
        ObjectNode reading = ((ObjectNode) view).deepCopy();
        reading.put("tenant", segment.asText());
        return CallDescription.a2a(call.route(), call.method(), call.toolName(), reading);
    }

    /**
     * The skill the call declares as the gateway knows it on its route: priced by the route's prices (its name or a glob)
     * or listed by the route's reviewed pin manifest; anything else is unknown (see {@link DeclaredSkill}).
     */
    static DeclaredSkill declaredSkill(GatewaySnapshot snapshot, String route, CallDescription call) {
        RoutePins pins = snapshot.pins(route);
        Set<String> reviewed = pins == null ? Set.of() : pins.manifest().pins().keySet();
        return DeclaredSkill.of(snapshot.config().budget().pricing(), route, call.toolName(), reviewed);
    }

    /** The probe asking whether a caller may ever use a skill: through either way of sending it a message. */
    static CallDescription[] skillProbes(String route, String skill) {
        return new CallDescription[] {
            CallDescription.a2a(route, A2aMethod.SEND_MESSAGE.canonicalName(), skill, null),
            CallDescription.a2a(route, A2aMethod.SEND_STREAMING_MESSAGE.canonicalName(), skill, null),
        };
    }
}
