package dev.tollgate.gateway.support;

import dev.tollgate.gateway.config.SessionConfig;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.policy.Identity;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** A known session-sealing key for tests that send the gateway a session id of their own making. */
public final class TestSessions {

    public static final String KEY_ID = "test-key";
    private static final byte[] SECRET = new byte[32];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) (i * 7 + 1);
        }
    }

    /** The top-level YAML giving a gateway this key. */
    public static final String YAML = "sessions: {keys: [{id: " + KEY_ID + ", secret: \"" + Base64.getEncoder().encodeToString(SECRET) + "\"}]}";

    private TestSessions() {
    }

    public static SealedSessions sealer() {
        return new SealedSessions(new SessionConfig(List.of(new SessionConfig.Key(KEY_ID, SECRET)), SessionConfig.DEFAULT_MAX_AGE));
    }

    /** What the gateway hands an anonymous caller of the route for the upstream's session id. */
    public static String sealed(String route, String upstreamId) {
        return sealer().seal(route, Identity.ANONYMOUS, upstreamId, Instant.now());
    }

    /** What the gateway hands an anonymous caller of the route for an event id the upstream wrote (its Last-Event-ID). */
    public static String sealedEventId(String route, String upstreamEventId) {
        return sealedEventId(route, upstreamEventId, null);
    }

    /** The same, for an event of a stream answering {@code call} (null: none or several calls). */
    public static String sealedEventId(String route, String upstreamEventId, dev.tollgate.gateway.session.StreamCall call) {
        return sealer().sealEventId(route, Identity.ANONYMOUS, upstreamEventId, call, Instant.now());
    }
}
