package dev.tollgate.gateway.budget;

import dev.tollgate.policy.budget.Reservation;
import dev.tollgate.policy.budget.SpendKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this gateway's strict-mode holds alive while their calls run: a hold lives {@code hold-expiry} in the
 * ledger, and a call waiting for its approver or streaming may run longer (review Y: the lapsed hold's headroom
 * went to later calls, and spend passed the limit). Every {@code hold-expiry / 3} one periodic Vert.x timer
 * pushes back the expiry of every hold still tracked, one request per tree; a hold stops being tracked when
 * its call settles it. Only a dead gateway's holds then lapse.
 *
 * <p>One timer for the whole ledger, not one per call: a call that forgets to stop its renewal leaves an
 * entry in {@link #live()} (visible in /metrics), never a timer nobody can cancel.
 */
final class HoldRenewals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HoldRenewals.class);

    /** Pushes back the expiry of a tree's holds; completes with the ids the ledger no longer has. */
    @FunctionalInterface
    interface Renewer {
        Future<List<String>> renew(SpendKey key, List<String> holdIds);
    }

    private final Vertx vertx;
    private final Renewer renewer;
    private final long timerId;
    private final Map<String, Reservation> live = new ConcurrentHashMap<>();
    private final LongAdder failures = new LongAdder();
    private final LongAdder lapsed = new LongAdder();

    /** @param everyMillis how often; a third of hold-expiry leaves two renewals' time for one to fail */
    HoldRenewals(Vertx vertx, long everyMillis, Renewer renewer) {
        this.vertx = vertx;
        this.renewer = renewer;
        this.timerId = vertx.setPeriodic(Math.max(1, everyMillis), id -> renewAll());
    }

    void track(Reservation hold) {
        if (hold.granted()) {
            live.put(hold.id(), hold);
        }
    }

    void stop(Reservation hold) {
        if (hold.id() != null) {
            live.remove(hold.id());
        }
    }

    /** Holds being kept alive now: calls in flight on this gateway holding budget (0 when none runs). */
    int live() {
        return live.size();
    }

    /** Renewal requests the ledger did not confirm (the holds then have what is left of their expiry). */
    long failures() {
        return failures.sum();
    }

    /** Holds found gone when renewed: they lapsed before their call ended (the ledger was out of reach a whole hold-expiry). */
    long lapsed() {
        return lapsed.sum();
    }

    private void renewAll() {
        if (live.isEmpty()) {
            return;
        }
        Map<SpendKey, List<String>> byTree = new HashMap<>();
        for (Reservation hold : live.values()) {
            byTree.computeIfAbsent(hold.key(), k -> new ArrayList<>()).add(hold.id());
        }
        byTree.forEach((key, ids) -> renewer.renew(key, ids).onComplete(ar -> {
            if (ar.failed()) {
                failures.increment();
                LOG.warn("could not renew {} budget hold(s) of {} (retrying at the next renewal): {}", ids.size(), key,
                        ar.cause().toString());
                return;
            }
            for (String gone : ar.result()) {
                // Settled meanwhile (then already untracked), or lapsed: nothing left to keep alive either way.
                if (live.remove(gone) != null) {
                    lapsed.increment();
                    LOG.warn("budget hold {} of {} lapsed while its call was still running", gone, key);
                }
            }
        }));
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
        live.clear();
    }
}
