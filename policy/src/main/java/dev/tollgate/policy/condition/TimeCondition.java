package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;

/**
 * {@code time: {after: "09:00", before: "17:00", zone: "Europe/Paris", days: [mon, tue]}}: the call's time,
 * in the zone, is at or after {@code after} and before {@code before} (a window that wraps midnight when
 * after > before), on one of the days. Each part is optional.
 */
public record TimeCondition(LocalTime after, LocalTime before, ZoneId zone, Set<DayOfWeek> days) implements Condition {

    private static final long SECONDS_PER_DAY = 86_400;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** 1970-01-01, epoch day 0, was a Thursday: index 3 counting from Monday = 0. */
    private static final int EPOCH_DAY_0_INDEX = 3;

    @Override
    public boolean matches(PolicyRequest request) {
        // Computed from epoch seconds and the zone offset rather than through ZonedDateTime: no allocation.
        Instant time = request.time();
        long local = time.getEpochSecond() + zone.getRules().getOffset(time).getTotalSeconds();
        if (!days.isEmpty()) {
            long epochDay = Math.floorDiv(local, SECONDS_PER_DAY);
            if (!days.contains(DayOfWeek.of((int) Math.floorMod(epochDay + EPOCH_DAY_0_INDEX, 7L) + 1))) {
                return false;
            }
        }
        long t = Math.floorMod(local, SECONDS_PER_DAY) * NANOS_PER_SECOND + time.getNano();
        long from = after == null ? -1 : after.toNanoOfDay();
        long until = before == null ? -1 : before.toNanoOfDay();
        if (after != null && before != null && from > until) {
            return t >= from || t < until;
        }
        return (after == null || t >= from) && (before == null || t < until);
    }

    @Override
    public String mismatch(PolicyRequest request) {
        return matches(request) ? null : "time " + request.time().atZone(zone).toLocalDateTime() + " " + zone + " is outside the window";
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.UNKNOWN;
    }
}
