package dev.tollgate.policy;

/** One reason a policy file (or test file) was rejected: file, line, field, message. */
public record PolicyProblem(String file, int line, String field, String message) {

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file;
        return field.isEmpty() ? where + ": " + message : where + ": " + field + ": " + message;
    }
}
