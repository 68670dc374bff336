package dev.tollgate.policy.detect;

/**
 * Text glued after a link read as a shell reads a command's word, for an agent that pastes a link into one: quotes
 * removed, parameters expanded, cut at an operator. Not a shell: arithmetic, brace, tilde and history expansion and
 * here-strings are not modelled (see LinkHosts for what refuses text holding those shapes outright).
 */
final class ShellReading {

    private ShellReading() {
    }

    /**
     * The glued text as a shell reads it, starting inside {@code openQuote} (0: outside quotes): up to its first
     * operator outside quotes ({@code ; | & ( ) < >}), quotes removed and parameters ({@code $1}, {@code $*}, {@code $name}, <code>${…}</code>, unset or empty in a model's
     * shell) expanded to nothing: {@code ".ev"il".n$1et)} is {@code .evil.net}.
     */
    static String word(String text, char openQuote) {
        StringBuilder words = new StringBuilder(text.length());
        char quote = openQuote;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && (c == '"' || c == '\'') || c == quote) {
                quote = quote == 0 ? c : 0;
            } else if (quote == 0 && c == '(') {
                return ""; // a word glued to "(" is a syntax error: no shell runs it (".tr(" is Ruby)
            } else if (quote == 0 && ";|&)<>".indexOf(c) >= 0) {
                break;
            } else if (c == '$' && quote != '\'' && i + 1 < text.length()) {
                i = parameterEnd(text, i + 1) - 1;
            } else {
                words.append(c);
            }
        }
        return words.toString();
    }

    /** Where the shell parameter after a {@code $} at {@code from - 1} ends. */
    private static int parameterEnd(String text, int from) {
        char c = text.charAt(from);
        if (c == '{') {
            int close = text.indexOf('}', from);
            return close < 0 ? text.length() : close + 1;
        }
        if (Character.isDigit(c) || "*@#?-$!".indexOf(c) >= 0) {
            return from + 1;
        }
        int end = from;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
            end++;
        }
        return end;
    }

    /**
     * Whether a backquote opens a command ({@code `dirname x`} prints the dot). A link inside inline code or a template
     * literal is not read on past its closing backquote (see LinkFinder), so any backquote in glued text opens one.
     */
    static boolean opensCommand(String text) {
        return text.indexOf('`') >= 0;
    }
}
