package dev.tollgate.policy.budget;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger of a single gateway instance: spend and holds per tree in memory, lost on restart. Every
 * operation completes before it returns. Reserve is atomic per tree (the tree's account is locked for the
 * check and the hold), so strict mode works here too. Holds never expire here: they live as long as the
 * process whose calls hold them, so a call that outlives any hold-expiry keeps its hold. A hold is settled
 * once, however often its commit or release is sent.
 */
public final class InMemoryLedger implements ReservingLedger {

    private final Map<SpendKey, Account> accounts = new ConcurrentHashMap<>();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong nextId = new AtomicLong();

    private static final class Account {
        long spent;
        long held;
        /** Holds granted and not settled yet: a settle retried after it landed finds its hold gone and does nothing. */
        final Set<String> holds = new HashSet<>();
    }

    @Override
    public CompletionStage<Long> spent(SpendKey key) {
        reads.incrementAndGet();
        Account account = accounts.get(key);
        if (account == null) {
            return CompletableFuture.completedFuture(0L);
        }
        synchronized (account) {
            return CompletableFuture.completedFuture(account.spent);
        }
    }

    @Override
    public CompletionStage<Void> record(SpendKey key, long micros, String writeId) {
        // In-process and never fails: no write is ever retried, so the id needs no bookkeeping.
        Account account = account(key);
        synchronized (account) {
            account.spent += micros;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Reservation> reserve(SpendKey key, long micros, long limitMicros) {
        Account account = account(key);
        synchronized (account) {
            if (account.spent + account.held + micros > limitMicros) {
                return CompletableFuture.completedFuture(new Reservation(key, null, micros, false, account.spent, account.held));
            }
            account.held += micros;
            String id = Long.toString(nextId.incrementAndGet());
            account.holds.add(id);
            return CompletableFuture.completedFuture(new Reservation(key, id, micros, true, account.spent, account.held));
        }
    }

    @Override
    public CompletionStage<Void> commit(Reservation reservation, long actualMicros) {
        Account account = account(reservation.key());
        synchronized (account) {
            if (account.holds.remove(reservation.id())) {
                account.held -= reservation.micros();
                account.spent += actualMicros;
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> release(Reservation reservation) {
        Account account = account(reservation.key());
        synchronized (account) {
            if (account.holds.remove(reservation.id())) {
                account.held -= reservation.micros();
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public String kind() {
        return "memory";
    }

    /** Reads served so far (tests and benchmarks count them). */
    public long reads() {
        return reads.get();
    }

    private Account account(SpendKey key) {
        return accounts.computeIfAbsent(key, k -> new Account());
    }
}
