package dev.tollgate.gateway.budget;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This gateway's own charges to one spawn tree, kept between ledger reads so a cached read never hides
 * them. Lock-free and shared by every event loop. All amounts are micro-USD.
 */
final class TreeAccount {

    /** Actual costs of this gateway's finished calls since start. */
    private final AtomicLong charged = new AtomicLong();
    /** The part of {@link #charged} the ledger has confirmed recording. */
    private final AtomicLong acknowledged = new AtomicLong();
    /**
     * Estimates of this gateway's allowed calls still running: cached mode's holds, and strict mode's holds granted in the
     * ledger (review BJ: so strict mode's degraded local hold, and the pre-check, count this gateway's own calls running).
     */
    private final AtomicLong held = new AtomicLong();
    /** Charges waiting to be written to the ledger, and whether a write is in flight. */
    private final AtomicLong unrecorded = new AtomicLong();
    private final AtomicBoolean recording = new AtomicBoolean();

    long charged() {
        return charged.get();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    long held() {
        return held.get();
    }

    /**
     * Holds {@code micros} if the tree's spend as known here stays within the limit. Atomic against every
     * other hold on this gateway (a compare-and-set on the held total), so concurrent calls on several
     * event loops cannot all pass on the same headroom.
     *
     * @param base the read's ledger spend minus the charges it already included
     */
    boolean tryHold(long base, long micros, long limitMicros) {
        while (true) {
            long h = held.get();
            if (base + charged.get() + h + micros > limitMicros) {
                return false;
            }
            if (held.compareAndSet(h, h + micros)) {
                return true;
            }
        }
    }

    /** Adds a hold granted elsewhere (a strict-mode reserve the ledger granted, a question's hold taken over). */
    void hold(long micros) {
        held.addAndGet(micros);
    }

    /** Ends a hold with the call's actual cost: charged first, so the known spend never dips in between. */
    void settle(long heldMicros, long actualMicros) {
        charged.addAndGet(actualMicros);
        held.addAndGet(-heldMicros);
    }

    void acknowledge(long micros) {
        acknowledged.addAndGet(micros);
    }

    /**
     * Queues a charge for the ledger and returns the amount this caller must write now, or 0 when a write is
     * already in flight (its completion writes what queued meanwhile, see {@link #recorded}). One write in
     * flight per tree: at 5,000 calls a second the ledger sees about one write per round trip, not 5,000.
     */
    long queueRecord(long micros) {
        unrecorded.addAndGet(micros);
        return recording.compareAndSet(false, true) ? unrecorded.getAndSet(0) : 0;
    }

    /** After a write: the next amount to write (0 when nothing queued, and then the write slot is free). */
    long recorded() {
        recording.set(false);
        return unrecorded.get() > 0 && recording.compareAndSet(false, true) ? unrecorded.getAndSet(0) : 0;
    }
}
