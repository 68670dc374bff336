package dev.tollgate.policy.detect;

import java.util.List;

/**
 * Reports links to hosts outside an allow list: the links {@link LinkFinder} finds, in the text and again in the text
 * with its HTML character references decoded ({@code https&colon;//}), as HTML attributes and CommonMark destinations
 * are. Each link's hosts are read by {@link LinkHosts}, as found and as read on to where a reader of its context reads
 * it ({@code ![a](https://docs.example.com'@evil.net/p)}, see {@link LinkFinder}); every reading must be allowed.
 */
final class LinkRule implements PatternDetector.Rule {

    private final List<String> allowed;
    private final List<String> allowedFolded;

    /** @param allowed lower-case host names or {@code *.} patterns; {@code allowedFolded} the same read as TextView folds them */
    LinkRule(List<String> allowed, List<String> allowedFolded) {
        this.allowed = List.copyOf(allowed);
        this.allowedFolded = List.copyOf(allowedFolded);
    }

    @Override
    public void scan(TextView text, String detector, Detector.SpanSink out) {
        String s = text.normalized();
        String lower = text.lower();
        // A link two ways of finding it both found (an attribute's value and the link in it) is reported once.
        java.util.TreeMap<Integer, Integer> reported = new java.util.TreeMap<>();
        LinkFinder.find(s, lower.length() == s.length() ? lower : lowerCharByChar(s), text.budget(),
                (start, end, readOnTo, readAs) -> check(text, s, start, end, readOnTo, readAs, null, reported, out));
        CharacterReferences.Decoded decoded = CharacterReferences.decode(s);
        if (decoded != null) {
            String t = decoded.text();
            LinkFinder.find(t, lowerCharByChar(t), text.budget(),
                    (start, end, readOnTo, readAs) -> check(text, t, start, end, readOnTo, readAs, decoded, reported, out));
        }
    }

    /** Lower case with one character for each (the view's lower case can be longer: İ is two). */
    private static String lowerCharByChar(String s) {
        char[] lower = new char[s.length()];
        for (int i = 0; i < lower.length; i++) {
            lower[i] = Character.toLowerCase(s.charAt(i));
        }
        return new String(lower);
    }

    /**
     * Reports the link found at {@code [start, end)} of {@code t} (read as {@code readAs} when not null) when a reading
     * of it, or of it read on to {@code readOnTo}, leads to a host not allowed.
     */
    private void check(TextView text, String t, int start, int end, int readOnTo, String readAs,
            CharacterReferences.Decoded decoded, java.util.TreeMap<Integer, Integer> reported, Detector.SpanSink out) {
        // Read as written by the first pass, unless a decoded reference is in the link or right beside it (the quotes of
        // an attribute inside an attribute: srcdoc="<img src=&quot;//evil.net&quot;>").
        if (decoded != null && !decoded.decodedWithin(Math.max(0, start - 1), Math.min(t.length(), readOnTo + 1))) {
            return;
        }
        int reportEnd = end;
        boolean outside = readAs != null ? !allAllowed(readAs, allowedFolded)
                : !allAllowed(t.substring(start, end), allowedFolded) || !allAllowed(asWritten(text, decoded, start, end), allowed);
        if (!outside && readOnTo > end) {
            outside = !allAllowed(t.substring(start, readOnTo), allowedFolded);
            reportEnd = readOnTo;
        }
        if (!outside) {
            return;
        }
        int from = decoded == null ? start : decoded.from()[start];
        int to = decoded == null ? reportEnd : decoded.to()[reportEnd - 1];
        var before = reported.floorEntry(to - 1);
        if (before != null && before.getValue() > from) {
            return;
        }
        reported.put(from, to);
        text.report(from, to, "url", out);
    }

    /** The link as written (before NFKC and folding, and undecoded references decoded on their own). */
    private static String asWritten(TextView text, CharacterReferences.Decoded decoded, int start, int end) {
        int from = decoded == null ? start : decoded.from()[start];
        int to = decoded == null ? end : decoded.to()[end - 1];
        String written = text.original().substring(text.originalStart(from), text.originalEnd(to));
        if (decoded == null) {
            return written;
        }
        CharacterReferences.Decoded own = CharacterReferences.decode(written);
        return own == null ? written : own.text();
    }

    private static boolean allAllowed(String link, List<String> allowed) {
        for (String host : LinkHosts.of(link)) {
            if (!LinkHosts.allowed(host, allowed)) {
                return false;
            }
        }
        return true;
    }
}
