package dev.tollgate.policy.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Runs detectors over every string of a JSON document (a tool result: text parts, structured content, resource
 * contents and links, embedded resources; an A2A artifact), reporting findings by JSON pointer, and redacts them in
 * place. Every string is read, not only the fields a client is known to show: a model may be given any of them.
 * Object keys are read too (a key can carry text as well as a value can). Base64 blobs are read as the strings they are.
 * Numbers are read as their digits: a card number sent as the JSON number {@code 4111111111111111} is a card number
 * to the model and the client that reads it; redacting one turns it into a string holding the marker.
 */
public final class DocumentScan {

    /** What replaces a redacted span: the detector that found it, so the reader knows something was there. */
    public static String marker(Finding finding) {
        return "[REDACTED:" + finding.detector() + "]";
    }

    private DocumentScan() {
    }

    /** A string of the document, where it is, whether it is a key, and how detectors read it. */
    private record Text(String pointer, boolean key, TextView view) {
    }

    /** A document's strings and the pattern-matching budget every scan of it shares (evaluation and findings alike). */
    private record Flattened(List<Text> texts, ScanBudget budget) {
    }

    /**
     * The strings of the last document scanned on this thread: the rules of one decision ask about the same document one
     * after another (each detector check, then the findings), so it is flattened and normalized once, not once per check.
     * Holds one document per event loop until the next scan.
     */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);

    /**
     * Every finding of the detectors in the document, in document order.
     *
     * @throws ScanBudget.Exceeded when the document needs more pattern matching than {@link ScanBudget#DEFAULT_CHARS}
     */
    public static List<Finding> scan(JsonNode document, List<Detector> detectors) {
        List<Finding> findings = new ArrayList<>(0);
        Flattened flattened = flattened(document);
        for (Text text : flattened.texts()) {
            TextView view = text.view().within(flattened.budget());
            String original = view.original();
            for (Detector detector : detectors) {
                detector.scan(view, (start, end, kind) -> findings.add(new Finding(detector.name(), kind, text.pointer(), start, end,
                        digest(original.substring(start, end)), text.key())));
            }
        }
        return findings;
    }

    private static Flattened flattened(JsonNode document) {
        Object[] last = LAST.get();
        if (last[0] == document) {
            return (Flattened) last[1];
        }
        List<Text> texts = new ArrayList<>();
        walk(document, "", texts);
        // One budget per document: every check of a decision and the findings scan draw on it (not one each).
        Flattened flattened = new Flattened(texts, new ScanBudget(ScanBudget.DEFAULT_CHARS));
        last[0] = document;
        last[1] = flattened;
        return flattened;
    }

    /** True when any detector finds anything (stops at the first string with a finding). */
    public static boolean anyMatch(JsonNode document, List<Detector> detectors) {
        return !scan(document, detectors).isEmpty();
    }

    private static void walk(JsonNode node, String pointer, List<Text> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            add(node.textValue(), pointer, false, out);
        } else if (node.isNumber()) {
            add(digitsOf(node), pointer, false, out);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                add(field.getKey(), child, true, out);
                walk(field.getValue(), child, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, out);
            }
        }
    }

    /** A number as the digits a reader sees: integers as written, decimals in plain notation (4.1E15 as 4100000000000000). */
    private static String digitsOf(JsonNode number) {
        return number.isIntegralNumber() ? number.bigIntegerValue().toString() : number.decimalValue().toPlainString();
    }

    private static void add(String text, String pointer, boolean key, List<Text> out) {
        if (!text.isEmpty()) {
            out.add(new Text(pointer, key, TextView.of(text)));
        }
    }

    /**
     * Replaces every finding's span with its marker, in place, in the document's string values (findings in keys leave
     * the key as it is: renaming a key changes what the document means; such a result is better denied, and the gateway
     * does). Findings whose pointer names no string of this document (a field added only for reading) are skipped.
     *
     * @return the number of spans replaced
     */
    public static int redact(JsonNode document, List<Finding> findings) {
        LAST.get()[0] = null; // the document changes: its cached strings no longer describe it
        Map<String, List<Finding>> byPointer = new java.util.LinkedHashMap<>();
        for (Finding f : findings) {
            if (!f.inKey()) {
                byPointer.computeIfAbsent(f.pointer(), p -> new ArrayList<>()).add(f);
            }
        }
        int replaced = 0;
        for (Map.Entry<String, List<Finding>> entry : byPointer.entrySet()) {
            String pointer = entry.getKey();
            int slash = pointer.lastIndexOf('/');
            JsonNode parent = slash <= 0 ? document : document.at(pointer.substring(0, slash));
            String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
            JsonNode value = parent.isArray() ? parent.get(Integer.parseInt(last)) : parent.get(last);
            if (value == null || !value.isTextual() && !value.isNumber()) {
                continue;
            }
            String redacted = redactSpans(value.isTextual() ? value.textValue() : digitsOf(value), entry.getValue());
            if (parent.isArray()) {
                ((ArrayNode) parent).set(Integer.parseInt(last), TextNode.valueOf(redacted));
            } else {
                ((ObjectNode) parent).set(last, TextNode.valueOf(redacted));
            }
            replaced += entry.getValue().size();
        }
        return replaced;
    }

    /** The text with each span (overlapping ones merged) replaced by its marker. */
    static String redactSpans(String text, List<Finding> spans) {
        List<Finding> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingInt(Finding::start).thenComparing(Comparator.comparingInt(Finding::end).reversed()));
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Finding f : sorted) {
            if (f.end() <= at) {
                continue; // inside a span already replaced
            }
            out.append(text, at, Math.max(at, f.start()));
            if (f.start() >= at) {
                out.append(marker(f));
            }
            at = Math.max(at, f.end());
        }
        out.append(text, at, text.length());
        return out.toString();
    }

    /** sha256 of the matched text, shortened: enough to correlate findings, useless for recovering a secret. */
    static String digest(String match) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(match.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
