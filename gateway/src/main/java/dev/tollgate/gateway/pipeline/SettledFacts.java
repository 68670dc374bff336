package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.CallFacts;

/**
 * The facts of a held call decided again after its approval ({@link ApprovalRecheck}): its tool's facts as they were at
 * its first decision, and every budget and rate-limit check answered as met. Those obligations were judged and secured
 * once, when the call arrived (its budget hold and rate tokens are still its own); judged again, the call would count
 * against itself (its own hold) or take a second token. Answering here keeps the second evaluation pure: it reads the
 * action, and secures nothing.
 */
final class SettledFacts implements CallFacts {

    private final CallFacts first;

    /** @param first the facts of the call's first decision; null when none were kept (read as CallFacts.NONE's tool facts) */
    SettledFacts(CallFacts first) {
        this.first = first == null ? CallFacts.NONE : first;
    }

    @Override
    public boolean overBudget(String rule, long limitMicros) {
        return false;
    }

    @Override
    public boolean rateLimited(String rule, String key, double perSecond, long burst) {
        return false;
    }

    @Override
    public boolean rateLimited(String rule, String owner, String key, double perSecond, long burst) {
        return false;
    }

    @Override
    public boolean rateLimited(String rule, String tenant, String owner, String key, double perSecond, long burst) {
        return false;
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
