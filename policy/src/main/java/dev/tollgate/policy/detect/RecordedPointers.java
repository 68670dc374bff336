package dev.tollgate.policy.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Findings' pointers as a record may hold them: each object key that holds a finding replaced by the finding's marker
 * ({@code /structuredContent/[REDACTED:secrets]}). A pointer names the keys on its way, and a key can be the secret
 * itself ({@code {"AKIAIOSFODNN7EXAMPLE": "active"}}): written as it is, the record that holds digests only would hold
 * the match (review BY). The marker keeps the pointer's shape, so the finding's place is still told.
 */
public final class RecordedPointers {

    private RecordedPointers() {
    }

    /** The pointer of each finding, in order, with every key holding a finding (one of {@code findings}) replaced. */
    public static List<String> of(List<Finding> findings) {
        List<Finding> keys = new ArrayList<>(0);
        for (Finding f : findings) {
            if (f.inKey() && f.pointer().lastIndexOf('/') >= 0) {
                keys.add(f);
            }
        }
        List<String> pointers = new ArrayList<>(findings.size());
        if (keys.isEmpty()) {
            findings.forEach(f -> pointers.add(f.pointer()));
            return pointers;
        }
        // Deepest first: replacing a key leaves the pointer up to it as it was, so a shallower key still matches.
        keys.sort(Comparator.comparingInt((Finding f) -> f.pointer().length()).reversed());
        for (Finding f : findings) {
            String pointer = f.pointer();
            for (Finding key : keys) {
                String at = key.pointer();
                if (pointer.equals(at) || pointer.startsWith(at) && pointer.charAt(at.length()) == '/') {
                    pointer = at.substring(0, at.lastIndexOf('/') + 1) + DocumentScan.marker(key) + pointer.substring(at.length());
                }
            }
            pointers.add(pointer);
        }
        return pointers;
    }
}
