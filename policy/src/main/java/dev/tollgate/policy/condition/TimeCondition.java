package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * {@code time: {after: "09:00", before: "17:00", zone: "Europe/Paris", days: [mon, tue]}}: the call's time,
 * in the zone, is at or after {@code after} and before {@code before} (a window that wraps midnight when
 * after > before), on one of the days. Each part is optional.
 */
public record TimeCondition(LocalTime after, LocalTime before, ZoneId zone, Set<DayOfWeek> days) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        ZonedDateTime local = request.time().atZone(zone);
        if (!days.isEmpty() && !days.contains(local.getDayOfWeek())) {
            return false;
        }
        LocalTime t = local.toLocalTime();
        if (after != null && before != null && after.isAfter(before)) {
            return !t.isBefore(after) || t.isBefore(before);
        }
        return (after == null || !t.isBefore(after)) && (before == null || t.isBefore(before));
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
