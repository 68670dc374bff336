package dev.tollgate.policy.condition;

/**
 * A Python pattern RE2/J can run, but not for every text as Python means it, paired with the same pattern on the
 * step-budgeted java.util.regex path; each search takes RE2/J (linear, the common case) when it answers exactly:
 * <ul>
 *   <li>{@code \b}/{@code \B}: Python reads them with Unicode word characters (letters, numbers, underscore of
 *       every script), RE2 with ASCII ones. The two agree at every position unless a neighbour is a non-ASCII
 *       letter or number, so only a text holding one goes to Java, where {@code \b} is spelled as Python means it.</li>
 *   <li>A text longer than RE2/J may scan for this pattern (big patterns scan fewer characters, see
 *       {@link LinearRegex#maxInputChars()}): Java, whose budget counts the work actually done rather than the
 *       worst case, so an ordinary 1 KiB prompt is searched instead of denied.</li>
 * </ul>
 *
 * @param unicodeBoundary whether the pattern has {@code \b} or {@code \B}
 */
public record TwoEngineRegex(LinearRegex linear, BacktrackingRegex backtracking, boolean unicodeBoundary) implements PolicyRegex {

    @Override
    public boolean find(String text) {
        boolean linearExact = text.length() <= linear.maxInputChars() && !(unicodeBoundary && hasNonAsciiWordChar(text));
        return linearExact ? linear.find(text) : backtracking.find(text);
    }

    /** Whether a non-ASCII letter or number occurs: only those make ASCII and Unicode {@code \b} differ. */
    static boolean hasNonAsciiWordChar(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) >= 0x80) {
                int cp = text.codePointAt(i);
                if (Character.isLetter(cp) || PythonRegex.isNumber(cp)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public int maxInputChars() {
        return backtracking.maxInputChars();
    }

    @Override
    public String toString() {
        return backtracking.toString();
    }
}
