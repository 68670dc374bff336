package dev.tollgate.gateway.cli;

import dev.tollgate.gateway.identity.DevPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate dev-certs --out DIR}: a development trust domain, a gateway SVID and a client SVID, as PEM files. */
@Command(name = "dev-certs", mixinStandardHelpOptions = true,
        description = "Create a development SPIFFE trust domain: DIR/bundle.pem (CA), DIR/gateway.pem + gateway-key.pem "
                + "(spiffe://TD/tollgate, also valid for localhost), DIR/client.pem + client-key.pem (spiffe://TD/agents/dev).")
final class DevCertsCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--trust-domain", defaultValue = "dev.tollgate.local", description = "(default: ${DEFAULT-VALUE})")
    String trustDomain;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        DevPki.Issued ca = DevPki.ca(trustDomain);
        Files.writeString(out.resolve("bundle.pem"), DevPki.pem(ca.certificate()));
        DevPki.write(out, "gateway", DevPki.serverSvid(ca, "spiffe://" + trustDomain + "/tollgate", Duration.ofDays(30), "localhost"));
        DevPki.write(out, "client", DevPki.serverSvid(ca, "spiffe://" + trustDomain + "/agents/dev", Duration.ofDays(30)));
        System.out.println("wrote " + out + "/{bundle.pem, gateway.pem, gateway-key.pem, client.pem, client-key.pem}");
        System.out.printf("listener in gateway.yaml:%n  tls: {cert-chain: %1$s/gateway.pem, private-key: %1$s/gateway-key.pem, "
                + "trust-bundle: %1$s/bundle.pem, trust-domains: [%2$s]}%n", out.toAbsolutePath(), trustDomain);
        System.out.printf("then: curl --cacert %1$s/bundle.pem --cert %1$s/client.pem --key %1$s/client-key.pem https://localhost:8443/mcp ...%n",
                out.toAbsolutePath());
        return 0;
    }
}
