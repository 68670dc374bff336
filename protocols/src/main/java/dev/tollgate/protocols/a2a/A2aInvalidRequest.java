package dev.tollgate.protocols.a2a;

/** An A2A request whose parameters are not what its method needs; answered as invalid params, never forwarded. */
public final class A2aInvalidRequest extends Exception {

    public A2aInvalidRequest(String message) {
        super(message, null, false, false);
    }
}
