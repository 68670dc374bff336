package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Review AF (e6d8c56): the admin page writes a held call's arguments through {@code shown()}, which escapes every
 * character that does not show as itself (now the default-ignorable ones too), and the ask-client question escapes the
 * tool's name as well ("the tool's name is the agent's too"). The admin page's approvals table does not: the tool
 * cell ({@code a.tool || a.method}) and the caller's claims are appended as raw text. A tool named
 * {@code U+202E "atad_tropmi"} (a server's own tool, listed to the agent; a rug-pulled server names it so) is shown to
 * the operator as "import_data", reversed by the override; the call sent is to the tool the server named otherwise.
 * The approver decides on a name the screen rewrote.
 *
 * <p>Renders the page's real {@code loadApprovals} (app.js, a minimal DOM, node) for one pending approval as the admin
 * API lists it.
 */
class AdminPageToolNameBidiReviewAFTest {

    private static final Path APP_JS = Path.of("src/main/resources/admin-ui/app.js");
    private static final Path HARNESS = Path.of("src/test/resources/review-af/admin-approval-row.cjs");

    @Test
    void theToolCellOfAHeldCallShowsItsDirectionOverrideEscaped() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode approval = json.createObjectNode();
        approval.put("id", "a1").put("route", "tools").put("method", "tools/call").put("tool", "\u202Eatad_tropmi")
                .put("rule", "exports-need-a-person").put("expires_at", "2026-12-06T18:00:00Z").put("on_timeout", "deny");
        approval.putObject("arguments").put("target", "s3://backups");
        approval.putObject("caller").put("sub", "agent-7");

        Process node = new ProcessBuilder(List.of("node", HARNESS.toString(), APP_JS.toString(), json.writeValueAsString(approval)))
                .redirectErrorStream(true).start();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.exitValue()).as(out).isZero();
        String toolCell = json.readTree(out.lines().findFirst().orElseThrow()).asText();

        assertThat(toolCell).as("the arguments cell escapes U+202E; the tool cell reads %s", toolCell).doesNotContain("\u202E");
        assertThat(Files.readString(APP_JS)).contains("function shown(");
    }
}
