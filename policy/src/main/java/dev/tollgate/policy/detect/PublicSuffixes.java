package dev.tollgate.policy.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The Public Suffix List's two-label suffixes ({@code com.co}, {@code de.com}): names under them are anyone's to
 * register. Read once from {@code public-suffixes-two-labels.txt}, a resource derived from the list (see its header).
 */
final class PublicSuffixes {

    private static final Set<String> TWO_LABELS = load();

    private PublicSuffixes() {
    }

    /** Whether {@code suffix} (lower case, two labels) is a public suffix. */
    static boolean isTwoLabelSuffix(String suffix) {
        return TWO_LABELS.contains(suffix);
    }

    private static Set<String> load() {
        Set<String> suffixes = new HashSet<>();
        try (var in = PublicSuffixes.class.getResourceAsStream("public-suffixes-two-labels.txt");
                var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    suffixes.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(suffixes);
    }
}
