package dev.tollgate.policy.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The Public Suffix List's two-label suffixes ({@code com.co}, {@code de.com}), names under which are anyone's to
 * register, and its top-level domains. Read once from {@code public-suffixes-two-labels.txt}, a resource derived from
 * the list (see its header).
 */
final class PublicSuffixes {

    private static final Set<String> TWO_LABELS = load(false);
    private static final Set<String> TOP_LEVEL = load(true);

    private PublicSuffixes() {
    }

    /** Whether {@code suffix} (lower case, two labels) is a public suffix. */
    static boolean isTwoLabelSuffix(String suffix) {
        return TWO_LABELS.contains(suffix) || TWO_LABELS.contains("*" + suffix.substring(suffix.indexOf('.')));
    }

    /** Whether {@code label} (lower case) is a top-level domain ({@code company}, {@code computer}). */
    static boolean isTopLevel(String label) {
        return TOP_LEVEL.contains(label);
    }

    private static Set<String> load(boolean topLevel) {
        Set<String> suffixes = new HashSet<>();
        try (var in = PublicSuffixes.class.getResourceAsStream("public-suffixes-two-labels.txt");
                var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank() && !line.startsWith("#") && line.startsWith("=") == topLevel) {
                    suffixes.add(line.strip().substring(topLevel ? 1 : 0));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(suffixes);
    }
}
