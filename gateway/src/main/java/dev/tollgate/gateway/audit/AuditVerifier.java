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
    static final String EDITED = "record content does not match its hash (edited; or the log was sealed with a key: verify with --key)";
    static final String EDITED_UNDER_KEY = "record content does not match its seal under this key (edited, or sealed with another key)";
    static final String UNKEYED_AFTER_KEYED = "sealed without the key after records sealed with it (rewritten by someone without the key)";
    static final String NOTHING_KEYED = "no record is sealed with this key (the log was sealed again without it, or with another key)";

    /**
     * @param ok        true when every record checks out
     * @param records   records checked (up to the first broken one)
     * @param file      the file of the first broken record, else null
     * @param line      its 1-based line, else 0
     * @param reason    what is wrong with it, else null
     * @param firstSeq  the seq of the first record that had one, else 0 (a legacy log)
     * @param lastSeq   the seq of the last verified record that had one, else 0
     * @param keyed     records verified under the operator's key; -1 when verified without a key
     */
    public record Result(boolean ok, long records, Path file, long line, String reason, long firstSeq, long lastSeq, long keyed) {

        @Override
        public String toString() {
            String seqs = lastSeq == 0 ? "" : ", seq " + firstSeq + ".." + lastSeq;
            String where = file == null ? "the end of the log" : file + ":" + line;
            return ok ? "OK: " + records + " record(s)" + seqs + ", chain intact" + sealing() : "BROKEN at " + where + ": " + reason
                    + " (" + records + " record(s) before it verified" + seqs + ")";
        }

        private String sealing() {
            if (keyed < 0) {
                return "";
            }
            return keyed == records ? ", every record sealed with the key"
                    : ", sealed with the key from record " + (records - keyed + 1) + " on (the " + (records - keyed)
                    + " before it were written before the key was set)";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    public static Result verify(List<Path> files) throws IOException {
        return verify(files, null);
    }

    /**
     * With the operator's key, every record must carry its HMAC seal, except a first run of records sealed plainly (the
     * log as it was before {@code audit.key-file} was set, bound to the keyed records by the first keyed record's
     * {@code prev}). A plainly sealed record after a keyed one, or a log with no keyed record, is a rewrite.
     *
     * @param key the key the gateway sealed with, or null to check a plain SHA-256 chain
     */
    public static Result verify(List<Path> files, AuditKey key) throws IOException {
        String previous = AuditChain.GENESIS;
        long records = 0;
        long keyed = key == null ? -1 : 0;
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
                        return broken(records, file, number, "no well-formed hash at the end of the line", firstSeq, lastSeq, keyed);
                    }
                    String claimed = AuditChain.claimedHash(line);
                    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                    if (key == null) {
                        if (!AuditChain.sha256(bytes).equals(claimed)) {
                            return broken(records, file, number, EDITED, firstSeq, lastSeq, keyed);
                        }
                    } else if (key.seal(bytes).equals(claimed)) {
                        keyed++;
                    } else if (!AuditChain.sha256(bytes).equals(claimed)) {
                        return broken(records, file, number, EDITED_UNDER_KEY, firstSeq, lastSeq, keyed);
                    } else if (keyed > 0) {
                        return broken(records, file, number, UNKEYED_AFTER_KEYED, firstSeq, lastSeq, keyed);
                    }
                    JsonNode record;
                    try {
                        record = JSON.readTree(content);
                    } catch (IOException e) {
                        return broken(records, file, number, "not JSON", firstSeq, lastSeq, keyed);
                    }
                    if (!previous.equals(record.path("prev").asText())) {
                        return broken(records, file, number, "prev does not name the previous record's hash (removed, reordered or inserted)",
                                firstSeq, lastSeq, keyed);
                    }
                    JsonNode seq = record.get("seq");
                    if (seq == null && lastSeq > 0) {
                        return broken(records, file, number, SEQ_MISSING, firstSeq, lastSeq, keyed);
                    }
                    if (seq != null) {
                        // Numbering starts at 1, also when a legacy log went on with seq.
                        if (!seq.canConvertToLong() || seq.asLong() != lastSeq + 1) {
                            return broken(records, file, number, GAP, firstSeq, lastSeq, keyed);
                        }
                        lastSeq = seq.asLong();
                        firstSeq = firstSeq == 0 ? lastSeq : firstSeq;
                    }
                    previous = claimed;
                    records++;
                }
            }
        }
        if (keyed == 0) {
            return broken(records, null, 0, NOTHING_KEYED, firstSeq, lastSeq, keyed);
        }
        return new Result(true, records, null, 0, null, firstSeq, lastSeq, keyed);
    }

    private static Result broken(long records, Path file, long line, String reason, long firstSeq, long lastSeq, long keyed) {
        return new Result(false, records, file, line, reason, firstSeq, lastSeq, keyed);
    }
}
