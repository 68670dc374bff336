package dev.tollgate.policy.detect;

/**
 * Generic secrets: tokens of 24 to 512 characters from the alphabet keys and tokens are written in (letters, digits,
 * {@code + / _ = -}) with enough entropy per character, found by one pass over the text (no expression: every text has
 * such runs to look at, and a single loop is several times cheaper than a regex pass).
 */
final class HighEntropyTokens implements PatternDetector.Rule {

    static final int MIN_LENGTH = 24;
    static final int MAX_LENGTH = 512;

    private final double threshold;

    HighEntropyTokens(double threshold) {
        this.threshold = threshold;
    }

    @Override
    public void scan(TextView text, String detector, Detector.SpanSink out) {
        if (text.readOnlyAroundSeams()) {
            // Not in a reading with markup taken out: it joins runs the marks kept apart (`user_id`/`page_1`), which would
            // read as new long tokens; a known key format split by markup is still found there by its expression.
            return;
        }
        String s = text.normalized();
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean token = i < s.length() && tokenChar(s.charAt(i));
            if (token && start < 0) {
                start = i;
            } else if (!token && start >= 0) {
                int length = i - start;
                if (length >= MIN_LENGTH && length <= MAX_LENGTH && !pathLike(s, start, i)
                        && Detectors.highEntropySecret(s.substring(start, i), threshold)) {
                    text.report(start, i, "high_entropy", out);
                }
                start = -1;
            }
        }
    }

    /**
     * A URL's path (a port and its path: {@code 45791/agents/ruled/a2a/jsonrpc}), not a key: it holds a slash and, unlike
     * base64 (whose slashes come with both cases, {@code +} and {@code =}), no capital letter, plus or equals sign. Such a
     * path's entropy crossed the threshold for some port numbers, withholding an agent card that named its own URL.
     */
    private static boolean pathLike(String s, int start, int end) {
        boolean slash = false;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z' || c == '+' || c == '=') {
                return false;
            }
            slash |= c == '/';
        }
        return slash;
    }

    private static boolean tokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '=' || c == '-';
    }
}
