package dev.tollgate.policy.condition;

/** Three-valued logic for questions asked without the whole call (arguments and time unknown). */
public enum Truth {
    TRUE, FALSE, UNKNOWN;

    public static Truth of(boolean value) {
        return value ? TRUE : FALSE;
    }

    public Truth not() {
        return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN;
    }
}
