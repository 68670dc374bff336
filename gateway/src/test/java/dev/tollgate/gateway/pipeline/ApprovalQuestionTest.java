package dev.tollgate.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.ApprovalRequest;
import dev.tollgate.gateway.approval.ShownArguments;
import dev.tollgate.policy.Identity;
import org.junit.jupiter.api.Test;

/** The ask-client question: the user approves a call, arguments and all, and reads them as they are sent. */
class ApprovalQuestionTest {

    @Test
    void theQuestionNamesTheToolAndTheRuleAndShowsEveryArgument() {
        String text = ApprovalQuestion.text(request("deploy", JsonNodeFactory.instance.objectNode().put("cluster", "prod-eu-1").put("replicas", 3)));
        assertThat(text).startsWith("Tollgate holds a call to 'deploy' for approval (rule 'deploys': needs a person).")
                .contains("\"cluster\" : \"prod-eu-1\"", "\"replicas\" : 3").endsWith("Allow it?");
    }

    @Test
    void aCallWithoutArgumentsSaysSo() {
        assertThat(ApprovalQuestion.text(request("ping", null))).contains("It has no arguments.");
    }

    @Test
    void charactersAScreenWouldNotShowAreWrittenAsTheirEscapes() {
        // A right-to-left override makes "prod‮1-ue-dorp" read otherwise; zero-width and tag characters read as nothing.
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("cluster", "staging\u202E1-dorp").put("note", "ok\u200B")
                .put("hidden", "a" + new String(Character.toChars(0xE0041)) + "b").put("name", "Zoë 東京");
        String text = ApprovalQuestion.text(request("dep\u202Eloy", arguments));
        assertThat(text).contains("'dep\\u202eloy'", "staging\\u202e1-dorp", "ok\\u200b", "a\\udb40\\udc41b", "Zoë 東京")
                .doesNotContain("\u202E", "\u200B");
    }

    @Test
    void argumentsCutToFitAreNotPutToTheUser() {
        ShownArguments padded = ShownArguments.of(JsonNodeFactory.instance.objectNode().put("cluster", "prod").put("notes", "x".repeat(70_000)));
        assertThat(ApprovalQuestion.canAsk(new ApprovalRequest("tools", "tools/call", "deploy", padded.arguments(), !padded.complete(),
                Identity.ANONYMOUS, "p", "deploys", null))).isFalse();
        assertThat(ApprovalQuestion.canAsk(request("deploy", JsonNodeFactory.instance.objectNode().put("cluster", "prod")))).isTrue();
    }

    private static ApprovalRequest request(String tool, ObjectNode arguments) {
        return new ApprovalRequest("tools", "tools/call", tool, arguments, false, Identity.ANONYMOUS, "p", "deploys", "needs a person");
    }
}
