package dev.tollgate.policy.detect;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names as an audit record, a span or a log may write them: a withheld entry's name ({@code tool <name>}) and the object
 * keys on a finding's pointer. A name can be the secret itself (a tool named with an AWS key, a key of
 * {@code structuredContent} that is one); written as it is, the record that promises digests only holds the match.
 * Review BY's fix marked only what the deciding rule's own detectors found there, so a name found by another matched rule,
 * or by none (a tool withheld by a rule on its name; a finding of another kind under the key), was written in clear
 * (fix AU). Each name is therefore read with every detector of the policy and with {@link #ALWAYS}, and one holding a
 * finding is written as the first finding's marker ({@code [REDACTED:secrets]}).
 *
 * <p>Names are short, and only those about to be written are read: the cost is one scan per withheld entry and per key
 * on a finding's pointer.
 */
public final class RecordedNames {

    /**
     * What every written name is read with whatever the policy's rules use: credentials of known formats and long
     * high-entropy tokens (at the secrets detector's default threshold), card numbers and SSNs, the values a name should
     * never be and a plain look would give away.
     */
    static final List<Detector> ALWAYS = List.of(Detectors.secrets(4.2), Detectors.pii(Set.of("card", "ssn")));
    /** A name that could not be read within the scan budget: not written (fail closed). */
    static final String UNREAD = "[REDACTED]";

    private RecordedNames() {
    }

    /**
     * Whether {@code name} is exactly a marker ({@code [REDACTED]}, {@code [REDACTED:secrets]}): written already, nothing in
     * it to find. Only exactly (review CL): a caller may start a tool's name with {@code [REDACTED} to keep the rest unread.
     */
    public static boolean isMarker(String name) {
        if (name.equals(UNREAD)) {
            return true;
        }
        if (!name.startsWith("[REDACTED:") || !name.endsWith("]") || name.length() <= "[REDACTED:]".length()) {
            return false;
        }
        for (int i = "[REDACTED:".length(); i < name.length() - 1; i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code name}, or the marker of what {@code detectors} or {@link #ALWAYS} find in it. */
    public static String of(String name, List<Detector> detectors) {
        if (name == null || name.isEmpty() || isMarker(name)) {
            return name;
        }
        List<Detector> all = new ArrayList<>(detectors.size() + ALWAYS.size());
        all.addAll(detectors);
        all.addAll(ALWAYS);
        List<Finding> found;
        try {
            found = DocumentScan.scan(TextNode.valueOf(name), all);
        } catch (ScanBudget.Exceeded | DocumentScan.Undecodable e) {
            return UNREAD;
        }
        return found.isEmpty() ? name : DocumentScan.marker(found.get(0));
    }

    /**
     * {@code findings} with every key on their pointers that holds a finding of {@code detectors} or {@link #ALWAYS}
     * replaced by its marker ({@code /structuredContent/[REDACTED:secrets]/note}); the same list when none does.
     */
    public static List<Finding> pointersOf(List<Finding> findings, List<Detector> detectors) {
        if (findings.isEmpty()) {
            return findings;
        }
        Map<String, String> written = new HashMap<>();
        List<Finding> out = null;
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            String pointer = pointer(f.pointer(), detectors, written);
            if (!pointer.equals(f.pointer()) && out == null) {
                out = new ArrayList<>(findings.subList(0, i));
            }
            if (out != null) {
                out.add(pointer.equals(f.pointer()) ? f
                        : new Finding(f.detector(), f.kind(), pointer, f.start(), f.end(), f.digest(), f.inKey(), f.encoded()));
            }
        }
        return out == null ? findings : List.copyOf(out);
    }

    private static String pointer(String pointer, List<Detector> detectors, Map<String, String> written) {
        if (pointer.isEmpty()) {
            return pointer;
        }
        StringBuilder out = new StringBuilder(pointer.length());
        boolean changed = false;
        for (String token : pointer.substring(1).split("/", -1)) {
            String key = token.replace("~1", "/").replace("~0", "~");
            String name = written.computeIfAbsent(key, k -> of(k, detectors));
            changed |= !name.equals(key);
            out.append('/').append(name.equals(key) ? token : name);
        }
        return changed ? out.toString() : pointer;
    }
}
