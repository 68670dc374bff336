package dev.tollgate.policy.detect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.check.CompiledCheck;
import dev.tollgate.policy.check.PolicyCheck;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A detector as a policy check: {@code check: {name: secrets}} holds when the detector finds anything in the call's
 * document (a result's content on a {@code direction: result} rule; the arguments on a request rule). The compiled
 * check keeps its detector, so the gateway can ask a matched rule for its findings (audit) and spans (redaction).
 */
public final class DetectorCheck implements PolicyCheck {

    private final String name;
    private final Function<JsonNode, Detector> factory;

    private DetectorCheck(String name, Function<JsonNode, Detector> factory) {
        this.name = name;
        this.factory = factory;
    }

    /** The compiled form: tests a request, and names the detector it tests with. */
    public record Compiled(Detector detector) implements CompiledCheck {
        @Override
        public boolean test(dev.tollgate.policy.PolicyRequest request) {
            JsonNode document = request.call().arguments();
            return document != null && DocumentScan.anyMatch(document, List.of(detector));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompiledCheck compile(JsonNode args) {
        return new Compiled(factory.apply(args));
    }

    /** The shipped detectors as checks. */
    public static List<PolicyCheck> shipped() {
        return List.of(
                new DetectorCheck("instruction_tags", args -> {
                    noArgs("instruction_tags", args);
                    return Detectors.instructionTags();
                }),
                new DetectorCheck("injection_phrases", args -> {
                    noArgs("injection_phrases", args);
                    return Detectors.injectionPhrases();
                }),
                new DetectorCheck("secrets", args -> {
                    double entropy = 4.2;
                    if (args != null && args.has("entropy")) {
                        if (!args.get("entropy").isNumber() || args.get("entropy").doubleValue() < 0 || args.get("entropy").doubleValue() > 8) {
                            throw new IllegalArgumentException("secrets: entropy is bits per character between 0 (off) and 8, e.g. 4.2");
                        }
                        entropy = args.get("entropy").doubleValue();
                    }
                    only("secrets", args, Set.of("entropy"));
                    return Detectors.secrets(entropy);
                }),
                new DetectorCheck("pii", args -> {
                    only("pii", args, Set.of("kinds"));
                    Set<String> kinds = new HashSet<>(Detectors.PII_KINDS);
                    if (args != null && args.has("kinds")) {
                        kinds.clear();
                        for (JsonNode k : args.get("kinds")) {
                            if (!Detectors.PII_KINDS.contains(k.asText())) {
                                throw new IllegalArgumentException("pii: unknown kind '" + k.asText() + "' (kinds: " + Detectors.PII_KINDS + ")");
                            }
                            kinds.add(k.asText());
                        }
                    }
                    return Detectors.pii(kinds);
                }),
                new DetectorCheck("exfiltration_urls", args -> {
                    only("exfiltration_urls", args, Set.of("allow"));
                    List<String> allowed = new ArrayList<>();
                    if (args != null && args.has("allow")) {
                        args.get("allow").forEach(h -> allowed.add(h.asText()));
                    }
                    return Detectors.exfiltrationUrls(allowed);
                }));
    }

    private static void noArgs(String check, JsonNode args) {
        only(check, args, Set.of());
    }

    private static void only(String check, JsonNode args, Set<String> known) {
        if (args == null || args.isNull()) {
            return;
        }
        if (!args.isObject()) {
            throw new IllegalArgumentException(check + ": args is a mapping");
        }
        args.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                throw new IllegalArgumentException(check + ": unknown argument '" + f + "'" + (known.isEmpty() ? " (it takes none)" : " (known: " + known + ")"));
            }
        });
    }
}
