package dev.tollgate.policy;

import java.util.List;
import java.util.stream.Collectors;

/** Policy files that cannot be loaded; every problem found, not just the first. */
public final class PolicyException extends Exception {

    private final transient List<PolicyProblem> problems;

    public PolicyException(List<PolicyProblem> problems) {
        super(problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<PolicyProblem> problems() {
        return problems;
    }
}
