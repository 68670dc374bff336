package dev.tollgate.gateway.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Naming of the rotated audit files: {@code audit-000001.jsonl}, {@code audit-000002.jsonl}, ... in chain order. */
public final class AuditFiles {

    private static final Pattern NAME = Pattern.compile("audit-(\\d{6})\\.jsonl");

    private AuditFiles() {
    }

    public static Path file(Path directory, int sequence) {
        return directory.resolve(String.format("audit-%06d.jsonl", sequence));
    }

    /** The audit files in a directory, in chain order. */
    public static List<Path> inOrder(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> NAME.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
    }

    static int sequenceOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }
}
