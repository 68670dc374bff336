package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.policy.check.CheckRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tollgate against AGT 5.0.0's own evaluator. {@code src/test/agt-differential/generate.py} ran AGT's
 * PolicyEvaluator on calls derived from every rule of AGT's example documents and of ours
 * ({@code resources/agt-differential/documents}) and recorded each decision in {@code golden/}; this test loads the
 * same documents through {@link PolicyLoader} and evaluates the same calls. Two checks:
 * <ol>
 *   <li>Tollgate never lets through a call AGT denies: no documented deviation excuses it, only an entry marked
 *       {@code bug:} (a defect to fix, counted apart in the summary the test prints);</li>
 *   <li>the decision (allow, audit or deny, and the deciding rule) is AGT's, except for the deviations listed in
 *       {@code deviations.yaml}, each tied to a row of policy/README.md's "Where Tollgate differs" table, or
 *       marked {@code bug:}. An entry no case needs any more fails the test, so the list only shrinks.</li>
 * </ol>
 * AGT's examples are read from {@code -Dtollgate.agt.examples}, as in {@link AgtExamplesTest}: missing, the test fails.
 */
class AgtDifferentialTest {

    private static final String RESOURCES = "/agt-differential/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The instant calls without {@code at} are evaluated at: generate.py's DEFAULT_TIME, AGT's dynamic_context timestamp. */
    private static final Instant TIME = Instant.parse("2026-11-23T10:00:00Z");
    private static final Path README = Path.of("README.md");
    private static final String README_TABLE = "### Where Tollgate differs from AGT 5.0.0";

    /** Golden files, by document name, in name order. */
    private static final Map<String, JsonNode> GOLDEN = golden();
    private static final Deviations DEVIATIONS = Deviations.read();
    /** Calls on which Tollgate decided exactly as AGT (for the summary). */
    private static final long[] AGREED = {0};

    @TestFactory
    Stream<DynamicTest> decidesEveryGoldenCaseAsAgtDoes() {
        return GOLDEN.values().stream().map(g -> DynamicTest.dynamicTest(g.get("document").asText(), () -> compare(g)));
    }

    @Test
    void everyListedDeviationIsStillNeededAndDocumented() throws IOException {
        // Run every document once more from zero, so the use counts are complete whatever order JUnit picked.
        DEVIATIONS.all().forEach(d -> {
            d.used = 0;
            d.allowedWhatAgtDenies = 0;
        });
        AGREED[0] = 0;
        List<String> problems = new ArrayList<>();
        for (JsonNode g : GOLDEN.values()) {
            try {
                compare(g);
            } catch (AssertionError e) {
                problems.add(g.get("document").asText());
            }
        }
        assertThat(problems).as("documents that disagree with AGT (see their own test)").isEmpty();
        long cases = GOLDEN.values().stream().mapToLong(g -> g.get("cases").size()).sum();
        long notCompared = GOLDEN.values().stream().filter(g -> DEVIATIONS.notLoaded(g.get("document").asText()) != null)
                .mapToLong(g -> g.get("cases").size()).sum();
        StringBuilder summary = new StringBuilder("AGT 5.0.0 differential: " + GOLDEN.size() + " documents, " + cases
                + " calls (" + notCompared + " in documents Tollgate does not load), " + AGREED[0] + " decided alike");
        DEVIATIONS.all().forEach(d -> summary.append("\n  ").append(d.bug != null ? "bug " : "").append(d.kind).append(' ')
                .append(d.name).append(": ").append(d.used)
                .append(d.allowedWhatAgtDenies > 0 ? " (" + d.allowedWhatAgtDenies + " allowed where AGT denies)" : ""));
        System.out.println(summary);
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int table = readme.indexOf(README_TABLE);
        assertThat(table).as("README section " + README_TABLE).isPositive();
        String tableText = readme.substring(table, readme.indexOf("\n## ", table));
        for (Deviation d : DEVIATIONS.all()) {
            assertThat(d.used).as("deviation '" + d.name + "' matches no golden case any more: remove it").isPositive();
            if (d.bug == null) {
                assertThat(d.readmeRow).as(d.name + ": a deviation that is no bug names its README row").isNotBlank();
                assertThat(tableText).as(d.name + ": readme_row must quote the README's table").contains(d.readmeRow);
            }
            assertThat(d.agt).as(d.name + ": agt").isNotBlank();
            assertThat(d.tollgate).as(d.name + ": tollgate").isNotBlank();
            assertThat(d.why).as(d.name + ": why").isNotBlank();
        }
    }

    @Test
    void goldenFilesCoverEveryAgtExampleAndOurDocuments() throws IOException {
        List<String> examples = AgtExamplesTest.documents().toList();
        assertThat(GOLDEN.values()).filteredOn(g -> "examples".equals(g.get("source").asText()))
                .extracting(g -> g.get("document").asText()).containsExactlyInAnyOrderElementsOf(examples);
        try (InputStream index = AgtDifferentialTest.class.getResourceAsStream(RESOURCES + "documents")) {
            List<String> ours = new String(index.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(n -> n.endsWith(".yaml") && !n.endsWith(".cases.yaml")).toList();
            assertThat(GOLDEN.values()).filteredOn(g -> "own".equals(g.get("source").asText()))
                    .extracting(g -> g.get("document").asText()).containsExactlyInAnyOrderElementsOf(ours);
        }
        long cases = GOLDEN.values().stream().mapToLong(g -> g.get("cases").size()).sum();
        assertThat(cases).isGreaterThan(3000);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void compare(JsonNode golden) throws IOException {
        String document = golden.get("document").asText();
        assertThat(sha256(bytes(document, golden.get("source").asText()))).as(document + " changed since its golden file was"
                + " generated: rerun src/test/agt-differential/generate.py (see policy/README.md)")
                .isEqualTo(golden.get("sha256").asText());
        boolean agtLoads = golden.get("agt_loads").asBoolean();
        CompiledPolicy policy;
        String refusal = null;
        try {
            policy = load(document, golden.get("source").asText());
        } catch (PolicyException e) {
            policy = null;
            refusal = e.getMessage();
        }
        Deviation notLoaded = DEVIATIONS.notLoaded(document);
        if (policy == null) {
            if (agtLoads) {
                assertThat(notLoaded).as(document + ": AGT 5.0.0 loads it, Tollgate refuses it and deviations.yaml does"
                        + " not list it under not_loaded:\n" + refusal).isNotNull();
                notLoaded.used++;
            }
            return;
        }
        assertThat(notLoaded).as(document + " loads now: remove it from not_loaded in deviations.yaml").isNull();
        if (!agtLoads) {
            Deviation listed = DEVIATIONS.loadedThoughAgtRefuses(document);
            assertThat(listed).as(document + ": AGT 5.0.0 refuses it (" + golden.path("agt_load_error").asText()
                    + "), Tollgate loads it and deviations.yaml does not list it under loaded_though_agt_refuses").isNotNull();
            listed.used++;
            return;
        }
        List<String> failures = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            if (toolCallCount(c.get("call").get("arguments")) < 0) {
                // tool_call_count null, a fraction, a string: AGT's host never counts so, and the gateway's count is no
                // argument (fix AV): no call can give Tollgate that context.
                continue;
            }
            String id = c.get("id").asText();
            JsonNode agt = c.get("agt");
            Decision decision = policy.evaluate(request(c.get("call")));
            String agtAction = normalize(agt.get("action").asText());
            String agtRule = agt.path("matched_rule").isTextual() ? agt.get("matched_rule").asText() : null;
            String ours = decision.action().name().toLowerCase(java.util.Locale.ROOT);
            String where = document + " " + id + " " + c.get("call") + ": AGT " + agtAction + " by " + agtRule
                    + (agt.has("error") ? " (" + agt.get("error").asText() + " at " + agt.path("error_rule").asText() + ")" : "")
                    + ", Tollgate " + ours + " by " + decision.ruleName() + " (" + decision.failure() + ")";
            // (a) never allow what AGT denies: no documented deviation excuses it, only a listed bug (to be fixed).
            if (!agt.get("allowed").asBoolean() && decision.allowsCall()) {
                Deviation bug = DEVIATIONS.covering(document, id, c.get("call"), agt, decision);
                if (bug == null || bug.bug == null) {
                    failures.add("ALLOWS WHAT AGT DENIES: " + where);
                } else {
                    bug.used++;
                    bug.allowedWhatAgtDenies++;
                }
                continue;
            }
            boolean agrees = !agt.has("error") && agtAction.equals(ours) && Objects.equals(agtRule, decision.ruleName())
                    && decision.failure() == Decision.Failure.NONE;
            if (agrees) {
                AGREED[0]++;
                continue;
            }
            Deviation d = DEVIATIONS.covering(document, id, c.get("call"), agt, decision);
            if (d == null) {
                failures.add("disagrees, not in deviations.yaml: " + where);
            } else {
                d.used++;
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + golden.get("cases").size() + " cases:\n" + String.join("\n",
                    failures.subList(0, Math.min(failures.size(), 40))));
        }
    }

    /** AGT's `block` is a deny. */
    private static String normalize(String agtAction) {
        return "block".equals(agtAction) ? "deny" : agtAction;
    }

    private static CompiledPolicy load(String document, String source) throws IOException, PolicyException {
        if ("examples".equals(source)) {
            return AgtExamplesTest.load(document);
        }
        return PolicyLoader.parse(new String(bytes(document, source), StandardCharsets.UTF_8), document, CheckRegistry.withDefaults());
    }

    private static byte[] bytes(String document, String source) throws IOException {
        if ("examples".equals(source)) {
            return Files.readAllBytes(AgtExamplesTest.examples().resolve(document));
        }
        try (InputStream in = AgtDifferentialTest.class.getResourceAsStream(RESOURCES + "documents/" + document)) {
            assertThat(in).as("our document " + document).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The call the golden case describes, as the gateway would hand it to policy. */
    static PolicyRequest request(JsonNode call) {
        String method = call.get("method").asText();
        String route = call.get("route").asText();
        JsonNode arguments = call.get("arguments");
        CallDescription description = "tools/call".equals(method)
                ? CallDescription.mcpToolCall(route, call.get("tool").asText(), arguments)
                : CallDescription.mcpRequest(route, method, arguments);
        // One call of a run within its defaults.max_tool_calls: AGT's evaluator decides single calls and counts nothing.
        // tool_call_count is the host's fact, which generate.py puts in AGT's context from the call's argument of that
        // name: here it is the gateway's count that the argument stands for (fix AV), 0 when there is none.
        return new PolicyRequest(description, identity(call.get("identity")), at(call.get("at")),
                new AssumedFacts(0, 0, false, toolCallCount(arguments)));
    }

    /** The count a call's {@code tool_call_count} argument stands for; -1 when it is no count a gateway keeps. */
    static long toolCallCount(JsonNode arguments) {
        JsonNode count = arguments == null ? null : arguments.get("tool_call_count");
        if (count == null) {
            return 0;
        }
        return count.isNumber() && count.canConvertToExactIntegral() && count.decimalValue().signum() >= 0
                && count.decimalValue().compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) <= 0 ? count.longValue() : -1;
    }

    /**
     * The instant AGT evaluated the call at (its dynamic_context timestamp, read as dynamic_conditions.py's
     * _coerce_timestamp does): epoch seconds, or ISO 8601 with Z or an offset; absent, generate.py's DEFAULT_TIME.
     */
    private static Instant at(JsonNode at) {
        if (at == null || at.isNull()) {
            return TIME;
        }
        if (at.isNumber()) {
            return Instant.ofEpochSecond(at.longValue());
        }
        return java.time.OffsetDateTime.parse(at.asText()).toInstant();
    }

    private static Identity identity(JsonNode id) {
        if (id == null || id.isNull()) {
            return Identity.ANONYMOUS;
        }
        List<String> capabilities = new ArrayList<>();
        id.path("capabilities").forEach(c -> capabilities.add(c.asText()));
        Map<String, Object> claims = new HashMap<>();
        id.path("claims").fields().forEachRemaining(e -> claims.put(e.getKey(), e.getValue()));
        return new Identity(text(id, "spiffe_id"), text(id, "tenant"), text(id, "agent"), text(id, "run"), text(id, "sub"),
                text(id, "parent"), text(id, "tree"), capabilities, claims);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static Map<String, JsonNode> golden() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try (InputStream index = AgtDifferentialTest.class.getResourceAsStream(RESOURCES + "golden")) {
            assertThat(index).as("golden files on the test classpath").isNotNull();
            List<String> names = new String(index.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(n -> n.endsWith(".json")).sorted().toList();
            for (String name : names) {
                try (InputStream in = AgtDifferentialTest.class.getResourceAsStream(RESOURCES + "golden/" + name)) {
                    JsonNode g = JSON.readTree(in);
                    out.put(g.get("document").asText(), g);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** One reviewed entry of deviations.yaml. */
    static final class Deviation {
        final String name;
        final String kind;
        final List<String> documents;
        final List<String> cases;
        final String agt;
        final String tollgate;
        final String why;
        final String readmeRow;
        final String bug;
        /** When set, the entry covers only calls whose JSON matches (e.g. values with non-ASCII digits). */
        final java.util.regex.Pattern callMatches;
        /** When set, the entry covers only cases where AGT's error matches (e.g. "not supported between"). */
        final java.util.regex.Pattern agtErrorMatches;
        int used;
        /** Of {@link #used}, the calls Tollgate lets through and AGT denies (only a bug can cover one). */
        int allowedWhatAgtDenies;

        Deviation(String section, JsonNode n) {
            name = n.path("name").asText(n.path("document").asText());
            kind = n.path("class").asText(section);
            documents = list(n.has("documents") ? n.get("documents") : n.get("document"));
            cases = list(n.get("cases"));
            agt = n.path("agt").asText();
            tollgate = n.path("tollgate").asText();
            why = n.path("why").asText();
            readmeRow = n.path("readme_row").asText(null);
            bug = n.hasNonNull("bug") ? n.get("bug").asText() : null;
            callMatches = n.hasNonNull("call_matches") ? java.util.regex.Pattern.compile(n.get("call_matches").asText()) : null;
            agtErrorMatches = n.hasNonNull("agt_error_matches")
                    ? java.util.regex.Pattern.compile(n.get("agt_error_matches").asText()) : null;
        }

        private static List<String> list(JsonNode n) {
            if (n == null || n.isNull()) {
                return List.of("*");
            }
            List<String> out = new ArrayList<>();
            if (n.isArray()) {
                n.forEach(v -> out.add(v.asText()));
            } else {
                out.add(n.asText());
            }
            return out;
        }

        boolean names(String document, String caseId, JsonNode call, JsonNode agt) {
            return documents.stream().anyMatch(p -> glob(p, document)) && cases.stream().anyMatch(p -> glob(p, caseId))
                    && (callMatches == null || callMatches.matcher(textOf(call)).find())
                    && (agtErrorMatches == null || agtErrorMatches.matcher(agt.path("error").asText()).find());
        }

        /** The call as JSON with its strings as they are (non-ASCII characters unescaped), for call_matches. */
        private static String textOf(JsonNode call) {
            try {
                return JSON.writeValueAsString(call);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Whether this entry explains AGT's and Tollgate's decisions on the case. */
        boolean explains(JsonNode agt, Decision ours) {
            return switch (kind) {
                // AGT raised (TypeError...) and denied the whole call; Tollgate's rule whose condition raised denies.
                case "agt_error" -> agt.has("error") && ours.isDenied()
                        && ours.failure() == Decision.Failure.CONDITION_ERROR
                        && Objects.equals(agt.path("error_rule").asText(null), ours.ruleName());
                // AGT decided; Tollgate could not evaluate a condition and its rule denied (fail closed).
                case "tollgate_fail_closed" -> !agt.has("error") && ours.isDenied()
                        && ours.failure() == Decision.Failure.CONDITION_ERROR;
                case "regex_input_too_long" -> ours.isDenied() && ours.failure() == Decision.Failure.REGEX_INPUT_TOO_LONG;
                // AGT decided on the value as Python compares it; a reading an upstream may act on decided otherwise.
                case "number_readings" -> ours.isDenied() && ours.failure() == Decision.Failure.NUMBER_READINGS_DISAGREE;
                // A listed case where both decide without error but differently (only with bug: or a README row).
                case "decision" -> true;
                default -> throw new IllegalStateException("deviations.yaml: unknown class " + kind + " in " + name);
            };
        }

        static boolean glob(String pattern, String text) {
            return text.matches(java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
        }
    }

    /** deviations.yaml: documents not loaded, documents loaded though AGT refuses them, and decision deviations. */
    record Deviations(List<Deviation> notLoaded, List<Deviation> loadedThoughAgtRefuses, List<Deviation> decisions) {

        static Deviations read() {
            try (InputStream in = AgtDifferentialTest.class.getResourceAsStream(RESOURCES + "deviations.yaml")) {
                assertThat(in).as("deviations.yaml").isNotNull();
                JsonNode root = YAML.readTree(in);
                return new Deviations(section(root, "not_loaded"), section(root, "loaded_though_agt_refuses"),
                        section(root, "deviations"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static List<Deviation> section(JsonNode root, String name) {
            List<Deviation> out = new ArrayList<>();
            root.path(name).forEach(n -> out.add(new Deviation(name, n)));
            return out;
        }

        List<Deviation> all() {
            List<Deviation> all = new ArrayList<>(notLoaded);
            all.addAll(loadedThoughAgtRefuses);
            all.addAll(decisions);
            return all;
        }

        Deviation notLoaded(String document) {
            return notLoaded.stream().filter(d -> d.documents.contains(document)).findFirst().orElse(null);
        }

        Deviation loadedThoughAgtRefuses(String document) {
            return loadedThoughAgtRefuses.stream().filter(d -> d.documents.contains(document)).findFirst().orElse(null);
        }

        Deviation covering(String document, String caseId, JsonNode call, JsonNode agt, Decision ours) {
            return decisions.stream().filter(d -> d.names(document, caseId, call, agt) && d.explains(agt, ours))
                    .findFirst().orElse(null);
        }
    }
}
