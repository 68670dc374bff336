package dev.tollgate.gateway.pipeline;

import java.util.List;

/**
 * Upstream- or client-chosen text (tool names, definitions' names) as a log message carries it. The TEXT log format
 * prints a message as it is: a name holding a line break wrote a forged log line, and one holding ESC sent a terminal
 * escape (OSC 52, a clipboard write) to the operator's terminal (review BK). logback.xml's TEXT pattern cleans every
 * message too; this keeps the message itself clean for any other layout (the JSON format escapes it either way).
 */
final class LogText {

    /** The most characters of a list's entries one message holds; the rest are counted ("and 12 more"). */
    static final int MAX_LIST_CHARS = 8192;

    private LogText() {
    }

    /**
     * The text with every control character (C0, DEL, C1) and the Unicode line and paragraph separators replaced by
     * {@code _}, as the access log writes such text.
     */
    static String clean(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !unsafe(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder clean = new StringBuilder(text.length()).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            clean.append(unsafe(c) ? '_' : c);
        }
        return clean.toString();
    }

    /**
     * A list of chosen entries for a log message: {@code [a, b]}, each {@link #clean}, its first entries up to
     * {@link #MAX_LIST_CHARS} characters in all (the first one cut to fit) and then how many more there were. An upstream
     * listing 300 poisoned tools of 1,000-character names wrote one 300 KB line (review BK); the audit record has them all.
     */
    static String entries(List<String> entries) {
        List<String> shown = dev.tollgate.gateway.telemetry.CallAttributes.bounded(entries, MAX_LIST_CHARS);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shown.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(clean(shown.get(i)));
        }
        b.append(']');
        if (shown.size() < entries.size()) {
            b.append(" and ").append(entries.size() - shown.size()).append(" more");
        }
        return b.toString();
    }

    /**
     * Whether a character must not reach a log line as it is: the C0 controls, DEL, the C1 controls (NEL U+0085 a line
     * break, CSI U+009B a terminal escape) and the Unicode line and paragraph separators, which log shippers and
     * terminals may read as a new line or a command (reviews AN, BK). The access log's text and JSON forms use it too.
     */
    static boolean unsafe(char c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029';
    }
}
