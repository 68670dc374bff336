package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.policy.detect.Detector;
import dev.tollgate.policy.detect.Detectors;
import dev.tollgate.policy.detect.DocumentScan;
import java.util.List;
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
 * What result policy's detectors cost per KiB of tool result (issue 21): each shipped detector alone and all five
 * together over a clean result of {@code kib} KiB (prose and JSON-ish text with numbers, paths and a hash, as tool
 * results hold; nothing matches, the common case), an ASCII versus a non-ASCII (normalized) result, and a result
 * built to trip every trigger (the worst case an upstream can make). Divide the
 * time by {@code kib} for the cost per KiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class DetectorBenchmark {

    @Param({"1", "16"})
    public int kib;

    @Param({"instruction_tags", "injection_phrases", "secrets", "pii", "exfiltration_urls", "all"})
    public String detector;

    /** ascii, unicode: ordinary results; tripped: every line trips every trigger without matching (the adversarial worst case). */
    @Param({"ascii", "unicode", "tripped"})
    public String text;

    private JsonNode result;
    private List<Detector> detectors;

    @Setup
    public void setUp() {
        String line = switch (text) {
            case "unicode" -> "Résumé of the Zürich office: 42 files in /srv/données, total 1 234 kB, checksum 9f86d081884c7d659a2feaa0c55ad015 — ok. ";
            case "tripped" -> "system user now key token pass ignore instruction prompt <| inst] sys>> @ :// akia eyj sk- xox _live_ aiza AB12 "
                    + "1234 5678 9012 3456 - ";
            default -> "Summary of the build: 42 files in /srv/data, total 1234 kB, checksum 9f86d081884c7d659a2feaa0c55ad015, see docs. ";
        };
        StringBuilder body = new StringBuilder();
        while (body.length() < kib * 1024) {
            body.append(line);
        }
        ObjectNode r = new ObjectMapper().createObjectNode();
        ArrayNode content = r.putArray("content");
        content.addObject().put("type", "text").put("text", body.substring(0, kib * 1024));
        result = r;
        List<Detector> all = List.of(Detectors.instructionTags(), Detectors.injectionPhrases(), Detectors.secrets(4.2),
                Detectors.pii(Detectors.PII_KINDS), Detectors.exfiltrationUrls(List.of("docs.example.com")));
        detectors = "all".equals(detector) ? all : all.stream().filter(d -> d.name().equals(detector)).toList();
    }

    /**
     * Scans a copy of the result (its strings shared): DocumentScan keeps the last document it flattened, with that
     * document's scan budget, for the rules of one decision to share. Scanning the same node again would measure neither
     * the flattening and normalizing every result costs, nor end: the tripped text spends the shared budget in about
     * sixty scans and is then refused.
     */
    @Benchmark
    public int scan() {
        return DocumentScan.scan(result.deepCopy(), detectors).size();
    }
}
