package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Recomputes the audit hash chain over files given in chain order and reports the first broken record.
 * Records carry a {@code seq} (1, 2, 3 ...); a gap means records were removed, and the last seq tells a
 * log that stops early from a complete one when compared with {@code tollgate_audit_last_seq}. Records
 * without seq are from before it existed (legacy) and are checked by their hashes alone.
 */
public final class AuditVerifier {

    static final String GAP = "seq does not follow the previous record's (records removed)";
    static final String SEQ_MISSING = "no seq after records that had one (edited)";

    /**
     * @param ok        true when every record checks out
     * @param records   records checked (up to the first broken one)
     * @param file      the file of the first broken record, else null
     * @param line      its 1-based line, else 0
     * @param reason    what is wrong with it, else null
     * @param firstSeq  the seq of the first record that had one, else 0 (a legacy log)
     * @param lastSeq   the seq of the last verified record that had one, else 0
     */
    public record Result(boolean ok, long records, Path file, long line, String reason, long firstSeq, long lastSeq) {

        @Override
        public String toString() {
            String seqs = lastSeq == 0 ? "" : ", seq " + firstSeq + ".." + lastSeq;
            return ok ? "OK: " + records + " record(s)" + seqs + ", chain intact" : "BROKEN at " + file + ":" + line + ": " + reason
                    + " (" + records + " record(s) before it verified" + seqs + ")";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    public static Result verify(List<Path> files) throws IOException {
        String previous = AuditChain.GENESIS;
        long records = 0;
        long firstSeq = 0;
        long lastSeq = 0;
        for (Path file : files) {
            // Malformed UTF-8 is read as U+FFFD, so such a line fails its hash instead of aborting verification.
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                String line;
                long number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    String content = AuditChain.content(line);
                    if (content == null) {
                        return broken(records, file, number, "no well-formed hash at the end of the line", firstSeq, lastSeq);
                    }
                    String claimed = AuditChain.claimedHash(line);
                    if (!AuditChain.sha256(content).equals(claimed)) {
                        return broken(records, file, number, "record content does not match its hash (edited)", firstSeq, lastSeq);
                    }
                    JsonNode record;
                    try {
                        record = JSON.readTree(content);
                    } catch (IOException e) {
                        return broken(records, file, number, "not JSON", firstSeq, lastSeq);
                    }
                    if (!previous.equals(record.path("prev").asText())) {
                        return broken(records, file, number, "prev does not name the previous record's hash (removed, reordered or inserted)",
                                firstSeq, lastSeq);
                    }
                    JsonNode seq = record.get("seq");
                    if (seq == null && lastSeq > 0) {
                        return broken(records, file, number, SEQ_MISSING, firstSeq, lastSeq);
                    }
                    if (seq != null) {
                        // Numbering starts at 1, also when a legacy log went on with seq.
                        if (!seq.canConvertToLong() || seq.asLong() != lastSeq + 1) {
                            return broken(records, file, number, GAP, firstSeq, lastSeq);
                        }
                        lastSeq = seq.asLong();
                        firstSeq = firstSeq == 0 ? lastSeq : firstSeq;
                    }
                    previous = claimed;
                    records++;
                }
            }
        }
        return new Result(true, records, null, 0, null, firstSeq, lastSeq);
    }

    private static Result broken(long records, Path file, long line, String reason, long firstSeq, long lastSeq) {
        return new Result(false, records, file, line, reason, firstSeq, lastSeq);
    }
}
