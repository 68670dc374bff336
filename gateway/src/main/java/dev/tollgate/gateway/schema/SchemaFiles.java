package dev.tollgate.gateway.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The committed schema files (schemas/), rendered the same way by {@code tollgate schema} and by the test comparing them. */
public final class SchemaFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SchemaFiles() {
    }

    public static List<GeneratedSchema> all() {
        return List.of(ConfigSchema.generate(), PolicySchema.generate());
    }

    /** File name to content: pretty-printed, properties in a fixed order, one trailing newline. */
    public static Map<String, String> render() {
        Map<String, String> files = new LinkedHashMap<>();
        for (GeneratedSchema schema : all()) {
            try {
                files.put(schema.fileName(), JSON.writeValueAsString(schema.checked()) + "\n");
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** @return the files written */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new java.util.ArrayList<>();
        for (Map.Entry<String, String> file : render().entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
            written.add(target);
        }
        return written;
    }
}
