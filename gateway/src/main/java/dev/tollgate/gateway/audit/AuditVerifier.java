package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Recomputes the audit hash chain over files given in chain order and reports the first broken record. */
public final class AuditVerifier {

    /**
     * @param ok        true when every record checks out
     * @param records   records checked (up to the first broken one)
     * @param file      the file of the first broken record, else null
     * @param line      its 1-based line, else 0
     * @param reason    what is wrong with it, else null
     */
    public record Result(boolean ok, long records, Path file, long line, String reason) {

        @Override
        public String toString() {
            return ok ? "OK: " + records + " record(s), chain intact" : "BROKEN at " + file + ":" + line + ": " + reason
                    + " (" + records + " record(s) before it verified)";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    public static Result verify(List<Path> files) throws IOException {
        String previous = AuditChain.GENESIS;
        long records = 0;
        for (Path file : files) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    String content = AuditChain.content(line);
                    if (content == null) {
                        return new Result(false, records, file, number, "no well-formed hash at the end of the line");
                    }
                    String claimed = AuditChain.claimedHash(line);
                    if (!AuditChain.sha256(content).equals(claimed)) {
                        return new Result(false, records, file, number, "record content does not match its hash (edited)");
                    }
                    JsonNode record;
                    try {
                        record = JSON.readTree(content);
                    } catch (IOException e) {
                        return new Result(false, records, file, number, "not JSON");
                    }
                    if (!previous.equals(record.path("prev").asText())) {
                        return new Result(false, records, file, number, "prev does not name the previous record's hash (removed, reordered or inserted)");
                    }
                    previous = claimed;
                    records++;
                }
            }
        }
        return new Result(true, records, null, 0, null);
    }
}
