package dev.tollgate.policy;

/** ENFORCE applies decisions; SHADOW records them but always lets the call through (trying a policy out). */
public enum Mode {
    ENFORCE, SHADOW
}
