package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Action;
import dev.tollgate.policy.Decision;
import dev.tollgate.policy.Mode;
import java.util.List;

/**
 * The one decision a request with several (a JSON-RPC batch) shows in its span, its metric and the admin page's row:
 * the one an operator most needs to see, the first of them on ties. An enforced denial (or hold) before a would-be
 * denial of a shadow policy, before an audit, before an allow. Review AN: the span showed the first decision and the
 * metric the last, so an audited call put behind an allowed one was sampled out with the allowed calls, and one put
 * before an allowed one was counted as allowed.
 */
final class ShownDecision {

    private ShownDecision() {
    }

    /** The index of the decision shown; -1 when policy decided nothing (every entry null, or none). */
    static int indexOf(List<Decision> decisions) {
        int shown = -1;
        int shownRank = 0;
        for (int i = 0, n = decisions.size(); i < n; i++) {
            Decision d = decisions.get(i);
            int rank = d == null ? 0 : rank(d);
            if (rank > shownRank) {
                shown = i;
                shownRank = rank;
            }
        }
        return shown;
    }

    /** The decision shown; null when policy decided nothing. */
    static Decision of(List<Decision> decisions) {
        int i = indexOf(decisions);
        return i < 0 ? null : decisions.get(i);
    }

    private static int rank(Decision d) {
        if (d.enforcedDeny()) {
            return 4;
        }
        if (d.mode() == Mode.SHADOW && (d.action() == Action.DENY || d.action() == Action.APPROVE)) {
            return 3;
        }
        return d.action() == Action.AUDIT ? 2 : 1;
    }
}
