package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding digests are keyed: equal under one key (records correlate), told apart under another, and comparable by the key's holder. */
class FindingDigestTest {

    private static String digestOfTheKeyIn(String text) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        List<Finding> findings = DocumentScan.scan(result, List.of(Detectors.secrets(0)));
        assertThat(findings).hasSize(1);
        return findings.get(0).digest();
    }

    @Test
    void aDigestIsTheKeysHmacOfTheMatchAndTheSameWhereverTheMatchIs() {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] key = FindingDigest.keyFrom(secret);
        assertThat(key).isEqualTo(FindingDigest.keyFrom(secret.clone())).isNotEqualTo(secret).hasSize(32);
        FindingDigest.useKey(key);

        String here = digestOfTheKeyIn("key AKIAIOSFODNN7EXAMPLE here");
        String there = digestOfTheKeyIn("and there: AKIAIOSFODNN7EXAMPLE.");
        assertThat(here).isEqualTo(there).startsWith(FindingDigest.PREFIX).hasSize(FindingDigest.PREFIX.length() + 16);
        assertThat(here).isEqualTo(FindingDigest.of(key, "AKIAIOSFODNN7EXAMPLE"));

        // Another deployment's key: another digest of the same text.
        byte[] other = FindingDigest.keyFrom("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
        FindingDigest.useKey(other);
        assertThat(digestOfTheKeyIn("key AKIAIOSFODNN7EXAMPLE here")).isNotEqualTo(here).isEqualTo(FindingDigest.of(other, "AKIAIOSFODNN7EXAMPLE"));
    }
}
