package dev.tollgate.policy.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON value an upstream chose (a listed tool's description, a schema) as a log line may quote it: a bounded copy whose
 * keys are read as {@link RecordedNames} reads names, and whose strings and numbers have each finding of the policy's
 * detectors and the always-on ones replaced by its marker ({@code "Use [REDACTED:secrets] to sign"}). Why: the pinning
 * warning's diff quoted listed definitions in clear, so a credential a rug pull put in a description reached the log.
 *
 * <p>Bounded by what is shown: about {@code shownChars} characters of keys, strings and scalars are copied, the rest left
 * out (the caller cuts the written copy there anyway). A string is read up to {@link #LOOKAHEAD_CHARS} past that bound and
 * only the part before the lookahead is kept, so a credential that the bound cut in two (and no detector could then
 * recognise) is never written in part. One scan budget for the whole value; past it the value is {@code [REDACTED]}.
 * Base64 members are read as the strings they are (not decoded), unlike a result scan.
 */
public final class RecordedValues {

    /** How far past the shown bound a string is read, so a credential starting before the bound is read whole. */
    static final int LOOKAHEAD_CHARS = 512;

    private RecordedValues() {
    }

    /** {@code value} as a log line may write its first {@code shownChars} characters; null stays null. */
    public static JsonNode of(JsonNode value, int shownChars, List<Detector> detectors) {
        if (value == null) {
            return null;
        }
        List<Detector> all = new ArrayList<>(detectors.size() + RecordedNames.ALWAYS.size());
        all.addAll(detectors);
        all.addAll(RecordedNames.ALWAYS);
        try {
            return DocumentScan.sharingOneBudget(() -> new Copy(shownChars, all).of(value));
        } catch (ScanBudget.Exceeded | DocumentScan.Undecodable e) {
            return TextNode.valueOf(RecordedNames.UNREAD);
        }
    }

    /** One bounded copy: {@link #left} counts down the characters still to copy. */
    private static final class Copy {
        private final List<Detector> detectors;
        private long left;

        Copy(int shownChars, List<Detector> detectors) {
            this.detectors = detectors;
            this.left = shownChars;
        }

        JsonNode of(JsonNode node) {
            if (node.isObject()) {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext() && left > 0; ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    left -= field.getKey().length() + 3;
                    String key = RecordedNames.of(field.getKey(), detectors);
                    // Two keys written as one marker stay two members: the second one's marker is numbered.
                    out.set(out.has(key) ? key + "#" + out.size() : key, of(field.getValue()));
                }
                return out;
            }
            if (node.isArray()) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                for (int i = 0; i < node.size() && left > 0; i++) {
                    left -= 1;
                    out.add(of(node.get(i)));
                }
                return out;
            }
            if (node.isTextual()) {
                return text(node.textValue());
            }
            if (node.isNumber()) {
                left -= node.asText().length();
                List<Finding> found = DocumentScan.scan(node, detectors);
                // A number is one value (its finding may be in its JavaScript reading): written whole as the marker.
                return found.isEmpty() ? node : TextNode.valueOf(DocumentScan.marker(found.get(0)));
            }
            left -= 5;
            return node;
        }

        private JsonNode text(String text) {
            long room = Math.max(0, left) + LOOKAHEAD_CHARS;
            boolean cut = text.length() > room;
            String read = cut ? cutAt(text, (int) room) : text;
            left -= read.length();
            List<Finding> found = DocumentScan.scan(TextNode.valueOf(read), detectors);
            String written = DocumentScan.redactSpans(read, found);
            if (!cut) {
                return TextNode.valueOf(written);
            }
            // Keep only what precedes the lookahead: a finding starting there may be one the cut made unrecognisable.
            int keep = read.length() - LOOKAHEAD_CHARS;
            List<Finding> before = new ArrayList<>(found.size());
            List<Finding> inOrder = new ArrayList<>(found);
            inOrder.sort(java.util.Comparator.comparingInt(Finding::start));
            for (Finding f : inOrder) {
                if (f.start() < keep) {
                    before.add(f);
                    keep = Math.max(keep, f.end()); // a finding begun before the lookahead is replaced whole
                }
            }
            return TextNode.valueOf(DocumentScan.redactSpans(cutAt(read, keep), before) + "...");
        }

        /** The first {@code n} characters, not splitting a surrogate pair. */
        private static String cutAt(String text, int n) {
            if (n >= text.length()) {
                return text;
            }
            return n > 0 && Character.isHighSurrogate(text.charAt(n - 1)) ? text.substring(0, n - 1) : text.substring(0, n);
        }
    }
}
