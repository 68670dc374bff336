package dev.tollgate.protocols.a2a;

/** A2A service-parameter headers (case-insensitive on the wire); the gateway passes them on unchanged. */
public final class A2aHeaders {
    public static final String VERSION = "A2A-Version";
    public static final String EXTENSIONS = "A2A-Extensions";
    /** 0.3 and the Java SDK 1.0.0.Alpha3 spell them with an X- prefix. */
    public static final String LEGACY_VERSION = "X-A2A-Version";
    public static final String LEGACY_EXTENSIONS = "X-A2A-Extensions";
    /** The 1.0 media type of HTTP+JSON bodies; 0.3 used application/json. */
    public static final String MEDIA_TYPE = "application/a2a+json";

    private A2aHeaders() {
    }
}
