package dev.tollgate.gateway.attacks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads the attacker's catalog ({@code src/test/resources/attacks/*.yaml}): one file per family, a list of cases. */
final class AttackCatalog {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * One case of a family, as written in its file.
     *
     * @param upstream the peer script the family's file names ({@code upstream:}), or null for the default
     */
    record Case(String family, String name, JsonNode spec, String upstream) {
        @Override
        public String toString() {
            return family + ": " + name;
        }
    }

    private AttackCatalog() {
    }

    static Path directory() {
        try {
            return Path.of(AttackCatalog.class.getResource("/attacks/policy.yaml").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String policy() throws IOException {
        return Files.readString(directory().resolve("policy.yaml"));
    }

    /** Every case of every file whose name starts with the prefix ("request-", "server-"). */
    static Stream<Case> cases(String filePrefix) {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory())) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(filePrefix) && f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode family = YAML.readTree(file.toFile());
                for (JsonNode c : family.path("cases")) {
                    cases.add(new Case(family.path("family").asText(file.getFileName().toString()), c.path("name").asText(), c,
                            family.path("upstream").asText(null)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("no attack cases in " + directory() + " for " + filePrefix);
        }
        return cases.stream();
    }
}
