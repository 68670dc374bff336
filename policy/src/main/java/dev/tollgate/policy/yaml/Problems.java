package dev.tollgate.policy.yaml;

import dev.tollgate.policy.PolicyProblem;
import java.util.ArrayList;
import java.util.List;

/** Collects located problems for one file while it is compiled. */
public final class Problems {

    private final String file;
    private final LocatedYaml yaml;
    private final List<PolicyProblem> list = new ArrayList<>();

    public Problems(String file, LocatedYaml yaml) {
        this.file = file;
        this.yaml = yaml;
    }

    /** @param pointer JSON pointer of the offending node, e.g. {@code /rules/2/condition/arg} */
    public void add(String pointer, String message) {
        list.add(new PolicyProblem(file, yaml == null ? 0 : yaml.lineOf(pointer), dotted(pointer), message));
    }

    public int lineOf(String pointer) {
        return yaml == null ? 0 : yaml.lineOf(pointer);
    }

    public String file() {
        return file;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<PolicyProblem> list() {
        return list;
    }

    /** {@code /rules/0/condition} → {@code rules[0].condition}. */
    public static String dotted(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(part).append(']');
            } else {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(part.replace("~1", "/").replace("~0", "~"));
            }
        }
        return sb.toString();
    }
}
