package dev.tollgate.gateway.pipeline;

import java.util.AbstractCollection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The abandoned ids {@link SessionRequestIds} holds, oldest first, each counted against one share (the tenant that
 * abandoned it). Bounded twice: a share past {@code maxPerShare} gives back its own oldest, and past {@code maxHeld} in
 * all the largest share gives back its oldest, so a tenant holding few ids keeps them whatever others abandon (review AI:
 * with the global bound giving back the oldest of anyone, and ids given back by their share still counted against it,
 * one caller abandoning 100,001 ids gave back every other session's held id).
 *
 * <p>A given-back id leaves every list at once (linked in both, unlinked in O(1)): nothing counts that is not held. All
 * methods run under this object's lock; only calls that end without their answer add here. As a collection it is the
 * keys held, oldest first, read under its lock.
 *
 * @param <K> the held key; {@code giveBack} is told each key whose hold ended, under the lock
 */
final class AbandonedHolds<K> extends AbstractCollection<K> {

    private static final class Held<K> {
        final K key;
        final Share<K> share;
        final long untilNanos;
        Held<K> older;
        Held<K> newer;
        /** The next newer hold of the same share. */
        Held<K> nextOfShare;

        Held(K key, Share<K> share, long untilNanos) {
            this.key = key;
            this.share = share;
            this.untilNanos = untilNanos;
        }
    }

    private static final class Share<K> {
        final String name;
        /** Breaks ties between shares of one size: the one that came first gives back first. */
        final long order;
        Held<K> oldest;
        Held<K> newest;
        /** Changed only while the share is out of {@link #largestFirst}, which sorts by it. */
        int size;

        Share(String name, long order) {
            this.name = name;
            this.order = order;
        }
    }

    private final int maxHeld;
    private final int maxPerShare;
    private final long holdNanos;
    private final Consumer<K> giveBack;
    private final HashMap<String, Share<K>> shares = new HashMap<>();
    /** Every share holding something, largest first: what the global bound takes from. */
    private final TreeSet<Share<K>> largestFirst = new TreeSet<>(
            Comparator.<Share<K>>comparingInt(s -> -s.size).thenComparingLong(s -> s.order));
    private long sharesCreated;
    private Held<K> oldest;
    private Held<K> newest;
    private int held;
    /** {@link #held}, read without the lock so that a claim takes no lock while nothing is held. */
    private volatile int count;

    AbandonedHolds(int maxHeld, int maxPerShare, long holdNanos, Consumer<K> giveBack) {
        this.maxHeld = maxHeld;
        this.maxPerShare = maxPerShare;
        this.holdNanos = holdNanos;
        this.giveBack = giveBack;
    }

    /** Holds {@code keys} until {@code now} + the hold, counted against {@code shareName}'s share. */
    synchronized void hold(List<K> keys, String shareName, long now) {
        if (keys.isEmpty()) {
            return;
        }
        Share<K> share = shares.computeIfAbsent(shareName, name -> new Share<>(name, sharesCreated++));
        largestFirst.remove(share);
        for (K key : keys) {
            Held<K> hold = new Held<>(key, share, now + holdNanos);
            link(hold);
            if (share.newest == null) {
                share.oldest = hold;
            } else {
                share.newest.nextOfShare = hold;
            }
            share.newest = hold;
            share.size++;
        }
        while (share.size > maxPerShare) {
            giveBackOldestOf(share);
        }
        largestFirst.add(share);
        while (held > maxHeld) {
            Share<K> largest = largestFirst.pollFirst();
            giveBackOldestOf(largest);
            keepOrForget(largest);
        }
        count = held;
    }

    /** Gives back every hold that has run its time. */
    void giveBackExpired(long now) {
        if (count == 0) {
            return;
        }
        synchronized (this) {
            while (oldest != null && oldest.untilNanos - now <= 0) {
                Share<K> share = oldest.share;
                // Holds are appended to both lists under one lock: the oldest of all is its share's oldest.
                largestFirst.remove(share);
                giveBackOldestOf(share);
                keepOrForget(share);
            }
            count = held;
        }
    }

    /** How many ids are held. */
    @Override
    public synchronized int size() {
        return held;
    }

    /** The keys held, oldest first; only under this object's lock. */
    @Override
    public Iterator<K> iterator() {
        return new Iterator<>() {
            private Held<K> next = oldest;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public K next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                K key = next.key;
                next = next.newer;
                return key;
            }
        };
    }

    /** The share is out of {@link #largestFirst}: ends the hold of its oldest. */
    private void giveBackOldestOf(Share<K> share) {
        Held<K> hold = share.oldest;
        share.oldest = hold.nextOfShare;
        if (share.oldest == null) {
            share.newest = null;
        }
        share.size--;
        unlink(hold);
        giveBack.accept(hold.key);
    }

    private void keepOrForget(Share<K> share) {
        if (share.size > 0) {
            largestFirst.add(share);
        } else {
            shares.remove(share.name);
        }
    }

    private void link(Held<K> hold) {
        hold.older = newest;
        if (newest == null) {
            oldest = hold;
        } else {
            newest.newer = hold;
        }
        newest = hold;
        held++;
    }

    private void unlink(Held<K> hold) {
        if (hold.older == null) {
            oldest = hold.newer;
        } else {
            hold.older.newer = hold.newer;
        }
        if (hold.newer == null) {
            newest = hold.older;
        } else {
            hold.newer.older = hold.older;
        }
        hold.older = null;
        hold.newer = null;
        held--;
    }
}
