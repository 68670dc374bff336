package dev.tollgate.policy.budget;

/**
 * The answer to a hold request.
 *
 * @param id           ledger-side handle of a granted hold; null when refused
 * @param micros       the amount asked for
 * @param granted      whether the hold was taken
 * @param spentMicros  the tree's recorded spend when the ledger decided
 * @param heldMicros   outstanding holds when the ledger decided, this one included if granted
 */
public record Reservation(SpendKey key, String id, long micros, boolean granted, long spentMicros, long heldMicros) {
}
