package dev.tollgate.policy.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Runs detectors over every string of a JSON document (a tool result: text parts, structured content, resource
 * contents and links, embedded resources; an A2A artifact), reporting findings by JSON pointer, and redacts them in
 * place. Every string is read, not only the fields a client is known to show: a model may be given any of them.
 * Object keys are read too (a key can carry text as well as a value can). Base64 blobs are read as the strings they are,
 * and a blob of a text or JSON media type also as the text it decodes to (a client decodes it for the model).
 * Numbers are read as their digits: a card number sent as the JSON number {@code 4111111111111111} is a card number
 * to the model and the client that reads it; and also as a JavaScript client reads them (the nearest double, printed as
 * JavaScript prints it: {@code 4111111111111110.9} is 4111111111111111 there). Redacting one turns it into a string
 * holding the marker (the gateway denies such a result instead: the string breaks the number's type).
 */
public final class DocumentScan {

    /** What replaces a redacted span: the detector that found it, so the reader knows something was there. */
    public static String marker(Finding finding) {
        return "[REDACTED:" + finding.detector() + "]";
    }

    private DocumentScan() {
    }

    /** A string of the document, where it is, whether it is a key or a decoded blob, and how detectors read it. */
    /** @param readings every reading of the same string (this one among them), or null when it is read once */
    /**
     * @param references the string's character references decoded, when this reading is of the decoded text: its spans
     *                   are mapped back to the string as written (each reference whole), or null
     * @param linksOnly  read only by detectors that report links: the reading with only HTML tags and comments taken out
     */
    private record Text(String pointer, boolean key, boolean encoded, TextView view, List<TextView> readings,
                        CharacterReferences.Decoded references, boolean linksOnly) {
        Text(String pointer, boolean key, boolean encoded, TextView view) {
            this(pointer, key, encoded, view, null, null, false);
        }

        /**
         * Whether {@code detector} reads this reading: link detectors read the one with only tags and comments taken
         * out, and not the one with Markdown's marks taken out too (emphasis decides where a renderer's link ends);
         * every other detector reads every reading but the links' own.
         */
        boolean readBy(Detector detector) {
            boolean markupTakenOut = references != null && references.markupTakenOut();
            return linksOnly ? detector.reportsLinks() : !(markupTakenOut && detector.reportsLinks());
        }

        /** The finding of a span of this reading, at its place in the string as written. */
        Finding finding(String detector, String kind, int start, int end, String original) {
            String digest = digest(original.substring(start, end));
            if (references == null) {
                return new Finding(detector, kind, pointer, start, end, digest, key, encoded);
            }
            int from = references.from()[start];
            int to = end > start ? references.to()[end - 1] : from;
            return new Finding(detector, kind, pointer, from, to, digest, key, encoded);
        }
    }

    /**
     * Thrown when a string that says it is text (a blob whose media type is text or JSON) is not base64: the rule asking
     * fails closed. Not read as opaque bytes: clients decode leniently (Node's Buffer skips what is not base64, Python's
     * b64decode too), so a blob this strict decoder refuses may still reach a model as text, which would go unread.
     */
    public static final class Undecodable extends RuntimeException {
        Undecodable(String pointer) {
            super("the blob at " + pointer + " has a text media type but is not base64, so its text cannot be read; refused (fail closed)");
        }
    }

    /** Members holding base64 content: MCP {@code blob}, A2A 1.0 {@code raw}, A2A 0.3 {@code file.bytes}. */
    /** Base64 members: MCP's blob, A2A 1.0's raw, 0.3's bytes, and the 0.3 HTTP+JSON proto's fileWithBytes (either spelling). */
    private static final java.util.Set<String> ENCODED_MEMBERS = java.util.Set.of("blob", "raw", "bytes", "fileWithBytes", "file_with_bytes");

    /** A document's strings and the pattern-matching budget every scan of it shares (evaluation and findings alike). */
    private record Flattened(List<Text> texts, ScanBudget budget, boolean shared) {
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
        boolean twoReadings = false;
        for (Text text : flattened.texts()) {
            TextView view = text.view().within(flattened.budget());
            String original = view.original();
            if (view.readsSomethingApart()) {
                scanApart(view, text, detectors, findings);
                twoReadings = true;
                continue;
            }
            twoReadings |= view.compatibilityBesideAscii() || view.lookAlikeBesideAscii() || text.references() != null;
            for (Detector detector : detectors) {
                if (!text.readBy(detector)) {
                    continue;
                }
                detector.scan(view, (start, end, kind) -> findings.add(text.finding(detector.name(), kind, start, end, original)));
            }
        }
        // A span both readings of a string find is one finding.
        return twoReadings ? findings.stream().distinct().collect(java.util.stream.Collectors.toCollection(ArrayList::new)) : findings;
    }

    /**
     * A reading with characters read apart: a link that ends right where one was (its host cut there, {@code 1с.рф})
     * is not a finding of this reading when another reading sees the link start there and reads on past it.
     */
    private static void scanApart(TextView view, Text text, List<Detector> detectors, List<Finding> findings) {
        String original = view.original();
        for (Detector detector : detectors) {
            if (!text.readBy(detector)) {
                continue;
            }
            detector.scan(view, (start, end, kind) -> {
                // Cut where a character was read apart: left to another reading that sees the link start there and reads
                // on past that character (it reports the longer link itself); when none does, reported here.
                boolean cut = detector.reportsLinks() && view.readApartAt(end) && text.readings() != null
                        && text.readings().stream().anyMatch(other -> other != view && other.wordStartsAt(start) && !other.readApartAt(end));
                if (!cut) {
                    findings.add(text.finding(detector.name(), kind, start, end, original));
                }
            });
        }
    }

    /**
     * The budget every document scanned on this thread draws on while {@link #sharingOneBudget} runs; null otherwise
     * (each document has its own).
     */
    private static final ThreadLocal<ScanBudget> SHARED = new ThreadLocal<>();

    /**
     * Runs {@code scans} with every document it scans drawing on one budget of {@link ScanBudget#DEFAULT_CHARS}: the
     * entries of one list are decided one by one, and an upstream listing a thousand entries built to trip every
     * trigger must not get a thousand budgets. Past it, each later check fails closed as one document's would.
     */
    public static <T> T sharingOneBudget(java.util.function.Supplier<T> scans) {
        ScanBudget outer = SHARED.get();
        SHARED.set(outer != null ? outer : new ScanBudget(ScanBudget.DEFAULT_CHARS));
        try {
            return scans.get();
        } finally {
            SHARED.set(outer);
        }
    }

    private static Flattened flattened(JsonNode document) {
        Object[] last = LAST.get();
        ScanBudget shared = SHARED.get();
        // A document flattened under another budget (a list's shared one, or its own) is read again under this one.
        if (last[0] == document && (shared == null ? !((Flattened) last[1]).shared() : ((Flattened) last[1]).budget() == shared)) {
            return (Flattened) last[1];
        }
        List<Text> texts = new ArrayList<>();
        walk(document, "", texts);
        // One budget per document: every check of a decision and the findings scan draw on it (not one each).
        Flattened flattened = new Flattened(texts, shared != null ? shared : new ScanBudget(ScanBudget.DEFAULT_CHARS), shared != null);
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
            String digits = digitsOf(node);
            add(digits, pointer, false, out);
            String asJavaScript = javaScriptReading(node);
            if (asJavaScript != null && !asJavaScript.equals(digits)) {
                add(asJavaScript, pointer, false, out);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
                add(field.getKey(), child, true, out);
                walk(field.getValue(), child, out);
                if (field.getValue().isTextual() && ENCODED_MEMBERS.contains(field.getKey())) {
                    addDecoded(node, field.getValue().textValue(), child, out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, out);
            }
        }
    }

    /** Every integer of at most this magnitude is a double exactly, and JavaScript prints it as its digits. */
    private static final long EXACT_IN_DOUBLE = 1L << 53;

    /**
     * A number as a JavaScript client reads it (review BS): {@code JSON.parse} takes the double nearest the decimal, which
     * its caller (and a model given {@code JSON.stringify} of it) sees printed as JavaScript prints it. The fraction
     * {@code 4111111111111110.9} is the double 4111111111111111, a card number; so is an integer above 2^53 rounded.
     * Null when it is the exact reading for certain (an integer within 2^53) or no finite double.
     */
    private static String javaScriptReading(JsonNode number) {
        if (number.canConvertToLong() && number.isIntegralNumber() && Math.abs(number.longValue()) <= EXACT_IN_DOUBLE) {
            return null;
        }
        double d = number.doubleValue();
        return Double.isFinite(d) ? dev.tollgate.policy.condition.JavaScriptText.of(d) : null;
    }

    /** A number as the digits a reader sees: integers as written, decimals in plain notation (4.1E15 as 4100000000000000). */
    private static String digitsOf(JsonNode number) {
        if (!dev.tollgate.policy.condition.NumberReadings.isFinite(number)) {
            return number.asText(); // NaN, Infinity (FastMCP's pre-parsed JSON text): no BigDecimal holds them
        }
        return number.isIntegralNumber() ? number.bigIntegerValue().toString() : number.decimalValue().toPlainString();
    }

    private static void add(String text, String pointer, boolean key, List<Text> out) {
        if (!text.isEmpty()) {
            addReadings(text, pointer, key, false, out);
        }
    }

    /**
     * A string as detectors read it, and in the other {@link TextView.Reading}s it needs (a character that reads as
     * letters beside an ASCII word: a part of the word, or a thing apart, which removes the word boundary a pattern
     * anchors on): a finding in any reading counts. Most text needs one reading.
     */
    private static void addReadings(String text, String pointer, boolean key, boolean encoded, List<Text> out) {
        addReadings(text, pointer, key, encoded, null, false, out);
        // As a renderer and a model read it too: its HTML character references decoded (review BS: Ignore&nbsp;all&nbsp;previous,
        // AKIA&#73;OSFODNN7EXAMPLE). A finding there is reported at the references as written, so a redaction covers them.
        CharacterReferences.Decoded decoded = CharacterReferences.decodeForReading(text);
        if (decoded != null) {
            addReadings(decoded.text(), pointer, key, encoded, decoded, false, out);
        }
        // And with its markup taken out, as rendered (Ignore <b>all</b> previous, Ignore **all** previous): a finding there
        // covers the marks inside it.
        CharacterReferences.Decoded unmarked = MarkupReading.withoutMarkup(text);
        if (unmarked != null) {
            // Its references decoded too (Ignore&nbsp;<b>all</b>): what a renderer shows.
            CharacterReferences.Decoded references = CharacterReferences.decodeForReading(unmarked.text());
            addReadings(references == null ? unmarked.text() : references.text(), pointer, key, encoded,
                    (references == null ? unmarked : unmarked.then(references)).withEdges(text.length()), false, out);
        }
        // Links are read with only HTML tags and comments taken out (review CA): a renderer shows
        // https://docs.example.com<!-- -->.attacker.net/x as a link to attacker.net. Only where a tag or comment was
        // between two characters that are no space (else it can join no host); LinkRule decodes references itself.
        CharacterReferences.Decoded untagged = MarkupReading.withoutTags(text);
        if (untagged != null && joinsWords(untagged)) {
            addReadings(untagged.text(), pointer, key, encoded, untagged, true, out);
        }
        // And as a JSON reader reads it when it is JSON text ({"key":"AKIA\\u0049OSF..."}: a tool's structuredContent mirrored
        // as text, which clients JSON.parse; review BY): its escapes decoded, a finding covering them as written.
        CharacterReferences.Decoded unescaped = JsonEscapes.decode(text);
        if (unescaped != null) {
            addReadings(unescaped.text(), pointer, key, encoded, unescaped, false, out);
        }
    }

    /** Whether a mark was taken out of {@code reading} between two characters that are no space. */
    private static boolean joinsWords(CharacterReferences.Decoded reading) {
        String t = reading.text();
        for (int seam : reading.references()) {
            if (seam > 0 && seam < t.length() && !Character.isWhitespace(t.charAt(seam - 1)) && !Character.isWhitespace(t.charAt(seam))) {
                return true;
            }
        }
        return false;
    }

    private static void addReadings(String text, String pointer, boolean key, boolean encoded, CharacterReferences.Decoded references,
                                    boolean linksOnly, List<Text> out) {
        // A reading with markup taken out is a second reading of most of the string: read only where it reads otherwise
        // (around the marks taken out), so a Markdown page does not cost twice its scan budget (review CA).
        int[] seams = references != null && references.markupTakenOut() ? references.references() : null;
        TextView view = TextView.of(text).onlyAround(seams);
        if (!view.compatibilityBesideAscii() && !view.lookAlikeBesideAscii()) {
            out.add(new Text(pointer, key, encoded, view, null, references, linksOnly));
            return;
        }
        List<TextView> readings = new ArrayList<>(6);
        readings.add(view);
        if (view.compatibilityBesideAscii()) {
            readings.add(TextView.of(text, TextView.Reading.COMPATIBILITY_APART));
            readings.add(TextView.of(text, TextView.Reading.SYMBOLS_APART));
        }
        readings.add(TextView.of(text, TextView.Reading.LETTERS_APART));
        if (view.lookAlikeBesideAscii()) {
            readings.add(TextView.of(text, TextView.Reading.LEADING_LETTERS_APART));
            readings.add(TextView.of(text, TextView.Reading.TRAILING_LETTERS_APART));
        }
        for (TextView reading : readings) {
            reading.onlyAround(seams);
            out.add(new Text(pointer, key, encoded, reading, readings, references, linksOnly));
        }
    }

    /**
     * The text a base64 member decodes to, read like any string, when its object's {@code mimeType} (MCP, A2A 0.3) or
     * {@code mediaType} (A2A 1.0) says it is text ({@link #isText}: {@code text/*}, JSON, XML, YAML, scripts). Read in every
     * charset a client may decode it with ({@link #charsetsOf}): the label's as Java and as a browser's TextDecoder read it,
     * and UTF-8, which most client code uses whatever the label ({@code Buffer.from(blob, 'base64').toString()},
     * {@code b64decode(blob).decode()}). Bounded as every string is: the answer holding it is within
     * limits.max-scanned-result-bytes, and its pattern matching draws on the document's scan budget.
     */
    private static void addDecoded(JsonNode object, String base64, String pointer, List<Text> out) {
        // Either name may be what the client reads (MCP and A2A 0.3 say mimeType, A2A 1.0 mediaType): text if either says so.
        java.util.Set<java.nio.charset.Charset> charsets = new java.util.LinkedHashSet<>();
        boolean utf7Labelled = false;
        for (String member : MEDIA_TYPE_MEMBERS) {
            JsonNode mediaType = object.get(member);
            if (mediaType != null && mediaType.isTextual()) {
                List<java.nio.charset.Charset> read = charsetsOf(mediaType.textValue());
                charsets.addAll(read);
                utf7Labelled |= !read.isEmpty() && charsetLabels(mediaType.textValue()).stream().anyMatch(l -> l.equals("utf-7") || l.equals("utf7"));
            }
        }
        if (charsets.isEmpty() || base64.isEmpty()) {
            return;
        }
        byte[] bytes;
        try {
            // Line breaks and spaces are allowed (MIME-style wrapping; every client's decoder skips them), nothing else.
            bytes = java.util.Base64.getDecoder().decode(withoutSpaces(base64));
        } catch (IllegalArgumentException e) {
            throw new Undecodable(pointer);
        }
        java.util.Set<String> read = new java.util.HashSet<>();
        for (java.nio.charset.Charset charset : charsets) {
            String text = new String(bytes, charset);
            if (!text.isEmpty() && read.add(text)) {
                addReadings(text, pointer, false, true, out);
            }
        }
        if (utf7Labelled) {
            // Python decodes utf-7; Java has no such charset (Utf7).
            String text = Utf7.decode(bytes);
            if (!text.isEmpty() && read.add(text)) {
                addReadings(text, pointer, false, true, out);
            }
        }
    }

    /** Where a base64 member's object names its media type: MCP and A2A 0.3, A2A 1.0, the JavaScript SDK's and the 0.3 proto's spellings. */
    private static final List<String> MEDIA_TYPE_MEMBERS = List.of("mimeType", "mediaType", "media_type", "mime_type");

    /** The string without spaces, tabs and line breaks (itself when it has none, the usual case). */
    private static String withoutSpaces(String s) {
        StringBuilder out = null;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            boolean space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            if (space && out == null) {
                out = new StringBuilder(n).append(s, 0, i);
            } else if (!space && out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** Application types whose bytes are text a client may hand its model as such (source, markup, data). */
    private static final java.util.Set<String> TEXT_APPLICATION_TYPES = java.util.Set.of("application/json", "application/xml",
            "application/yaml", "application/x-yaml", "application/toml", "application/javascript", "application/x-javascript",
            "application/ecmascript", "application/sql", "application/graphql", "application/x-sh", "application/x-ndjson",
            "application/jsonl");

    /**
     * Whether a media type's essence is text: {@code text/*}, a known text application type, or a structured suffix of one
     * ({@code +json}, {@code +xml}, {@code +yaml}; review AB, noted: XML, YAML and JavaScript blobs went unread).
     */
    private static boolean isText(String essence) {
        return essence.startsWith("text/") || TEXT_APPLICATION_TYPES.contains(essence) || essence.endsWith("+json")
                || essence.endsWith("+xml") || essence.endsWith("+yaml");
    }

    /**
     * The charsets a client may decode a blob of this media type with ({@code text/plain; charset=utf-16}); empty when the
     * type is not text. Always UTF-8 (what most client code decodes with, label or not, and the fallback for an unknown
     * label); the label's charset as Java reads it; and as the WHATWG Encoding Standard (a browser's or Node's
     * TextDecoder) reads the label where the two differ: {@code utf-16} without a byte order mark is little-endian there
     * and big-endian in Java, and the Latin-1 and ASCII labels mean windows-1252.
     */
    static List<java.nio.charset.Charset> charsetsOf(String mediaType) {
        int semicolon = mediaType.indexOf(';');
        String essence = (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
        if (!isText(essence)) {
            return List.of();
        }
        java.util.Set<java.nio.charset.Charset> charsets = new java.util.LinkedHashSet<>();
        charsets.add(StandardCharsets.UTF_8);
        for (String label : charsetLabels(mediaType)) {
            try {
                charsets.add(java.nio.charset.Charset.forName(label));
            } catch (RuntimeException unknown) {
                // UTF-8, above: what a client falls back to
            }
            charsets.addAll(WHATWG_READINGS.getOrDefault(label, List.of()));
        }
        return List.copyOf(charsets);
    }

    /**
     * The values of every parameter named {@code charset} (by its name, not found inside another's: review CA,
     * {@code xcharset=x; charset=utf-16}), lower-cased and unquoted: each is a label some client may decode with.
     */
    static List<String> charsetLabels(String mediaType) {
        List<String> labels = new ArrayList<>(1);
        String[] parameters = mediaType.split(";");
        for (int i = 1; i < parameters.length; i++) {
            int eq = parameters[i].indexOf('=');
            if (eq > 0 && parameters[i].substring(0, eq).trim().equalsIgnoreCase("charset")) {
                labels.add(parameters[i].substring(eq + 1).trim().replace("\"", "").toLowerCase(java.util.Locale.ROOT));
            }
        }
        return labels;
    }

    /** Labels the WHATWG Encoding Standard decodes otherwise than Java's charset of the same name. */
    private static final Map<String, List<java.nio.charset.Charset>> WHATWG_READINGS = whatwgReadings();

    private static Map<String, List<java.nio.charset.Charset>> whatwgReadings() {
        Map<String, List<java.nio.charset.Charset>> readings = new java.util.HashMap<>();
        List<java.nio.charset.Charset> utf16 = List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE);
        // Without a byte order mark, Java reads UTF-32 big-endian and Python the machine's order (little-endian).
        List<java.nio.charset.Charset> utf32 = List.of(java.nio.charset.Charset.forName("UTF-32LE"), java.nio.charset.Charset.forName("UTF-32BE"));
        for (String label : List.of("utf-32", "utf32", "ucs-4", "u32")) {
            readings.put(label, utf32);
        }
        for (String label : List.of("utf-16", "utf16", "unicode", "ucs-2", "csunicode", "iso-10646-ucs-2", "unicodefeff")) {
            readings.put(label, utf16);
        }
        List<java.nio.charset.Charset> windows1252 = List.of(java.nio.charset.Charset.forName("windows-1252"));
        for (String label : List.of("iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "ascii", "us-ascii", "iso-ir-100",
                "cp819", "ibm819", "csisolatin1", "iso_8859-1:1987", "ansi_x3.4-1968", "x-cp1252", "cp1252")) {
            readings.put(label, windows1252);
        }
        return Map.copyOf(readings);
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
            if (!f.inKey() && !f.encoded()) {
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
            // A number is one value, and its finding may be in its JavaScript reading, whose spans are not its digits': it goes whole.
            String redacted = value.isTextual() ? redactSpans(value.textValue(), entry.getValue()) : marker(entry.getValue().get(0));
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

    /** The digest a finding of this text records: see {@link FindingDigest}. */
    static String digest(String match) {
        return FindingDigest.of(match);
    }
}
