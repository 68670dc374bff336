package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review (revL, 8ecd73c): exfiltration_urls validates the host of the NORMALIZED text, which now folds Cyrillic and
 * Greek look-alikes to Latin. A homograph host (Cyrillic а, р, р, ӏ, е: the registrable xn--80ak6aa92e.com) reads as the
 * allow-listed apple.com and is no longer found: an exfiltration link to an attacker's domain passes an allow-list that
 * caught it before the change. The other way, an allow-listed Cyrillic host (пример.рф) no longer matches its own link.
 */
class ConfusableHostsReviewTest {

    private static List<String> found(Detector detector, String text) {
        List<String> found = new ArrayList<>();
        detector.scan(TextView.of(text), (start, end, kind) -> found.add(text.substring(start, end)));
        return found;
    }

    @Test
    void aHomographOfAnAllowedHostIsStillFound() {
        Detector urls = Detectors.exfiltrationUrls(List.of("apple.com"));
        assertThat(found(urls, "see https://apple.com/x?d=secret")).as("control: the allowed host").isEmpty();
        assertThat(found(urls, "see https://evil.com/x?d=secret")).as("control: another host").isNotEmpty();

        assertThat(found(urls, "see https://\u0430\u0440\u0440\u04cf\u0435.com/x?d=secret")).isNotEmpty();
    }

    @Test
    void anAllowedCyrillicHostIsNotFound() {
        Detector urls = Detectors.exfiltrationUrls(List.of("\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"));

        assertThat(found(urls, "see https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/page")).isEmpty();
    }
}
