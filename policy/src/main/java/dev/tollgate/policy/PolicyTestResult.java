package dev.tollgate.policy;

/** The outcome of one policy test case: expected and actual as "action (rule)". */
public record PolicyTestResult(String name, String file, int line, boolean passed, String expected, String actual) {

    @Override
    public String toString() {
        return (passed ? "PASS " : "FAIL ") + file + ":" + line + " " + name + (passed ? "" : ": expected " + expected + ", got " + actual);
    }
}
