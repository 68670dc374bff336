package dev.tollgate.gateway.telemetry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.detect.Detector;
import dev.tollgate.policy.detect.RecordedNames;
import java.util.List;

/**
 * The one place a caller- or upstream-chosen name (a tool, skill, resource URI, prompt, method) is read before an audit
 * record, a span (its name and attributes) or a log line writes it: {@link RecordedNames#of} with the detectors of the
 * policy that decided and the always-on ones, so a tool named with an AWS key, or with an e-mail address on a route whose
 * policy detects e-mail addresses, is written as the marker ({@code [REDACTED:secrets]}; {@code [REDACTED]} when it was too
 * costly to read) and never in clear (review CG: the record's {@code tool} field and decision reason held it).
 *
 * <p>Names repeat on every call, so each reading is cached per (the policy's detectors, by identity; the name): the hot
 * path costs one lookup. A reload compiles new detectors (a new list), whose readings are made afresh: a stale reading of
 * the old detectors is never used for them, and falls out of the bounded cache.
 */
public final class WrittenNames {

    /**
     * The most characters of names (and their written forms) the cache holds, about 8 MB: a name is the caller's text up
     * to the body limit, so the cache is bounded by what it holds, not by its count of entries.
     */
    static final long MAX_CACHED_CHARS = 4_000_000;
    /** What an entry costs beyond its characters (key, node, references), counted in characters. */
    private static final int ENTRY_OVERHEAD_CHARS = 32;

    private static final Cache<Key, String> READINGS = Caffeine.newBuilder()
            .maximumWeight(MAX_CACHED_CHARS)
            .<Key, String>weigher((key, written) -> key.name.length() + written.length() + ENTRY_OVERHEAD_CHARS)
            // Read on every call by every event loop: its upkeep runs on the reading thread, in short amortized steps, rather
            // than as tasks that wake a common-pool thread every few calls (measured: that wake-up cost the harness CPU).
            .executor(Runnable::run)
            .build();

    private WrittenNames() {
    }

    /** {@code name} as a record, span or log writes it on a route decided by {@code policy} (null: none loaded). */
    public static String of(String name, CompiledPolicy policy) {
        return of(name, policy == null ? List.of() : policy.detectors());
    }

    /** {@code name} as a record, span or log writes it, read with {@code detectors} and the always-on ones. */
    public static String of(String name, List<Detector> detectors) {
        if (name == null || name.isEmpty()) {
            return name;
        }
        return READINGS.get(new Key(detectors, name), k -> RecordedNames.of(k.name, k.detectors));
    }

    /**
     * A JSON pointer into a call's arguments ({@code /options/AKIA...}) as a record, span or log writes it: each segment (an
     * argument key, the caller's text) read as {@link #of} reads a name, so a key holding a credential is written as the
     * marker (review CJ: a denial naming the argument wrote it in clear).
     */
    public static String pointer(String pointer, CompiledPolicy policy) {
        if (pointer == null || pointer.isEmpty()) {
            return pointer;
        }
        List<Detector> detectors = policy == null ? List.of() : policy.detectors();
        StringBuilder written = new StringBuilder(pointer.length());
        for (String segment : pointer.substring(pointer.startsWith("/") ? 1 : 0).split("/", -1)) {
            String key = segment.replace("~1", "/").replace("~0", "~");
            written.append('/').append(of(key, detectors).replace("~", "~0").replace("/", "~1"));
        }
        return written.toString();
    }

    /**
     * {@code text} (a decision's reason, which may quote the call's tool) with every occurrence of {@code name} replaced by
     * how it is written ({@link #of}); {@code text} itself when the name is written as it is or does not occur.
     */
    public static String in(String text, String name, List<Detector> detectors) {
        if (text == null || name == null || name.isEmpty() || !text.contains(name)) {
            return text;
        }
        String written = of(name, detectors);
        return written.equals(name) ? text : text.replace(name, written);
    }

    /**
     * {@code text} (a decision's reason, a log line's detail) with every name of {@code call} it quotes (tool or skill,
     * resource, prompt, method) written as {@link #of} writes it.
     */
    public static String quoting(String text, CallDescription call, List<Detector> detectors) {
        String written = text;
        for (String name : new String[] {call.toolName(), call.resourceUri(), call.promptName(), call.method()}) {
            written = in(written, name, detectors);
        }
        return written;
    }

    /** The cache's key: the detectors by identity (each compiled policy has its own list), the name by value. */
    private static final class Key {
        private final List<Detector> detectors;
        private final String name;

        Key(List<Detector> detectors, String name) {
            this.detectors = detectors;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.detectors == detectors && k.name.equals(name);
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(detectors) + name.hashCode();
        }
    }
}
