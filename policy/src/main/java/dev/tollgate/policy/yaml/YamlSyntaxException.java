package dev.tollgate.policy.yaml;

/** YAML that cannot be parsed (syntax error, duplicate key), with the line where the parser stopped. */
public final class YamlSyntaxException extends Exception {

    private final int line;

    public YamlSyntaxException(int line, String message) {
        super(message, null, false, false);
        this.line = line;
    }

    /** 1-based line, or 0 when unknown. */
    public int line() {
        return line;
    }
}
