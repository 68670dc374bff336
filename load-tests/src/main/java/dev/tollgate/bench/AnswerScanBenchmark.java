package dev.tollgate.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.mcp.PlainResultScan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What reading the load harness's call and its 1 KiB answer costs per call: the request parsed as a tree, the answer
 * scanned without one ({@link PlainResultScan}), and a bare Jackson token walk of the answer (the floor under the scan).
 * A CPU profile put ~1.7 µs per call in the parsers' {@code close}; Jackson's recycler pools were compared here and
 * changed nothing measurable for the gateway's parser (2026-12-06), so only the default pool's walk is kept.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AnswerScanBenchmark {

    private static final byte[] REQUEST = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            + "\"arguments\":{\"text\":\"hello\"}}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANSWER = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
            + "x".repeat(940) + "\"}],\"isError\":false}}").getBytes(StandardCharsets.UTF_8);

    private final StrictJsonParser json = new StrictJsonParser();
    private final PlainResultScan scan = new PlainResultScan(json, Set.of("tools"), Set.of("inputRequests"));
    private final JsonFactory plainFactory = new JsonFactory();

    @Benchmark
    public JsonNode requestTree() throws Exception {
        return json.parse(REQUEST);
    }

    @Benchmark
    public boolean answerScan() {
        return scan.isPlainResult(ANSWER, IntNode.valueOf(1));
    }

    @Benchmark
    public int answerTokens() throws IOException {
        int tokens = 0;
        try (JsonParser p = plainFactory.createParser(ANSWER)) {
            while (p.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }
}
