package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review CD (AP, finding 4 of BX): a padded name is read trimmed only under eq/ne/in/not_in. Jackson trims every enum it
 * binds ({@code " DESTROY"} is {@code DESTROY}), and so does a server comparing a trimmed text; but an anchored
 * {@code matches}, the usual way to deny a set of names ({@code ^(DESTROY|WIPE)$}), is decided on the padded text only,
 * so the deny never fires and the call reaches the tool that destroys. policy/README leaves {@code matches} out as "a
 * padded string contains what the trimmed one does", which holds for an unanchored search only. ({@code contains} on a
 * list of padded names is denied already, through the list's joined text.)
 */
class PaddedNameInListAndRegexReviewCDTest {

    enum Action { READ, DESTROY }

    private static CompiledPolicy deny(String path, String test) {
        return PolicyFixtures.rules("allow", """
                  - name: no-destroy
                    condition:
                      all:
                        - tool: t
                        - arg: {path: %s, %s}
                    action: deny
                    message: Nothing is destroyed.
                """.formatted(path, test));
    }

    private static boolean denied(CompiledPolicy policy, String arguments) {
        return policy.evaluate(toolCall("t", arguments)).isDenied();
    }

    @Test
    void jacksonBindsAPaddedNameAsTheConstant() throws Exception {
        assertThat(new ObjectMapper().readValue("[\" DESTROY\", \"DESTROY \", \"\\tDESTROY\"]", new TypeReference<List<Action>>() { }))
                .containsExactly(Action.DESTROY, Action.DESTROY, Action.DESTROY);
    }

    @Test
    void aPaddedNameIsDeniedByAnAnchoredMatches() {
        CompiledPolicy policy = deny("/action", "matches: \"^(DESTROY|WIPE)$\"");
        assertThat(denied(policy, "{\"action\": \"DESTROY\"}")).isTrue();
        for (String action : List.of("\" DESTROY\"", "\"DESTROY \"", "\"\\u00a0WIPE\"")) {
            assertThat(denied(policy, "{\"action\": " + action + "}")).as(action).isTrue();
        }
    }

    @Test
    void aPaddedNameIsDeniedByAnAgtMatches() {
        CompiledPolicy policy = PolicyFixtures.policy("""
                version: "1.0"
                name: agt-review-cd
                defaults: {action: allow}
                rules:
                  - name: no-destroy
                    condition: {field: action, operator: matches, value: "^(DESTROY|WIPE)$"}
                    action: deny
                    message: Nothing is destroyed.
                """);
        assertThat(denied(policy, "{\"action\": \"DESTROY\"}")).isTrue();
        assertThat(denied(policy, "{\"action\": \" DESTROY\"}")).isTrue();
    }
}
