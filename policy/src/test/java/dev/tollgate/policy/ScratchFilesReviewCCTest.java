package dev.tollgate.policy;

import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScratchFilesReviewCCTest {
    @Test
    void files() throws Exception {
        StringBuilder out = new StringBuilder();
        for (String f : Files.readAllLines(Path.of("/tmp/cc/allrules.txt"))) {
            out.append("== ").append(f).append(": ");
            try {
                String text = Files.readString(Path.of("/tmp/cc/y/" + f));
                CompiledPolicy c = PolicyLoader.parse(text, f, CheckRegistry.withDefaults());
                out.append("LOADED agt=").append(PolicyLoader.isAgtDocument(PolicyLoader.readDocument(text))).append(" rules=").append(c.rules().size()).append(" default=").append(c.defaultDecision().action()).append(" warnings=").append(c.warnings().size());
            } catch (PolicyException e) {
                out.append("REFUSED ").append(e.getMessage().replace('\n', ' '));
            } catch (Exception e) {
                out.append("EXC ").append(e);
            }
            out.append('\n');
        }
        Files.writeString(Path.of("/tmp/cc/allfiles.txt"), out.toString());
    }
}
