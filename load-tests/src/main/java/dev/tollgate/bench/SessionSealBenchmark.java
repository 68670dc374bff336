package dev.tollgate.bench;

import dev.tollgate.gateway.config.SessionConfig;
import dev.tollgate.gateway.session.SealedSessions;
import dev.tollgate.policy.Identity;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a sealed MCP session id costs per call (issue 16): sealing runs once per session (the answer to initialize),
 * opening on every request that names a session. AES-256-GCM over the upstream's id and the instance URL, with the
 * route and caller as associated data; the previous key listed too, as during a rotation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SessionSealBenchmark {

    private static final String INSTANCE = "http://mcp-tools-1.mcp-tools.svc:3001/mcp";
    private static final String UPSTREAM_ID = "4f9c2a1e-8b7d-4c3a-9e2f-1a6b5c4d3e2f";

    private SealedSessions sessions;
    private Identity caller;
    private String sealed;
    private String sealedWithPreviousKey;

    @Setup
    public void setUp() {
        byte[] current = new byte[32];
        byte[] previous = new byte[32];
        previous[0] = 1;
        caller = new Identity("spiffe://example.org/ns/agents/sa/planner", "acme", "planner", "run-1", "user-7", null, null, null, null);
        SealedSessions old = new SealedSessions(new SessionConfig(List.of(new SessionConfig.Key("previous", previous)), SessionConfig.DEFAULT_MAX_AGE));
        sessions = new SealedSessions(new SessionConfig(List.of(new SessionConfig.Key("current", current), new SessionConfig.Key("previous", previous)),
                SessionConfig.DEFAULT_MAX_AGE));
        sealed = sessions.seal("tools", caller, UPSTREAM_ID, INSTANCE, Instant.now());
        sealedWithPreviousKey = old.seal("tools", caller, UPSTREAM_ID, INSTANCE, Instant.now());
    }

    @Benchmark
    public String seal() {
        return sessions.seal("tools", caller, UPSTREAM_ID, INSTANCE, Instant.now());
    }

    @Benchmark
    public SealedSessions.Opened open() {
        return sessions.open("tools", caller, sealed, Instant.now());
    }

    @Benchmark
    public SealedSessions.Opened openWithPreviousKey() {
        return sessions.open("tools", caller, sealedWithPreviousKey, Instant.now());
    }

    /** A forged id: refused by the tag check, the path an attacker makes the gateway take. */
    @Benchmark
    public SealedSessions.Opened openForged() {
        return sessions.open("other-route", caller, sealed, Instant.now());
    }
}
