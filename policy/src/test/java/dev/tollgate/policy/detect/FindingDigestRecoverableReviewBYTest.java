package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Review BY, finding 4: a result finding is recorded in the audit record as {@code digest}, "a truncated SHA-256 of the
 * match, never the match" (README, Recorded; AuditRecords: "the record must not become the leak it reports";
 * DocumentScan.digest: "useless for recovering a secret"). It is an unkeyed SHA-256 of the matched text, so a value of
 * little entropy is read back from it by trying every candidate: a card number whose issuer prefix and last four digits
 * are known (both are printed on receipts and shown by PCI-compliant pages) leaves six digits, a million hashes; a US
 * SSN has at most a billion. This test is that search, over the card's six middle digits: it finds the card.
 */
class FindingDigestRecoverableReviewBYTest {

    @Test
    void theRecordedDigestOfACardNumberDoesNotGiveTheNumberBack() throws Exception {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.putArray("content").addObject().put("type", "text").put("text", "Card on file: 4929123456781236, expires 09/29.");
        List<Finding> findings = DocumentScan.scan(result, List.of(Detectors.pii(Set.of("card"))));
        assertThat(findings).hasSize(1);
        String recorded = findings.get(0).digest(); // what the audit record's result.findings[0].digest holds

        // What an audit reader knows: the issuer's prefix 492912 and the last four 1236 (a receipt shows them).
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String recovered = null;
        for (int middle = 0; middle < 1_000_000 && recovered == null; middle++) {
            String candidate = "492912" + String.format("%06d", middle) + "1236";
            byte[] hash = sha.digest(candidate.getBytes(StandardCharsets.UTF_8));
            if (("sha256:" + HexFormat.of().formatHex(hash, 0, 8)).equals(recorded)) {
                recovered = candidate;
            }
        }
        assertThat(recovered).as("the card number read back from the recorded digest by a million hashes").isNull();
    }
}
