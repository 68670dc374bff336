package dev.tollgate.gateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in configuration text before it is parsed.
 * {@code $${} escapes a literal {@code ${}. Substitution works line by line so that line numbers in
 * later error messages still point at the operator's file.
 */
final class EnvSubstitution {

    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private EnvSubstitution() {
    }

    /** Returns the substituted text; records a problem for each variable that is unset and has no default. */
    static String apply(String text, Map<String, String> env, String file, List<ConfigProblem> problems) {
        String[] lines = text.split("\n", -1);
        List<String> out = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            out.add(substituteLine(lines[i], i + 1, env, file, problems));
        }
        return String.join("\n", out);
    }

    private static String substituteLine(String line, int lineNo, Map<String, String> env, String file,
                                         List<ConfigProblem> problems) {
        if (line.indexOf('$') < 0 || line.stripLeading().startsWith("#")) {
            // Comment lines are left alone: documentation may show ${VAR} without defining VAR.
            return line;
        }
        Matcher m = PLACEHOLDER.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$${")) {
                replacement = "${";
            } else {
                String value = env.get(m.group(1));
                if (value == null || (value.isEmpty() && m.group(2) != null)) {
                    value = m.group(2);
                }
                if (value == null) {
                    problems.add(new ConfigProblem(file, lineNo, "",
                            "environment variable " + m.group(1) + " is not set and has no default (use ${"
                                    + m.group(1) + ":-value})"));
                    value = "";
                }
                replacement = value;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
