package dev.tollgate.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.condition.LinearRegex;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one {@code matches} condition costs on the event loop at its worst: a policy of one rule
 * {@code arg: {path: /x, matches: <shape>}}, evaluated on an argument of {@code chars} characters that
 * keeps every state of the pattern alive. {@code LIMIT} is the most that pattern may scan
 * ({@link LinearRegex#maxInputChars()}); the figure there is the worst any caller can make it cost.
 * {@link JavaBaseline} runs java.util.regex on the same input for the shapes it can finish: on ATTACK
 * (the reported attack) and NESTED it cannot (backtracking; one ATTACK call on 3,000 digits took 223 s,
 * measured outside JMH).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RegexConditionBenchmark {

    /** Patterns and the text that is worst for each. */
    public enum Shape {
        /** The attack: nested quantifiers, exponential-to-polynomial backtracking in java.util.regex. */
        ATTACK("(\\d+)*\\.?(\\d+)*x", "1"),
        /** Overlapping alternation under a star: every split of the a's is a live path. */
        NESTED("(a|aa)*b", "a"),
        /** A wide counted repetition: 103 instructions, each alive at every position. */
        WIDE(".{100}x", "a"),
        /** A realistic deny rule on text full of near-misses. */
        SHELL("(?i)\\brm\\s+-[a-z]*[rf]", "rm ");

        final String regex;
        final String unit;

        Shape(String regex, String unit) {
            this.regex = regex;
            this.unit = unit;
        }

        String text(int chars) {
            return unit.repeat(chars / unit.length() + 1).substring(0, chars);
        }
    }

    @Param({"ATTACK", "NESTED", "WIDE", "SHELL"})
    Shape shape;

    /** A length, or LIMIT for the most this pattern may scan. */
    @Param({"3000", "LIMIT"})
    String chars;

    private CompiledPolicy policy;
    private PolicyRequest request;

    @Setup
    public void setUp() throws Exception {
        String yaml = "name: bench\ndefaults: {action: allow}\nrules:\n  - name: r\n    condition: {arg: {path: /x, matches: '"
                + shape.regex + "'}}\n    action: deny\n";
        policy = PolicyLoader.parse(yaml, "bench.yaml", CheckRegistry.withDefaults());
        int n = "LIMIT".equals(chars) ? LinearRegex.compile(shape.regex).maxInputChars() : Integer.parseInt(chars);
        var args = JsonNodeFactory.instance.objectNode().put("x", shape.text(n));
        request = new PolicyRequest(CallDescription.mcpToolCall("bench", "t", args),
                new Identity(null, "acme", "a", "r", "u", null, null, List.of(), Map.of()), Instant.parse("2026-11-23T10:00:00Z"));
        // Over a pattern's limit (WIDE at 3000) the figure is the cost of refusing, not of scanning.
        Decision decision = policy.evaluate(request);
        if ("LIMIT".equals(chars) && decision.failure() != Decision.Failure.NONE) {
            throw new IllegalStateException("at its limit the input must be scanned, not refused: " + decision);
        }
    }

    @Benchmark
    public Decision re2j() {
        return policy.evaluate(request);
    }

    /** java.util.regex on the same pattern and text, where it finishes at all. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    @Fork(1)
    public static class JavaBaseline {

        @Param({"WIDE", "SHELL"})
        Shape shape;

        @Param({"3000", "LIMIT"})
        String chars;

        private java.util.regex.Pattern pattern;
        private String text;

        @Setup
        public void setUp() {
            pattern = java.util.regex.Pattern.compile(shape.regex);
            text = shape.text("LIMIT".equals(chars) ? LinearRegex.compile(shape.regex).maxInputChars() : Integer.parseInt(chars));
        }

        @Benchmark
        public boolean javaUtilRegex() {
            return pattern.matcher(text).find();
        }
    }
}
