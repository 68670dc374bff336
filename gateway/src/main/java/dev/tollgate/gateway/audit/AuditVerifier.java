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
    static final String EDITED_UNDER_KEYS = "record content does not match its seal under any of the keys (edited, or sealed with another key)";
    static final String UNKEYED_AFTER_KEYED = "sealed without the key after records sealed with it (rewritten by someone without the key)";
    static final String NOTHING_KEYED = "no record is sealed with this key (the log was sealed again without it, or with another key)";
    static final String ANCHOR_MISMATCH = "the record at an --anchor seq does not carry the anchored hash (rewritten, or removed and "
            + "written again, since the anchor was taken)";
    static final String ANCHOR_NOT_REACHED = "the log ends before an --anchor (records removed since it was taken: anchor seq ";
    static final String RETIRED_KEY_AFTER_NEWER = "sealed with an older key after records sealed with a newer one (rewritten by "
            + "someone holding a retired key)";
    static final String NEWEST_KEY_UNUSED = "the log ends with records sealed with an older key, not the newest --key (the records "
            + "sealed after the rotation were removed; if the newest key has sealed nothing yet, verify without it)";

    /**
     * @param ok        true when every record checks out
     * @param records   records checked (up to the first broken one)
     * @param file      the file of the first broken record, else null
     * @param line      its 1-based line, else 0
     * @param reason    what is wrong with it, else null
     * @param firstSeq  the seq of the first record that had one, else 0 (a legacy log)
     * @param lastSeq   the seq of the last verified record that had one, else 0
     * @param keyed     records verified under the operator's key (or keys); -1 when verified without a key
     * @param keys      how many keys the log was verified with (one per rotation, oldest first)
     */
    public record Result(boolean ok, long records, Path file, long line, String reason, long firstSeq, long lastSeq, long keyed, int keys) {

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
            String theKey = keys > 1 ? "the keys, oldest first," : "the key";
            return keyed == records ? ", every record sealed with " + theKey
                    : ", sealed with " + theKey + " from record " + (records - keyed + 1) + " on (the " + (records - keyed)
                    + " before it were written before a key was set)";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    public static Result verify(List<Path> files) throws IOException {
        return verify(files, List.of());
    }

    /**
     * With the operator's key, every record must carry its HMAC seal, except a first run of records sealed plainly (the
     * log as it was before {@code audit.key-file} was set, bound to the keyed records by the first keyed record's
     * {@code prev}). A plainly sealed record after a keyed one, or a log with no keyed record, is a rewrite.
     *
     * @param key the key the gateway sealed with, or null to check a plain SHA-256 chain
     */
    public static Result verify(List<Path> files, AuditKey key) throws IOException {
        return verify(files, key == null ? List.of() : List.of(key));
    }

    /**
     * With the keys the gateway has sealed with over time, oldest first ({@code audit.key-file} rotated at restarts): each
     * record must be sealed with the key of its time, and the keys in order, as {@link #verify(List, AuditKey)} requires of
     * one. A record sealed with an older key after one sealed with a newer key is a rewrite (a retired key may have leaked;
     * only the newest is secret), and so is a log whose last record is not sealed with the newest key (every record after the
     * rotation cut off, the rest sealed again with a retired key). A key may have sealed nothing between its neighbours.
     *
     * @param keys oldest first; empty to check a plain SHA-256 chain
     */
    public static Result verify(List<Path> files, List<AuditKey> keys) throws IOException {
        return verify(files, keys, java.util.Map.of());
    }

    /**
     * As {@link #verify(List, List)}, and the record numbered with each anchor's seq must carry the anchor's hash: a chain
     * end taken off the host (the gateway logs one at every close) shows records up to it removed or sealed again since,
     * which a chain alone cannot while the files' writer holds a key that sealed them (a retired one) or the gateway
     * resumes from a cut tail (review AH).
     *
     * @param anchors seq to the hash the record with that seq had when the anchor was taken
     */
    public static Result verify(List<Path> files, List<AuditKey> keys, java.util.Map<Long, String> anchors) throws IOException {
        String previous = AuditChain.GENESIS;
        long records = 0;
        long keyed = keys.isEmpty() ? -1 : 0;
        int current = -1; // the key of the last keyed record, an index into keys
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
                    if (keys.isEmpty()) {
                        if (!AuditChain.sha256(bytes).equals(claimed)) {
                            return broken(records, file, number, EDITED, firstSeq, lastSeq, keyed);
                        }
                    } else {
                        int sealedWith = sealedWith(keys, bytes, claimed);
                        if (sealedWith >= 0 && sealedWith < current) {
                            return broken(records, file, number, RETIRED_KEY_AFTER_NEWER, firstSeq, lastSeq, keyed);
                        } else if (sealedWith >= 0) {
                            current = sealedWith;
                            keyed++;
                        } else if (!AuditChain.sha256(bytes).equals(claimed)) {
                            return broken(records, file, number, keys.size() == 1 ? EDITED_UNDER_KEY : EDITED_UNDER_KEYS, firstSeq, lastSeq, keyed);
                        } else if (keyed > 0) {
                            return broken(records, file, number, UNKEYED_AFTER_KEYED, firstSeq, lastSeq, keyed);
                        }
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
                        String anchored = anchors.get(lastSeq);
                        if (anchored != null && !anchored.equalsIgnoreCase(claimed)) {
                            return broken(records, file, number, ANCHOR_MISMATCH, firstSeq, lastSeq - 1, keyed);
                        }
                    }
                    previous = claimed;
                    records++;
                }
            }
        }
        if (keyed == 0) {
            return broken(records, null, 0, NOTHING_KEYED, firstSeq, lastSeq, keyed);
        }
        long furthest = anchors.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        if (furthest > lastSeq) {
            return broken(records, null, 0, ANCHOR_NOT_REACHED + furthest + ")", firstSeq, lastSeq, keyed);
        }
        if (keyed > 0 && current != keys.size() - 1) {
            return broken(records, null, 0, NEWEST_KEY_UNUSED, firstSeq, lastSeq, keyed);
        }
        return new Result(true, records, null, 0, null, firstSeq, lastSeq, keyed, keys.size());
    }

    /** The index of the key the line was sealed with, or -1 when none of them sealed it. */
    private static int sealedWith(List<AuditKey> keys, byte[] content, String claimed) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).seal(content).equals(claimed)) {
                return i;
            }
        }
        return -1;
    }

    private static Result broken(long records, Path file, long line, String reason, long firstSeq, long lastSeq, long keyed) {
        return new Result(false, records, file, line, reason, firstSeq, lastSeq, keyed, 0);
    }
}
