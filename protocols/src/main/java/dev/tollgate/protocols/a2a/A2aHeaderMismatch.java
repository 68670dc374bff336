package dev.tollgate.protocols.a2a;

/** Two A2A service-parameter headers an agent could choose between say different things; answered, never forwarded. */
public final class A2aHeaderMismatch extends Exception {

    public A2aHeaderMismatch(String message) {
        super(message, null, false, false);
    }
}
