package dev.tollgate.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The outcome of one {@code conformance server -o DIR} run, read from {@code DIR/server-<scenario>-<timestamp>/checks.json}.
 * A scenario passes when it recorded at least one check and none has status {@code FAILURE}
 * (WARNING and INFO do not fail a scenario, as in the suite's own summary).
 */
record ConformanceResults(Map<String, Scenario> scenarios) {

    private static final Pattern SCENARIO_DIR = Pattern.compile("^server-(.+)-\\d{4}-\\d{2}-\\d{2}T[0-9-]+Z$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One scenario: counts by status and the failure messages (check id: message). */
    record Scenario(String name, int checks, int successes, int warnings, int failures, List<String> failureMessages) {
        /** No FAILURE among a non-empty list of checks: the suite's own summary marks exactly these with a tick. */
        boolean passed() {
            return checks > 0 && failures == 0;
        }
    }

    static ConformanceResults read(Path outputDir) throws IOException {
        Map<String, Scenario> scenarios = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(outputDir)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Matcher m = SCENARIO_DIR.matcher(dir.getFileName().toString());
                Path checksFile = dir.resolve("checks.json");
                if (!m.matches() || !Files.exists(checksFile)) {
                    continue;
                }
                int checks = 0;
                int successes = 0;
                int warnings = 0;
                int failures = 0;
                List<String> messages = new ArrayList<>();
                for (JsonNode check : JSON.readTree(checksFile.toFile())) {
                    checks++;
                    switch (check.path("status").asText()) {
                        case "SUCCESS" -> successes++;
                        case "WARNING" -> warnings++;
                        case "FAILURE" -> {
                            failures++;
                            messages.add(check.path("id").asText() + ": " + check.path("errorMessage").asText());
                        }
                        default -> {
                            // INFO and SKIPPED entries are traces, not verdicts
                        }
                    }
                }
                scenarios.put(m.group(1), new Scenario(m.group(1), checks, successes, warnings, failures, List.copyOf(messages)));
            }
        }
        return new ConformanceResults(Collections.unmodifiableMap(scenarios));
    }

    long passedCount() {
        return scenarios.values().stream().filter(Scenario::passed).count();
    }

    boolean passed(String scenario) {
        Scenario s = scenarios.get(scenario);
        return s != null && s.passed();
    }

    String totals() {
        return passedCount() + "/" + scenarios.size();
    }
}
