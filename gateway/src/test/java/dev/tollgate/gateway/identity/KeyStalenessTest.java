package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The refresh step both key sources share: it never throws (a thrown task ends its timer), and never drops fresh keys. */
class KeyStalenessTest {

    private static final Instant FETCHED = Instant.parse("2026-12-04T10:00:00Z");
    private static final Clock LATER = Clock.fixed(FETCHED.plus(Duration.ofHours(25)), ZoneOffset.UTC);

    private static KeyStaleness fetchedOnceThen(Clock now) {
        dev.tollgate.gateway.support.MovableClock clock = new dev.tollgate.gateway.support.MovableClock(FETCHED);
        KeyStaleness staleness = new KeyStaleness("test keys", Duration.ofHours(24), clock);
        staleness.fetched();
        clock.set(now.instant());
        return staleness;
    }

    @Test
    void aFetchThatThrowsIsLoggedNotThrownAndTheBoundStillApplies() {
        KeyStaleness staleness = fetchedOnceThen(LATER);
        AtomicReference<String> keys = new AtomicReference<>("old keys");

        assertThatCode(() -> staleness.refresh(() -> {
            throw new IllegalStateException("boom");
        }, keys, "none")).doesNotThrowAnyException();
        staleness.refresh(() -> CompletableFuture.completedFuture(false), keys, "none");

        assertThat(keys).hasValue("none");
    }

    @Test
    void keysSetByAFetchThatSucceededMeanwhileAreNotDropped() {
        KeyStaleness staleness = fetchedOnceThen(LATER);
        AtomicReference<String> keys = new AtomicReference<>("old keys");

        // The refresh's own fetch fails; an unknown kid's refetch succeeds while the refresh waits for it.
        staleness.refresh(() -> {
            staleness.fetched();
            keys.set("fresh keys");
            return CompletableFuture.completedFuture(false);
        }, keys, "none");

        assertThat(keys).hasValue("fresh keys");
    }
}
