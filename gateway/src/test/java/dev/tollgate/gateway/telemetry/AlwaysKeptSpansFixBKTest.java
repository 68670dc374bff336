package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fixes of review BK in the telemetry package: what sample-allowed always keeps (result findings, unreviewed
 * definitions), and list attributes bounded on a span.
 */
class AlwaysKeptSpansFixBKTest {

    private static boolean kept(Attributes attributes) {
        return AllowedCallSampling.alwaysKept(attributes::get, false);
    }

    private static Attributes allowed(String resultAction) {
        AttributesBuilder b = Attributes.builder().put(CallAttributes.POLICY_ALLOWED, true).put(CallAttributes.POLICY_ACTION, "allow");
        if (resultAction != null) {
            b.put(CallAttributes.RESULT_ACTION, resultAction);
        }
        return b.build();
    }

    @Test
    void anAllowedCallIsKeptForItsResultFindingsAndUnreviewedDefinitionsOnly() {
        assertThat(kept(allowed(null))).isFalse();
        assertThat(kept(allowed("allow"))).as("a result rule that matched with allow").isFalse();
        assertThat(kept(allowed("deny"))).isTrue();
        assertThat(kept(allowed("redact"))).isTrue();
        assertThat(kept(allowed("audit"))).isTrue();
        assertThat(kept(allowed(null).toBuilder().put(CallAttributes.PINNING_UNREVIEWED, List.of("echo (changed)")).build())).isTrue();
        assertThat(kept(Attributes.empty())).as("a span with no decision (a CLIENT span)").isFalse();
        assertThat(AllowedCallSampling.alwaysKept(Attributes.empty()::get, true)).as("failed").isTrue();
        assertThat(kept(Attributes.of(CallAttributes.POLICY_ALLOWED, false))).as("denied").isTrue();
    }

    @Test
    void aClientSpanMarkedKeepIsExportedAtAZeroShare() {
        var exported = io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
        var tracer = io.opentelemetry.sdk.trace.SdkTracerProvider.builder().addSpanProcessor(
                io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(new AllowedCallSampling(0.0).wrap(exported))).build().get("t");
        tracer.spanBuilder("plain client").startSpan().end();
        tracer.spanBuilder("kept client").setAttribute(CallAttributes.SAMPLING_KEEP, true).startSpan().end();
        assertThat(exported.getFinishedSpanItems()).extracting(s -> s.getName()).containsExactly("kept client");
    }

    @Test
    void aListIsBoundedToItsFirstEntriesWithACountOfTheRest() {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            entries.add("tool t" + i + "_" + "x".repeat(1000));
        }
        AttributesBuilder b = Attributes.builder();
        CallAttributes.putBounded(AttributeSink.of(b), CallAttributes.RESULT_WITHHELD, CallAttributes.RESULT_WITHHELD_OMITTED, entries);
        Attributes a = b.build();
        List<String> shown = a.get(CallAttributes.RESULT_WITHHELD);
        assertThat(shown).isNotEmpty().isEqualTo(entries.subList(0, shown.size()));
        assertThat(shown.stream().mapToInt(String::length).sum()).isLessThanOrEqualTo(CallAttributes.MAX_LIST_CHARS);
        assertThat(shown.stream().mapToInt(String::length).sum() + entries.get(shown.size()).length()).isGreaterThan(CallAttributes.MAX_LIST_CHARS);
        assertThat(a.get(CallAttributes.RESULT_WITHHELD_OMITTED)).isEqualTo(300L - shown.size());

        List<String> few = List.of("tool a", "tool b");
        assertThat(CallAttributes.bounded(few, CallAttributes.MAX_LIST_CHARS)).isSameAs(few);
    }

    @Test
    void oneEntryLongerThanTheBoundIsCutNotDropped() {
        String huge = "tool " + "y".repeat(20_000);
        assertThat(CallAttributes.bounded(List.of(huge, "tool b"), 100)).containsExactly(huge.substring(0, 100));
        // Never cut between the two halves of a surrogate pair.
        String pair = "a".repeat(99) + "\uD83D\uDE00";
        assertThat(CallAttributes.bounded(List.of(pair), 100)).containsExactly("a".repeat(99));
        assertThat(CallAttributes.bounded(Collections.nCopies(3, "abcd"), 8)).containsExactly("abcd", "abcd");
    }
}
