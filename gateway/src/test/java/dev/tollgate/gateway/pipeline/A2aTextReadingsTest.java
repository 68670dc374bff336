package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A message's text parts are decided as agents join them: the view's newline, run together, and with a space (reviews
 * AT and AW): a rule looking for {@code rm -rf} sees it whichever of the three an agent uses, split over two parts.
 */
class A2aTextReadingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-wipe
                condition: {arg: {path: /message/text, contains: "rm -rf"}}
                action: deny
            """;

    @Test
    void aPhraseSplitOverTwoTextPartsIsDeniedHoweverTheAgentJoinsThem() throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(POLICY, "p.yaml", CheckRegistry.withDefaults());
        for (List<String> parts : List.of(List.of("rm -", "rf"), List.of("rm", "-rf"), List.of("please rm -rf /", "now"))) {
            CallDescription call = send(parts);
            boolean denied = decide(policy, call).isDenied();
            for (CallDescription reading : A2aCallDescriber.otherReadings(call)) {
                denied |= decide(policy, reading).isDenied();
            }
            assertThat(denied).as("parts %s", parts).isTrue();
        }
        CallDescription harmless = send(List.of("rm", "the draft"));
        assertThat(A2aCallDescriber.otherReadings(harmless)).allSatisfy(r -> assertThat(decide(policy, r).isDenied()).isFalse());
        assertThat(A2aCallDescriber.otherReadings(send(List.of("one part only")))).as("nothing to join").isEmpty();
    }

    private static CallDescription send(List<String> texts) throws Exception {
        var view = JSON.createObjectNode();
        var message = view.putObject("message");
        var parts = message.putArray("parts");
        texts.forEach(t -> parts.addObject().put("kind", "text").put("text", t));
        message.put("text", String.join("\n", texts));
        return CallDescription.a2a("agent", "SendMessage", null, view);
    }

    private static Decision decide(CompiledPolicy policy, CallDescription call) {
        return policy.evaluate(new PolicyRequest(call, Identity.ANONYMOUS, Instant.now(), null));
    }
}
