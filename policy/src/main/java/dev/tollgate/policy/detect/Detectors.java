package dev.tollgate.policy.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The detectors Tollgate ships, in the spirit of AGT's {@code MCPResponseScanner}: what a poisoned tool result uses to
 * steer a model (instruction tags, injection phrases, links that carry data away) and what it must not leak
 * (credentials, personal data). Every expression is RE2 (linear time) and reads the normalized text (see
 * {@link TextView}); case-insensitive matching is Unicode-aware.
 */
public final class Detectors {

    private Detectors() {
    }

    /** Tags and markers that pose as a higher-authority turn of the conversation. */
    public static Detector instructionTags() {
        return new PatternDetector("instruction_tags", List.of(
                new PatternDetector.RegexRule("system_tag", PatternDetector.anyOf("system", "important", "instruction", "admin", "assistant", "developer"),
                        "(?i)</?\\s*(?:system|important|instructions?|admin|assistant|developer)(?:\\s[^>]{0,40})?>"),
                new PatternDetector.RegexRule("chat_template", PatternDetector.anyOf("<|", "inst]", "sys>>"),
                        "(?i)<\\|\\s*(?:im_start|im_end|system|endoftext|start_header_id)\\s*\\|>|\\[/?INST\\]|<</?SYS>>"),
                new PatternDetector.RegexRule("role_header", PatternDetector.anyOf("system", "instruction", "assistant"),
                        "(?im)^\\s*#{1,6}\\s*(?:system|instructions?)\\s*:?\\s*$|(?im)^\\s*(?:system|assistant)\\s*:\\s")));
    }

    /** Imperative phrases that try to replace the model's instructions. */
    public static Detector injectionPhrases() {
        String prior = "(?:previous|prior|above|earlier|preceding|all|any|your|the)";
        String orders = "(?:instructions?|directions?|prompts?|rules|guidelines|messages|context)";
        return new PatternDetector("injection_phrases", List.of(
                new PatternDetector.RegexRule("ignore_instructions", PatternDetector.anyOf("ignore", "disregard", "forget", "override", "bypass"),
                        "(?i)\\b(?:ignore|disregard|forget|override|bypass)\\s+(?:all\\s+|any\\s+)?" + prior + "(?:\\s+" + prior
                                + ")?(?:\\s+[\\p{L}-]{2,20})?\\s+" + orders).madeOf(phrase("-")),
                new PatternDetector.RegexRule("new_instructions", PatternDetector.anyOf("instruction"),
                        "(?i)\\b(?:new|updated|real|actual)\\s+instructions?\\s*:").madeOf(phrase(":")),
                // "You are now in" a mode ("in developer mode"), not in a queue or a meeting.
                new PatternDetector.RegexRule("role_change", PatternDetector.anyOf("now"),
                        "(?i)\\byou\\s+are\\s+now\\s+(?:a|an|the)\\b|\\byou\\s+are\\s+now\\s+in\\s+(?:[\\w-]+\\s+){0,3}mode\\b"
                                + "|\\bfrom\\s+now\\s+on,?\\s+you\\b").madeOf(phrase("0123456789_-,")),
                new PatternDetector.RegexRule("hide_from_user", PatternDetector.anyOf("user"),
                        "(?i)\\b(?:do\\s+not|don't|never)\\s+(?:tell|inform|mention|reveal|show)\\s+(?:this\\s+to\\s+)?(?:the\\s+)?user\\b").madeOf(phrase("'")),
                new PatternDetector.RegexRule("prompt_exfiltration", PatternDetector.anyOf("prompt", "instructions"),
                        "(?i)\\b(?:reveal|print|repeat|output|show)\\s+(?:your|the)\\s+(?:system\\s+)?(?:prompt|instructions)\\b").madeOf(phrase(""))));
    }

    /** Well-known credential formats, and long high-entropy tokens (generic secrets) when {@code entropy} is above 0. */
    public static Detector secrets(double entropyBitsPerChar) {
        List<PatternDetector.Rule> rules = new ArrayList<>(List.of(
                new PatternDetector.RegexRule("aws_access_key", PatternDetector.anyOf("akia", "asia", "agpa", "aida", "aroa", "anpa"),
                        "\\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16})\\b"),
                new PatternDetector.RegexRule("github_token", PatternDetector.anyOf("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
                        "\\b((?:gh[pousr]_[A-Za-z0-9]{36,255})|(?:github_pat_[A-Za-z0-9_]{22,255}))\\b"),
                new PatternDetector.RegexRule("slack_token", PatternDetector.anyOf("xox"), "\\b(xox[abposr]-[A-Za-z0-9-]{10,250})\\b"),
                new PatternDetector.RegexRule("stripe_key", PatternDetector.anyOf("_live_"), "\\b((?:sk|rk)_live_[0-9a-zA-Z]{24,99})\\b"),
                new PatternDetector.RegexRule("google_api_key", PatternDetector.anyOf("aiza"), "\\b(AIza[0-9A-Za-z_-]{35})\\b"),
                new PatternDetector.RegexRule("anthropic_key", PatternDetector.anyOf("sk-ant-"), "\\b(sk-ant-[A-Za-z0-9_-]{32,200})\\b"),
                new PatternDetector.RegexRule("openai_key", PatternDetector.anyOf("sk-"), "\\b(sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{32,200})\\b",
                        token -> !token.startsWith("sk-ant-")),
                // The whole block, to its END line (or the end of the text): redacting only the header would relay the key.
                new PatternDetector.RegexRule("private_key", PatternDetector.anyOfReaching(64 * 1024, "private key"),
                        "-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
                                + "(?:-----END (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----|$)"),
                new PatternDetector.RegexRule("jwt", PatternDetector.anyOf("eyj"), "\\b(eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})\\b"),
                new PatternDetector.RegexRule("password_assignment", PatternDetector.anyOf("pass", "pwd", "secret", "key", "token"),
                        "(?i)\\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|token)\\s*[:=]\\s*[\"']?([^\\s\"']{8,})")));
        if (entropyBitsPerChar > 0) {
            rules.add(new HighEntropyTokens(entropyBitsPerChar));
        }
        return new PatternDetector("secrets", rules);
    }

    /** Personal data of the given kinds: email, phone, card (Luhn-checked), ssn (US), nino (UK), iban (checksum). */
    public static Detector pii(Set<String> kinds) {
        List<PatternDetector.Rule> rules = new ArrayList<>();
        if (kinds.contains("email")) {
            rules.add(new PatternDetector.RegexRule("email", PatternDetector.anyOf("@"),
                    "(?i)\\b[\\p{L}0-9._%+-]{1,64}@[\\p{L}0-9-]{1,63}(?:\\.[\\p{L}0-9-]{1,63})*\\.\\p{L}{2,24}\\b"));
        }
        if (kinds.contains("phone")) {
            rules.add(new PatternDetector.RegexRule("phone", PatternDetector.digitRun(8).and(PatternDetector.anyOf("+")),
                    "(?:^|[^0-9+])(\\+[1-9][0-9]{0,2}[ .-]?(?:\\(?[0-9]{1,4}\\)?[ .-]?){2,4}[0-9]{2,4})(?:$|[^0-9])",
                    m -> digits(m).length() >= 8 && digits(m).length() <= 15).madeOf(ascii("0123456789+ .-()")));
            rules.add(new PatternDetector.RegexRule("phone", PatternDetector.digitRun(10),
                    "(?:^|[^0-9])(\\(?[2-9][0-9]{2}\\)?[ .-][0-9]{3}[ .-][0-9]{4})(?:$|[^0-9])").madeOf(ascii("0123456789() .-")));
        }
        if (kinds.contains("card")) {
            rules.add(new PatternDetector.RegexRule("card", PatternDetector.digitRun(13),
                    "(?:^|[^0-9])([0-9](?:[ -]?[0-9]){12,18})(?:$|[^0-9])", m -> luhn(digits(m))).madeOf(ascii("0123456789 -")));
        }
        if (kinds.contains("ssn")) {
            rules.add(new PatternDetector.RegexRule("ssn", PatternDetector.digitRun(9).and(PatternDetector.anyOf("-")),
                    "(?:^|[^0-9])((?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])-(?:0[1-9]|[1-9][0-9])-(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3}))(?:$|[^0-9])").madeOf(ascii("0123456789-")));
        }
        if (kinds.contains("nino")) {
            rules.add(new PatternDetector.RegexRule("nino", PatternDetector.digitRun(6).and(PatternDetector.capitalsThenDigits(2, 2)),
                    "\\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D])\\b").madeOf(ascii(CAPITALS_DIGITS_SPACE)));
        }
        if (kinds.contains("iban")) {
            rules.add(new PatternDetector.RegexRule("iban", PatternDetector.digitRun(6).and(PatternDetector.capitalsThenDigits(2, 2)),
                    "\\b([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\\b", Detectors::ibanValid).madeOf(ascii(CAPITALS_DIGITS_SPACE)));
        }
        return new PatternDetector("pii", rules);
    }

    private static final String CAPITALS_DIGITS_SPACE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";

    /**
     * What a phrase rule's matches are made of (see {@link PatternDetector.RegexRule#alphabet}): letters of any script
     * ({@code (?i)} reads the Kelvin sign and the long s as ASCII letters, {@code \p{L}} any letter; a surrogate may be
     * half of one), spaces, and the rule's own {@code punctuation}. Checked against each rule by RuleAlphabetsFixATTest.
     */
    private static java.util.function.IntPredicate phrase(String punctuation) {
        return c -> Character.isLetter(c) || Character.isSurrogate((char) c) || Character.isWhitespace(c) || punctuation.indexOf(c) >= 0;
    }

    /** What a rule's matches are made of when its expression names only these ASCII characters (no {@code (?i)}). */
    private static java.util.function.IntPredicate ascii(String characters) {
        return c -> characters.indexOf(c) >= 0;
    }

    /** Every kind {@link #pii} knows. */
    public static final Set<String> PII_KINDS = Set.of("email", "phone", "card", "ssn", "nino", "iban");

    /**
     * Links to hosts outside {@code allowed} (exact host names, or {@code *.example.com} for subdomains): plain URLs and
     * markdown links and images, the usual way a result gets a model to send data away in a query string.
     */
    public static Detector exfiltrationUrls(List<String> allowed) {
        List<String> hosts = allowed.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        // A link is allowed only when its host is allowed as written and as folded (TextView): a look-alike host in
        // other letters (Cyrillic аррӏе.com folds to apple.com) is not the allowed one; an allowed host in those letters
        // is allowed in both readings, its folded entry read against the folded link.
        List<String> foldedHosts = hosts.stream().map(h -> TextView.of(h).normalized().toLowerCase(Locale.ROOT)).toList();
        return new PatternDetector("exfiltration_urls", List.of(new LinkRule(hosts, foldedHosts)));
    }

    static String digits(String s) {
        StringBuilder d = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                d.append(s.charAt(i));
            }
        }
        return d.toString();
    }

    static boolean luhn(String digits) {
        if (digits.length() < 13 || digits.length() > 19 || digits.chars().distinct().count() == 1) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                d = d > 9 ? d - 9 : d;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    static boolean ibanValid(String candidate) {
        String iban = candidate.replace(" ", "");
        if (iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        String moved = iban.substring(4) + iban.substring(0, 4);
        int mod = 0;
        for (int i = 0; i < moved.length(); i++) {
            char c = moved.charAt(i);
            int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
            mod = v > 9 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
        }
        return mod == 1;
    }

    /**
     * A token is taken for a generated secret when its Shannon entropy is at least {@code threshold} bits per character
     * and it mixes letters and digits. Hex digests (32, 40, 64, 128 hex digits) and UUIDs are what tool results
     * legitimately hold (commit ids, checksums, request ids) and are left alone.
     */
    static boolean highEntropySecret(String token, double threshold) {
        boolean letters = false;
        boolean digits = false;
        boolean hexOnly = true;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            letters |= Character.isLetter(c);
            digits |= Character.isDigit(c);
            hexOnly &= Character.digit(c, 16) >= 0;
        }
        if (!letters || !digits || hexOnly && Set.of(32, 40, 64, 128).contains(token.length())) {
            return false;
        }
        return entropy(token) >= threshold;
    }

    static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double h = 0;
        for (int count : counts) {
            if (count > 0) {
                double p = (double) count / s.length();
                h -= p * (Math.log(p) / Math.log(2));
            }
        }
        if (other > 0) {
            double p = (double) other / s.length();
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }
}
