package dev.tollgate.policy.prefilter;

import dev.tollgate.policy.condition.CaseFold;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;

/**
 * Finds which of many literals occur in a text in one pass, whatever their number (Aho-Corasick). Literals and
 * text are compared after {@link CaseFold#fold}. Hand-written: no library in the build does this, and the job
 * is small (a trie, failure links, one loop).
 *
 * <p>Layout for a few thousand literals: the root's moves are a dense table over every UTF-16 unit (the root
 * is where the scan spends most of its time), other states keep their few edges in one sorted array. Each
 * state that ends a literal knows its id; {@code dictionary} links a state to the longest proper suffix that
 * also ends one, so every literal ending at a position is reported.
 */
public final class AhoCorasick {

    private final int[] rootNext;
    private final int[] edgeStart;
    private final char[] edgeChar;
    private final int[] edgeTarget;
    private final int[] failure;
    private final int[] literalAt;
    private final int[] dictionary;
    private final int literalCount;

    private AhoCorasick(int[] rootNext, int[] edgeStart, char[] edgeChar, int[] edgeTarget, int[] failure, int[] literalAt,
                        int[] dictionary, int literalCount) {
        this.rootNext = rootNext;
        this.edgeStart = edgeStart;
        this.edgeChar = edgeChar;
        this.edgeTarget = edgeTarget;
        this.failure = failure;
        this.literalAt = literalAt;
        this.dictionary = dictionary;
        this.literalCount = literalCount;
    }

    /** An automaton for the literals, distinct and each already folded; literal {@code k} is reported as id {@code k}. */
    public static AhoCorasick of(List<String> literals) {
        // Build a trie with per-state child lists, then flatten it.
        List<char[]> childChars = new ArrayList<>();
        List<int[]> childStates = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        childChars.add(new char[0]);
        childStates.add(new int[0]);
        ends.add(-1);
        for (int id = 0; id < literals.size(); id++) {
            String literal = literals.get(id);
            if (literal.isEmpty()) {
                throw new IllegalArgumentException("empty literal");
            }
            int state = 0;
            for (int k = 0; k < literal.length(); k++) {
                char c = literal.charAt(k);
                int next = child(childChars.get(state), childStates.get(state), c);
                if (next < 0) {
                    next = childChars.size();
                    childChars.add(new char[0]);
                    childStates.add(new int[0]);
                    ends.add(-1);
                    char[] chars = Arrays.copyOf(childChars.get(state), childChars.get(state).length + 1);
                    int[] states = Arrays.copyOf(childStates.get(state), chars.length);
                    chars[chars.length - 1] = c;
                    states[states.length - 1] = next;
                    childChars.set(state, chars);
                    childStates.set(state, states);
                }
                state = next;
            }
            if (ends.get(state) >= 0) {
                throw new IllegalArgumentException("duplicate literal: " + literal);
            }
            ends.set(state, id);
        }
        int states = childChars.size();
        int[] edgeStart = new int[states + 1];
        for (int s = 0; s < states; s++) {
            edgeStart[s + 1] = edgeStart[s] + childChars.get(s).length;
        }
        char[] edgeChar = new char[edgeStart[states]];
        int[] edgeTarget = new int[edgeStart[states]];
        for (int s = 0; s < states; s++) {
            char[] chars = childChars.get(s);
            int[] targets = childStates.get(s);
            Integer[] order = new Integer[chars.length];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (x, y) -> Character.compare(chars[x], chars[y]));
            for (int k = 0; k < order.length; k++) {
                edgeChar[edgeStart[s] + k] = chars[order[k]];
                edgeTarget[edgeStart[s] + k] = targets[order[k]];
            }
        }
        int[] rootNext = new int[Character.MAX_VALUE + 1];
        for (int e = edgeStart[0]; e < edgeStart[1]; e++) {
            rootNext[edgeChar[e]] = edgeTarget[e];
        }
        int[] literalAt = ends.stream().mapToInt(Integer::intValue).toArray();
        int[] failure = new int[states];
        int[] dictionary = new int[states];
        // Breadth first: a state's failure is found from its parent's, which is shallower.
        Queue<Integer> queue = new ArrayDeque<>();
        for (int e = edgeStart[0]; e < edgeStart[1]; e++) {
            queue.add(edgeTarget[e]);
        }
        while (!queue.isEmpty()) {
            int s = queue.remove();
            for (int e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
                int t = edgeTarget[e];
                char c = edgeChar[e];
                int f = failure[s];
                int next;
                while (true) {
                    next = f == 0 ? rootNext[c] : find(edgeStart, edgeChar, edgeTarget, f, c);
                    if (next >= 0 || f == 0) {
                        break;
                    }
                    f = failure[f];
                }
                failure[t] = Math.max(next, 0);
                dictionary[t] = literalAt[failure[t]] >= 0 ? failure[t] : dictionary[failure[t]];
                queue.add(t);
            }
        }
        return new AhoCorasick(rootNext, edgeStart, edgeChar, edgeTarget, failure, literalAt, dictionary, literals.size());
    }

    private static int child(char[] chars, int[] states, char c) {
        for (int k = 0; k < chars.length; k++) {
            if (chars[k] == c) {
                return states[k];
            }
        }
        return -1;
    }

    /** The target of state {@code s} on {@code c}, or -1. Edge lists are sorted: short ones scanned, long ones halved. */
    private static int find(int[] edgeStart, char[] edgeChar, int[] edgeTarget, int s, char c) {
        int lo = edgeStart[s];
        int hi = edgeStart[s + 1] - 1;
        while (hi - lo > 6) {
            int mid = (lo + hi) >>> 1;
            if (edgeChar[mid] < c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int e = lo; e <= hi; e++) {
            char x = edgeChar[e];
            if (x == c) {
                return edgeTarget[e];
            }
            if (x > c) {
                return -1;
            }
        }
        return -1;
    }

    public int literalCount() {
        return literalCount;
    }

    /**
     * Marks in {@code found} (a bit per literal id, then one more: at least {@code literalCount / 64 + 1} words)
     * each literal that occurs, and sets bit {@code literalCount} when the text has a non-ASCII character.
     */
    public void scan(String text, long[] found) {
        int state = 0;
        char any = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char raw = text.charAt(i);
            any |= raw;
            char c = CaseFold.fold(raw);
            while (true) {
                if (state == 0) {
                    state = rootNext[c];
                    break;
                }
                int next = find(edgeStart, edgeChar, edgeTarget, state, c);
                if (next >= 0) {
                    state = next;
                    break;
                }
                state = failure[state];
            }
            // Report this state's literal and its suffixes'; one already reported had its suffixes reported too.
            for (int t = literalAt[state] >= 0 ? state : dictionary[state]; t != 0; t = dictionary[t]) {
                int id = literalAt[t];
                long bit = 1L << id;
                if ((found[id >>> 6] & bit) != 0) {
                    break;
                }
                found[id >>> 6] |= bit;
            }
        }
        if (any >= 0x80) {
            found[literalCount >>> 6] |= 1L << literalCount;
        }
    }
}
