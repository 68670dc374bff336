package dev.tollgate.bench;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.identity.AxidCache;
import dev.tollgate.gateway.identity.AxidVerifier;
import dev.tollgate.gateway.identity.DevAxid;
import dev.tollgate.gateway.identity.VerifiedAxid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

/** X-Waxell-AXID verification: a cold token (parse + Ed25519 signature + claims) against a cached one. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AxidBenchmark {

    private AxidVerifier verifier;
    private AxidCache cache;
    private String token;

    @Setup
    public void setUp() throws Exception {
        OctetKeyPair key = DevAxid.newKey("k1");
        AxidConfig config = new AxidConfig(null, "bench", "tollgate", "JWT", Duration.ofMinutes(5), Duration.ofSeconds(30),
                AxidConfig.DEFAULT_REQUIRED_CLAIMS, AxidConfig.Forward.STRIP);
        verifier = new AxidVerifier(config, new JWKSet(key.toPublicJWK()));
        cache = new AxidCache(verifier, Clock.systemUTC());
        token = DevAxid.mint(key, "bench", "tollgate", Duration.ofMinutes(5), Map.of("tenant", "acme", "agent", "planner",
                "run", "run-1", "sub", "user", "parent", "root", "tree", "tree-1"), List.of("fs.read"));
        cache.verify(token);
    }

    /** Every call verifies the signature: what the first use of a token costs. */
    @Benchmark
    public VerifiedAxid cold() throws Exception {
        return verifier.verify(token, Instant.now());
    }

    /** A token seen before: one cache lookup. */
    @Benchmark
    public VerifiedAxid cached() throws Exception {
        return cache.verify(token);
    }
}
