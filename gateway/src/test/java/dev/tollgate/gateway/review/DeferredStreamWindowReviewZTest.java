package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import dev.tollgate.gateway.budget.DeferredCosts;
import java.lang.reflect.Field;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review Z, finding (low): the hour a call whose stream ended unanswered waits for its resumed answer
 * (DeferredCosts.STREAM_RESUME_WINDOW) is counted from the <em>first</em> such call of the caller's session, not from
 * each call. {@code byStream} is a Caffeine cache of per-session maps with {@code expireAfterWrite}; a later call is
 * added with {@code asMap().computeIfAbsent(...).putIfAbsent(...)}, which mutates the map already cached and does not
 * write the cache entry, so the entry's age (and expiry) stays the first call's. In a session older than an hour, a
 * call cut at minute 59 expires with the first one a minute later: resumed at minute 61 it pays its estimate only,
 * whatever it reports. (The inner map is also unbounded: MAX_ENTRIES bounds sessions, not calls.)
 *
 * <p>Input: two calls of one caller and session left unanswered 1.2 s apart. Gateway accounted: the second call's
 * window ends 1.2 s early (measured through the cache's own policy). Expected: each call waits its full window.
 *
 * <p>Suggested fix: key the cache by (owner, session, request/stream) so each entry has its own write time and the
 * count bound applies to calls, or {@code put} the map back after each addition to refresh its expiry.
 */
class DeferredStreamWindowReviewZTest {

    @Test
    void eachUnansweredCallWaitsItsOwnResumeWindow() throws Exception {
        DeferredCosts deferred = new DeferredCosts(Duration.ofHours(1));
        deferred.streamLeftUnanswered("caller", "session-1", "1", DeferredCosts.StreamAnswer.ofCharge(new DeferredCosts.Deferred(null, 300_000)));
        Thread.sleep(1200);
        deferred.streamLeftUnanswered("caller", "session-1", "2", DeferredCosts.StreamAnswer.ofCharge(new DeferredCosts.Deferred(null, 300_000)));

        Field field = DeferredCosts.class.getDeclaredField("byStream");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        Cache<Object, ?> byStream = (Cache<Object, ?>) field.get(deferred);
        var expiry = byStream.policy().expireAfterWrite().orElseThrow();
        Duration youngest = byStream.asMap().keySet().stream().map(k -> expiry.ageOf(k).orElseThrow()).min(Duration::compareTo).orElseThrow();

        assertThat(byStream.asMap()).as("one entry per call, each counted from its own write").hasSize(2);
        assertThat(deferred.awaitsOnStream("caller", "session-1", "2")).isTrue();
        assertThat(youngest).as("age of the entry holding call 2, filed just now (its window is counted from it)")
                .isLessThan(Duration.ofMillis(1000)); // well short of call 1's 1.2 s, with room for a loaded machine
    }
}
