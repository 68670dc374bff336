package dev.tollgate.gateway.cli;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.tollgate.gateway.identity.DevAxid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate dev-keys --out DIR}: a development AXID signing key and the JWKS the gateway verifies with. */
@Command(name = "dev-keys", mixinStandardHelpOptions = true,
        description = "Create a development Ed25519 key for AXIDs: DIR/axid-private.jwk.json (keep secret) and DIR/axid.jwks.json (for identity.axid.jwks-file).")
final class DevKeysCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--kid", defaultValue = "dev-1", description = "key id (default: ${DEFAULT-VALUE})")
    String kid;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        OctetKeyPair key = DevAxid.newKey(kid);
        Path secret = out.resolve("axid-private.jwk.json");
        Files.writeString(secret, key.toJSONString(), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            System.err.println("warning: could not restrict permissions on " + secret);
        }
        Files.writeString(out.resolve("axid.jwks.json"), new JWKSet(key.toPublicJWK()).toString(true), StandardCharsets.UTF_8);
        System.out.println("wrote " + secret + " (private, for `tollgate token --key`) and " + out.resolve("axid.jwks.json") + " (public)");
        System.out.println("gateway.yaml:\n  identity:\n    axid:\n      jwks-file: " + out.resolve("axid.jwks.json")
                + "\n      issuer: dev\n      audience: tollgate");
        return 0;
    }
}
