package dev.tollgate.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.detect.FindingDigest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code tollgate replay} makes of each record's {@code args_digest} beside its {@code arguments}: whether the
 * arguments it replays are the ones the gateway digested. A record's digest is {@code hmac-sha256:} and the HMAC-SHA256
 * of the canonical redacted arguments under the digest key (fix AU; the finding digests' key: {@code
 * audit.digest-key-file}, else {@code audit.key-file}), so only the key's holder can compute it again ({@code --key}); a
 * record written before carries 64 hex digits of a plain SHA-256, which anyone can. Without the key, the keyed records
 * are counted and said to be unchecked, never passed over in silence.
 */
public final class ArgumentsDigests {

    /** What a keyed {@code args_digest} starts with; an unkeyed one (written before fix AU) is 64 hex digits alone. */
    static final String KEYED = FindingDigest.PREFIX;
    private static final int EXAMPLES = 3;

    /** A record whose arguments are not those its digest was made of. */
    public record Mismatch(String file, long line, String call) {
    }

    /**
     * @param checked    records whose arguments were compared with their digest
     * @param unchecked  records with a keyed digest and arguments, not compared: no key was given
     * @param mismatched records whose arguments are not what their digest says (edited since, or digested under another key)
     * @param examples   the first of them
     * @param keyed      whether a key was given
     */
    public record Tally(long checked, long unchecked, long mismatched, List<Mismatch> examples, boolean keyed) {

        static final Tally NONE = new Tally(0, 0, 0, List.of(), false);

        /** The report's lines about the digests; empty when there is nothing to say. */
        String render() {
            StringBuilder sb = new StringBuilder();
            if (unchecked > 0) {
                sb.append("note: ").append(unchecked).append(" record(s) carry a keyed args_digest (").append(KEYED)
                        .append("...) that was not checked against their arguments: no key given (--key, the gateway's")
                        .append(" audit.digest-key-file, else its audit.key-file)\n");
            }
            if (mismatched > 0) {
                sb.append("warning: ").append(mismatched).append(" record(s) hold arguments that are not the ones their args_digest")
                        .append(" was made of (edited since they were written, or digested under another key than --key):")
                        .append(" their replayed decision is on those arguments\n");
                examples.forEach(m -> sb.append("  ").append(m.file()).append(':').append(m.line()).append(' ').append(m.call()).append('\n'));
            }
            return sb.toString();
        }
    }

    /**
     * The {@code args_digest} a record of {@code arguments} (as the record keeps them: redacted) carries under
     * {@code digestKey}: what {@code tollgate audit digest --arguments} prints.
     */
    public static String of(byte[] digestKey, JsonNode arguments) {
        return FindingDigest.ofArguments(digestKey, AuditRecords.canonical(arguments));
    }

    private final byte[] digestKey;
    private long checked;
    private long unchecked;
    private long mismatched;
    private final List<Mismatch> examples = new ArrayList<>();

    /** @param digestKey the digest key ({@link FindingDigest#keyFrom} of the key file), or null when none was given */
    ArgumentsDigests(byte[] digestKey) {
        this.digestKey = digestKey;
    }

    /** Compares a record's arguments with its digest, when it holds both. */
    void check(JsonNode record, String file, long line, String call) {
        JsonNode arguments = record.get("arguments");
        JsonNode digest = record.get("args_digest");
        if (arguments == null || digest == null || !digest.isTextual()) {
            return;
        }
        String recorded = digest.textValue();
        String computed;
        if (recorded.startsWith(KEYED)) {
            if (digestKey == null) {
                unchecked++;
                return;
            }
            computed = of(digestKey, arguments);
        } else {
            computed = AuditChain.sha256(AuditRecords.canonical(arguments));
        }
        checked++;
        if (!MessageDigest.isEqual(computed.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                recorded.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            mismatched++;
            if (examples.size() < EXAMPLES) {
                examples.add(new Mismatch(file, line, call));
            }
        }
    }

    Tally tally() {
        return new Tally(checked, unchecked, mismatched, List.copyOf(examples), digestKey != null);
    }
}
