package dev.tollgate.gateway.tasks;

import dev.tollgate.policy.TenantKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many task or context bindings each owner's share holds, out of {@code max} (review AG: one table shared by every
 * caller, least used first out, let one caller's fresh ids push another caller's bindings out, and an id no longer held
 * binds nobody). A binding is never pushed out to make room: a share that is full refuses its owner's new bindings (fail
 * closed), and room comes back only as that owner's own bindings expire.
 *
 * <p>The share is the tenant's ({@link TenantKey}), not the caller's: a tenant's tokens vary the agent, the sub-user and
 * the run at will (each a caller of its own), while tenants are what the operator's identity provider issues. A caller
 * without an AXID tenant has the share of its workload (SPIFFE ID), else of its OAuth principal (issuer and subject), else
 * of its agent ({@link #shareOf}). A counter exists only while its share holds a binding.
 */
public final class BindingShares {

    private final int max;
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();

    /** @param max the most bindings one share holds */
    public BindingShares(int max) {
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** Takes room for one more binding of this owner: false when its share is full (nothing taken). */
    public boolean take(String owner) {
        boolean[] taken = {false};
        held.compute(shareOf(owner), (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() < max) {
                c.incrementAndGet();
                taken[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        return taken[0];
    }

    /** Takes room whether or not the share is full: a binding another replica made first, which must be known here. */
    public void force(String owner) {
        held.compute(shareOf(owner), (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            c.incrementAndGet();
            return c;
        });
    }

    /** Gives back the room of one binding of this owner (it expired, or it was replaced). */
    public void giveBack(String owner) {
        held.computeIfPresent(shareOf(owner), (k, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    /** How many bindings this owner's share holds now. */
    public int held(String owner) {
        AtomicInteger c = held.get(shareOf(owner));
        return c == null ? 0 : c.get();
    }

    /**
     * The share an owner ({@code CallerKey}) counts in: its {@link TenantKey}, the key the concurrency and rate-limit shares
     * use (review AI: parsed here by hand, it was the OAuth client's, so one user of a widely used client app, or of an
     * issuer whose tokens name no client, filled every other user's share for a day; and a tenantless agent had one share
     * per sub-user). Read back from the owner, as bindings keep only that (here and in the shared store): every replica
     * counts a binding in the same share. An owner that names no tenant (the anonymous "") is its own share.
     */
    static String shareOf(String owner) {
        String tenant = TenantKey.ofCaller(owner);
        return tenant == null ? owner : tenant;
    }
}
