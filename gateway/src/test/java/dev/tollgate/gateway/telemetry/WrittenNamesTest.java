package dev.tollgate.gateway.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.detect.Detector;
import dev.tollgate.policy.detect.Detectors;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a name is written (review CG), and that a reading cached for one policy's detectors is not served for another's. */
class WrittenNamesTest {

    private static final String EMAIL = "alice.smith@example.com";

    @Test
    void aNameIsReadWithThePolicysDetectorsAndTheAlwaysOnOnes() {
        assertThat(WrittenNames.of("clock", List.of())).isEqualTo("clock");
        assertThat(WrittenNames.of("AKIAIOSFODNN7EXAMPLE", List.of())).as("always-on: a credential").isEqualTo("[REDACTED:secrets]");
        assertThat(WrittenNames.of(EMAIL, List.of())).as("no policy detects e-mail addresses").isEqualTo(EMAIL);
        assertThat(WrittenNames.of(EMAIL, List.of(Detectors.pii(Set.of("email"))))).isEqualTo("[REDACTED:pii]");
    }

    @Test
    void aReloadThatChangesTheDetectorsDoesNotReuseTheOldReading() {
        List<Detector> before = List.of(Detectors.pii(Set.of("ssn")));
        List<Detector> reloaded = List.of(Detectors.pii(Set.of("email")));
        assertThat(WrittenNames.of(EMAIL, before)).isEqualTo(EMAIL); // cached for the old detectors
        assertThat(WrittenNames.of(EMAIL, reloaded)).isEqualTo("[REDACTED:pii]");
        assertThat(WrittenNames.of(EMAIL, before)).as("and the old reading stays the old policy's").isEqualTo(EMAIL);
    }

    @Test
    void aReasonQuotingTheNameQuotesItsMarker() {
        List<Detector> detectors = List.of(Detectors.pii(Set.of("email")));
        assertThat(WrittenNames.in("tool '" + EMAIL + "' is not in the route's pin manifest", EMAIL, detectors))
                .isEqualTo("tool '[REDACTED:pii]' is not in the route's pin manifest");
        assertThat(WrittenNames.in("tool 'clock' is not pinned", "clock", detectors)).isEqualTo("tool 'clock' is not pinned");
        assertThat(WrittenNames.in(null, EMAIL, detectors)).isNull();
    }
}
