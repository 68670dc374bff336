package dev.tollgate.policy.agt;

/** A document that cannot be imported at all: not an AGT document, or one without a name. */
public final class AgtImportException extends Exception {

    public AgtImportException(String message) {
        super(message);
    }
}
