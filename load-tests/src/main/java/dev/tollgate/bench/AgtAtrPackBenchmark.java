package dev.tollgate.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.BenignText;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.check.CheckRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * One decision of AGT's ATR community pack (1,555 regular expressions over {@code user_input},
 * {@code tool_description} and {@code tool_response}; the two pack files in AGT's examples are identical), as
 * AGT users bring it, on a benign 1 KiB argument: seeded prose or JSON ({@link BenignText}, the same inputs the
 * policy tests decide), given as {@code user_input}, the field 1,191 of the patterns read. AGT 4.1.0 itself
 * takes about 255 ms for such a decision.
 *
 * <p>The pack is read from {@code -Dtollgate.agt.examples} (default {@code /work/shared/agt-examples}), never
 * copied into the project. SampleTime mode, so p50/p99/max per decision are in the output; {@code engine}
 * compares the literal prefilter with every pattern running, in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class AgtAtrPackBenchmark {

    /** Seeded benign arguments: prose (a request to an agent) and JSON (a tool result). */
    @Param({"PROSE", "JSON"})
    String input;

    /**
     * {@code unfiltered}: every pattern runs (the baseline, as before the prefilter); {@code prefiltered}: the
     * document's literal prefilter rules out the patterns none of whose literals occur. Same run, same input.
     */
    @Param({"unfiltered", "prefiltered"})
    String engine;

    private CompiledPolicy policy;
    private PolicyRequest request;

    @Setup
    public void setUp() throws Exception {
        Path examples = Path.of(System.getProperty("tollgate.agt.examples", "/work/shared/agt-examples"));
        Path pack;
        try (Stream<Path> files = Files.list(examples)) {
            List<Path> packs = files.filter(f -> f.getFileName().toString().contains("atr")).sorted().toList();
            if (packs.isEmpty()) {
                throw new IllegalStateException("no ATR pack (file name containing 'atr') in " + examples);
            }
            pack = packs.get(0);
        }
        CompiledPolicy loaded = PolicyLoader.parse(Files.readString(pack, StandardCharsets.UTF_8), pack.toString(), CheckRegistry.withDefaults());
        policy = "unfiltered".equals(engine) ? loaded.withoutPrefilter() : loaded;
        String text = "PROSE".equals(input) ? BenignText.prose(1_024, 1) : BenignText.json(1_024, 3);
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("user_input", text);
        request = new PolicyRequest(CallDescription.mcpToolCall("bench", "chat", args),
                new Identity(null, "acme", "a", "r", "u", null, null, List.of(), Map.of()), Instant.parse("2026-11-23T10:00:00Z"));
        Decision decision = policy.evaluate(request);
        if (decision.ruleName() != null || decision.failure() != Decision.Failure.NONE) {
            throw new IllegalStateException("the benign argument must pass the whole pack: " + decision);
        }
    }

    @Benchmark
    public Decision decide() {
        return policy.evaluate(request);
    }
}
