package dev.tollgate.policy.agt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native document as YAML text, headed by a comment that names its source, the notes on rules converted with
 * one, and the rules left out and why, so the file itself says what it does not enforce.
 */
public final class NativeDocumentWriter {

    // Every string double-quoted: no name, pattern or message can be re-read as a number, bool or null.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            // A pattern folded over lines is still the same string, but hard to read and to diff.
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());
    /** Rules named per note in the header; the command's output lists them all. */
    private static final int MAX_RULES_NAMED_PER_NOTE = 10;

    private NativeDocumentWriter() {
    }

    public static String write(ImportResult result, String source) {
        StringBuilder out = new StringBuilder();
        out.append("# Converted by `tollgate import-agt` from the AGT 5.0.0 document ").append(oneLine(source)).append('\n');
        for (String note : result.notes()) {
            out.append("# Note: ").append(oneLine(note)).append('\n');
        }
        notedRules(result).forEach((note, rules) -> out.append("# Converted with a note (").append(rules.size()).append(" rule(s): ")
                .append(oneLine(String.join(", ", rules.subList(0, Math.min(rules.size(), MAX_RULES_NAMED_PER_NOTE)))))
                .append(rules.size() > MAX_RULES_NAMED_PER_NOTE ? ", ..." : "").append("): ").append(oneLine(note)).append('\n'));
        if (!result.complete()) {
            out.append("# NOT CONVERTED (these rules are omitted; this document does not enforce them):\n");
            for (RuleImport.NotConverted r : result.notConverted()) {
                out.append("#   - ").append(oneLine(r.name())).append(": ").append(oneLine(r.reason())).append('\n');
            }
        }
        try {
            return out.append(YAML.writeValueAsString(result.document())).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static Map<String, List<String>> notedRules(ImportResult result) {
        Map<String, List<String>> byNote = new LinkedHashMap<>();
        for (RuleImport rule : result.rules()) {
            if (rule instanceof RuleImport.Converted c) {
                c.notes().forEach(n -> byNote.computeIfAbsent(n, k -> new ArrayList<>()).add(c.name()));
            }
        }
        return byNote;
    }

    /** A line break in a name or reason would end the comment and start YAML. */
    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
