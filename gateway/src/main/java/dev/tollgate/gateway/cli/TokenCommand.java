package dev.tollgate.gateway.cli;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate token}: mints a development AXID, printed on stdout for {@code -H "X-Waxell-AXID: $(...)"}. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Mint a development X-Waxell-AXID token (Ed25519) from a dev-keys private key.")
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "axid-private.jwk.json from dev-keys")
    Path key;

    @Option(names = "--issuer", defaultValue = "dev", description = "the iss claim (must match identity.axid.issuer) (default: ${DEFAULT-VALUE})")
    String issuer;

    @Option(names = "--audience", defaultValue = "tollgate", description = "the aud claim (must match identity.axid.audience) (default: ${DEFAULT-VALUE})")
    String audience;

    @Option(names = "--ttl-seconds", defaultValue = "300", description = "lifetime, at most 300 (default: ${DEFAULT-VALUE})")
    long ttlSeconds;

    @Option(names = "--tenant", defaultValue = "dev-tenant", description = "the tenant the run acts for (default: ${DEFAULT-VALUE})")
    String tenant;

    @Option(names = "--agent", defaultValue = "dev-agent", description = "the agent slug (default: ${DEFAULT-VALUE})")
    String agent;

    @Option(names = "--run", defaultValue = "run-1", description = "the run id (default: ${DEFAULT-VALUE})")
    String run;

    @Option(names = "--sub", defaultValue = "dev-user", description = "the sub-user the run acts for (default: ${DEFAULT-VALUE})")
    String sub;

    @Option(names = "--parent", defaultValue = "root", description = "the spawn-chain parent (the run that spawned this one) (default: ${DEFAULT-VALUE})")
    String parent;

    @Option(names = "--tree", defaultValue = "tree-1", description = "the spawn tree (budgets are kept per tree) (default: ${DEFAULT-VALUE})")
    String tree;

    @Option(names = "--capability", description = "a capability granted to the run (policy: capability:); repeatable")
    List<String> capabilities = List.of();

    @Override
    public Integer call() throws Exception {
        OctetKeyPair privateKey = OctetKeyPair.parse(Files.readString(key, StandardCharsets.UTF_8));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("tenant", tenant);
        claims.put("agent", agent);
        claims.put("run", run);
        claims.put("sub", sub);
        claims.put("parent", parent);
        claims.put("tree", tree);
        System.out.println(DevAxid.mint(privateKey, issuer, audience, Duration.ofSeconds(ttlSeconds), claims, capabilities));
        return 0;
    }
}
