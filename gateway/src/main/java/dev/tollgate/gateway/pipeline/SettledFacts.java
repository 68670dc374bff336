package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.budget.BudgetFacts;
import dev.tollgate.policy.CallFacts;

/**
 * The facts of a held call decided again after its approval ({@link ApprovalRecheck}): its tool's facts as they were at
 * its first decision, and the budget and rate-limit checks it secured then answered as met. Those obligations were
 * judged and secured once, when the call arrived (its budget hold and rate tokens are still its own; a budget check it
 * was over then stays over); judged again, the
 * call would count against itself (its own hold) or take a second token. A limit it did not secure then (one a reload
 * added, or changed) is noted in {@link #unsecured()} (review AQ: answered "met" too, an emergency limit reloaded during
 * an incident let every call already waiting through): the recheck refuses the call rather than secure it late.
 * Answering here keeps the second evaluation pure: it reads the action, and secures nothing.
 */
final class SettledFacts implements CallFacts {

    private final CallFacts first;
    private final BudgetFacts secured;
    private String unsecured;

    /** @param first the facts of the call's first decision; null when none were kept (read as CallFacts.NONE's tool facts) */
    SettledFacts(CallFacts first) {
        this.first = first == null ? CallFacts.NONE : first;
        this.secured = first instanceof BudgetFacts budgetFacts ? budgetFacts : null;
    }

    /** The rule of the first limit met here that the call did not secure when it was held; null when none. */
    String unsecured() {
        return unsecured;
    }

    /** As answered when the call was held (over or within: review AR, a call held for being over was read as unsecured). */
    @Override
    public boolean overBudget(String rule, long limitMicros) {
        Boolean first = secured == null ? null : secured.budgetAnswer(rule, limitMicros);
        if (first == null) {
            noteUnsecured(rule);
            return false;
        }
        return first;
    }

    @Override
    public boolean rateLimited(String rule, String key, double perSecond, long burst) {
        return rateLimited(rule, key, key, perSecond, burst);
    }

    @Override
    public boolean rateLimited(String rule, String owner, String key, double perSecond, long burst) {
        return rateLimited(rule, owner, owner, key, perSecond, burst);
    }

    @Override
    public boolean rateLimited(String rule, String tenant, String owner, String key, double perSecond, long burst) {
        if (secured == null || !secured.notedRateToken(rule, tenant, owner, key, perSecond, burst)) {
            noteUnsecured(rule);
        }
        return false;
    }

    private void noteUnsecured(String rule) {
        if (unsecured == null) {
            unsecured = rule;
        }
    }

    /** The run's count as it was when the call was held: the call holds its place in it (it was not given back). */
    @Override
    public long toolCallCount() {
        return first.toolCallCount();
    }

    @Override
    public boolean toolPinned() {
        return first.toolPinned();
    }

    @Override
    public boolean toolUnknown() {
        return first.toolUnknown();
    }

    @Override
    public String toolBucket(String tool) {
        return first.toolBucket(tool);
    }
}
