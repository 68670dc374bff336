package dev.tollgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigLoader;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RouteConfig;
import dev.tollgate.gateway.pinning.DefinitionDiff;
import dev.tollgate.gateway.pinning.PinManifest;
import dev.tollgate.gateway.pinning.PinnedDefinitions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate pin --config FILE --route R}: records the tool definitions (A2A skills) the route's upstream lists
 * now as the route's reviewed manifest, printing what differs from the manifest already there; with {@code --check},
 * only compares (exit 1 when anything differs), for CI jobs that watch for rug pulls between deployments.
 */
@Command(name = "pin", mixinStandardHelpOptions = true,
        description = "Record the tool definitions (A2A skills) a route's upstream lists now as its reviewed pin manifest, "
                + "showing what changed since the last one. With --check, compare only: exit 1 when anything differs.")
final class PinCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gateway.yaml holding the route")
    Path config;

    @Option(names = {"-r", "--route"}, required = true, paramLabel = "NAME", description = "the route whose upstream is pinned")
    String route;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "where to write the manifest (default: the route's pinning.manifest)")
    Path output;

    @Option(names = "--check", description = "compare the upstream with the manifest and write nothing; exit 1 on any difference")
    boolean check;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME: VALUE",
            description = "a header sent to the upstream with every request (its credential, for example); repeatable")
    List<String> headers = List.of();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT15S",
            description = "how long each request to the upstream may take (ISO-8601, default PT15S)")
    Duration timeout;

    @Override
    public Integer call() {
        GatewayConfig gateway;
        try {
            gateway = ConfigLoader.load(config);
        } catch (ConfigException e) {
            VerifyCommand.printProblems(e);
            return 1;
        }
        RouteConfig r = gateway.routes().stream().filter(x -> x.name().equals(route)).findFirst().orElse(null);
        if (r == null) {
            System.err.printf("error: no route named '%s' in %s (routes: %s)%n", route, config,
                    String.join(", ", gateway.routes().stream().map(RouteConfig::name).toList()));
            return 2;
        }
        Path file = output != null ? output : r.pinning() != null ? r.pinning().manifest() : null;
        if (file == null) {
            System.err.printf("error: route %s has no pinning.manifest; give --output FILE (and add pinning: {manifest: FILE} to the route)%n",
                    route);
            return 2;
        }
        if (r.upstreamTls() != null) {
            System.err.printf("error: route %s reaches its upstream with SPIFFE mTLS, which tollgate pin does not speak; "
                    + "run it against a plain or HTTPS address of the same server with --config of a copy of the route%n", route);
            return 2;
        }
        Map<String, String> extra = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                System.err.printf("error: --header must be 'Name: value', got '%s'%n", header);
                return 2;
            }
            extra.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        URI url = r.upstream();
        PinnedDefinitions.Kind kind = r.protocol() == Protocol.A2A ? PinnedDefinitions.Kind.SKILLS : PinnedDefinitions.Kind.TOOLS;
        PinManifest now;
        try {
            UpstreamDefinitions upstream = new UpstreamDefinitions(extra, timeout);
            List<JsonNode> definitions = kind == PinnedDefinitions.Kind.TOOLS ? upstream.mcpTools(url) : upstream.a2aSkills(url);
            now = PinManifest.record(route, kind, definitions, url.toString(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        } catch (IOException | IllegalArgumentException e) {
            System.err.printf("error: cannot list the %s of %s: %s%n", kind.yamlKey(), url, e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        PinManifest before = null;
        if (Files.exists(file)) {
            try {
                before = PinManifest.load(file);
            } catch (IllegalArgumentException e) {
                System.out.println("note: the manifest there now cannot be read (" + e.getMessage() + "); it is replaced whole");
            }
        }
        int differences = printDifferences(System.out, before, now);
        if (check) {
            System.out.printf("%s: %d %s of route %s at %s, %d difference(s) from %s%n", differences == 0 ? "OK" : "CHANGED",
                    now.pins().size(), kind.yamlKey(), route, url, differences, file);
            return differences == 0 ? 0 : 1;
        }
        try {
            now.write(file);
        } catch (IOException e) {
            System.err.printf("error: cannot write %s: %s%n", file, e.getMessage());
            return 1;
        }
        System.out.printf("pinned %d %s of route %s from %s into %s (%d difference(s) from the previous manifest); "
                + "review them, commit the file, and the gateway reloads it%n", now.pins().size(), kind.yamlKey(), route, url, file, differences);
        return 0;
    }

    /** Prints what is new, changed or gone since the previous manifest; the number of such tools. */
    static int printDifferences(PrintStream out, PinManifest before, PinManifest now) {
        Map<String, PinManifest.Pin> old = before == null ? Map.of() : before.pins();
        int differences = 0;
        for (PinManifest.Pin pin : now.pins().values()) {
            PinManifest.Pin was = old.get(pin.name());
            if (was == null) {
                out.printf("  new: %s%n", pin.name());
                differences++;
            } else if (!was.digest().equals(pin.digest())) {
                out.printf("  changed: %s%n", pin.name());
                DefinitionDiff.between(was.definition(), pin.definition()).forEach(line -> out.printf("    %s%n", line));
                differences++;
            }
        }
        for (String name : old.keySet()) {
            if (!now.pins().containsKey(name)) {
                out.printf("  removed: %s%n", name);
                differences++;
            }
        }
        return differences;
    }
}
