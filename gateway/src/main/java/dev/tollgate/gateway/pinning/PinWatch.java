package dev.tollgate.gateway.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every route's upstream last listed, held against the route's manifest. Process-wide, shared by every event
 * loop (like the other things learnt from upstreams' answers), not part of the reloadable snapshot: a reload that
 * brings a renewed manifest is compared with what the upstream listed before it.
 *
 * <p>A tool is pinned when it is in the manifest and every definition its upstream listed through this replica since the
 * manifest was loaded is the reviewed one (a name listed twice in one list counts as changed); a tool in the manifest whose list was never seen here counts as pinned, since no client can have
 * seen any other definition of it through the gateway. Only names in the manifest are remembered, so an upstream
 * listing a million new tools grows nothing. Each difference (tool and digest) is logged once, with its diff, and
 * counted as {@code tollgate_tool_pin_changes_total{route,change}}
 * (past {@link #MAX_REPORTED} remembered differences, every sighting is counted and none logged).
 */
public final class PinWatch {

    private static final Logger LOG = LoggerFactory.getLogger(PinWatch.class);
    /** The most differences remembered as already logged; past it they are still counted and enforced, no longer logged. */
    static final int MAX_REPORTED = 10_000;

    private final Map<String, Map<String, String>> lastListed = new ConcurrentHashMap<>();
    /** The manifest each route's last-listed digests were compared with: a renewed manifest (other content) starts afresh. */
    private final Map<String, PinManifest> comparedWith = new ConcurrentHashMap<>();
    /** What a name listed twice in one list counts as: never the reviewed definition. */
    static final String LISTED_TWICE = "listed-twice";
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /**
     * What each upstream endpoint last listed of each name, through any route, pinning or not (endpoint and kind, then
     * name to digest): a route that starts pinning (a reload adds it) begins from it, since the model may already have read
     * a changed definition through another route (review AF). At most {@link #MAX_REMEMBERED} names per endpoint.
     */
    private final Map<String, Map<String, String>> listedAtEndpoint = new ConcurrentHashMap<>();
    static final int MAX_REMEMBERED = 10_000;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    /** @param registry where changes are counted; null to count nothing (tests) */
    public PinWatch(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Compares the definitions of one list with the route's manifest, remembers them, and returns the ones that are
     * not the reviewed ones (empty when all are).
     */
    public List<PinChange> observe(String route, RoutePins pins, Iterable<JsonNode> definitions) {
        PinManifest manifest = pins.manifest();
        PinManifest comparedBefore = comparedWith.put(route, manifest);
        if (comparedBefore == null) {
            startFromWhatWasListed(route, pins);
        } else if (!manifest.equals(comparedBefore)) {
            // A renewed manifest (another content: `tollgate pin` writes a fresh pinned-at each run): what was unreviewed
            // may be reviewed now. Compared by value (review AB: by identity, every reload, which reads the same file into a
            // new object, forgot a rug pull, and the rug-pulled tool's calls reached the upstream again).
            lastListed.remove(route);
        }
        Map<String, String> listed = lastListed.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        List<PinChange> changes = new ArrayList<>(0);
        java.util.Set<String> inThisList = new java.util.HashSet<>();
        for (JsonNode definition : definitions) {
            String name = manifest.kind().nameOf(definition);
            if (name == null) {
                continue; // never listed to a client: the response filter drops a definition without a name
            }
            PinManifest.Pin pin = manifest.pins().get(name);
            ObjectNode part = manifest.kind().pinnedPart(definition);
            String digest = inThisList.add(name) ? PinnedDefinitions.digest(part) : LISTED_TWICE;
            if (pin != null) {
                // Once listed otherwise than reviewed, a tool stays unreviewed until the manifest is renewed: a later clean
                // list (to another client, or the reviewed twin after a poisoned one) does not vouch for what was shown.
                String before = listed.get(name);
                if (before == null || before.equals(pin.digest())) {
                    listed.put(name, digest);
                }
                if (pin.digest().equals(digest)) {
                    continue;
                }
            }
            PinChange change = pin == null
                    ? new PinChange(name, PinState.NEW, null, digest)
                    : new PinChange(name, PinState.CHANGED, pin.digest(), digest);
            changes.add(change);
            report(route, change, pin == null ? null : pin.definition(), part);
        }
        return changes;
    }

    /** Where a tool stands on a route: {@link PinState#NOT_PINNING} when the route pins nothing. */
    public PinState state(String route, RoutePins pins, String name) {
        if (pins == null) {
            return PinState.NOT_PINNING;
        }
        PinManifest compared = comparedWith.get(route);
        if (compared == null && comparedWith.putIfAbsent(route, pins.manifest()) == null) {
            startFromWhatWasListed(route, pins);
        } else if (compared != null && compared != pins.manifest()) {
            // Compared by value once per new object (a reload reads the same file into a new one), then by identity.
            if (!compared.equals(pins.manifest())) {
                lastListed.remove(route);
            }
            comparedWith.put(route, pins.manifest());
        }
        PinManifest.Pin pin = pins.manifest().pins().get(name);
        if (pin == null) {
            return PinState.NEW;
        }
        Map<String, String> listed = lastListed.get(route);
        String seen = listed == null ? null : listed.get(name);
        return seen == null || seen.equals(pin.digest()) ? PinState.PINNED : PinState.CHANGED;
    }

    /**
     * Notes what a list answered through any route names (every route, pinning or not): the definitions an upstream endpoint
     * showed the model, for routes that start pinning later.
     */
    public void remember(Set<String> endpoints, PinnedDefinitions.Kind kind, Iterable<JsonNode> definitions) {
        if (endpoints.isEmpty()) {
            return;
        }
        Map<String, String> digests = new java.util.HashMap<>();
        for (JsonNode definition : definitions) {
            String name = kind.nameOf(definition);
            if (name != null) {
                digests.put(name, digests.containsKey(name) ? LISTED_TWICE : PinnedDefinitions.digest(kind.pinnedPart(definition)));
            }
        }
        for (String endpoint : endpoints) {
            Map<String, String> listed = listedAtEndpoint.computeIfAbsent(endpoint + '\0' + kind, e -> new ConcurrentHashMap<>());
            digests.forEach((name, digest) -> {
                if (listed.size() < MAX_REMEMBERED || listed.containsKey(name)) {
                    listed.put(name, digest);
                }
            });
        }
    }

    /** A route seen for the first time begins with what its endpoints last listed of its pinned names through other routes. */
    private void startFromWhatWasListed(String route, RoutePins pins) {
        Map<String, String> listed = lastListed.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        for (String endpoint : pins.endpoints()) {
            Map<String, String> seen = listedAtEndpoint.get(endpoint + '\0' + pins.manifest().kind());
            if (seen == null) {
                continue;
            }
            pins.manifest().pins().forEach((name, pin) -> {
                String digest = seen.get(name);
                if (digest != null && !digest.equals(pin.digest())) {
                    listed.putIfAbsent(name, digest);
                }
            });
        }
    }

    /**
     * Logs and counts a difference the first time it is seen (a tool and the digest listed for it). The diff is built
     * only for the line logged: an upstream repeating a rug pull on every list costs a digest, not a diff, each time.
     */
    private void report(String route, PinChange change, JsonNode reviewed, JsonNode listedPart) {
        String key = route + '\0' + change.name() + '\0' + change.listed();
        boolean full = reported.size() >= MAX_REPORTED;
        if (!full && !reported.add(key)) {
            return;
        }
        if (registry != null) {
            counters.computeIfAbsent(route + '\0' + change.state().label(), k -> Counter.builder("tollgate.tool.pin.changes")
                    .description("Tool definitions listed by an upstream that are not the reviewed ones, counted once each")
                    .tag("route", route).tag("change", change.state().label()).register(registry)).increment();
        }
        if (!full) {
            LOG.warn("pinning: route {} lists {} {} (reviewed {}, listed {}); review and pin again with tollgate pin --route {}:\n  {}",
                    route, com.fasterxml.jackson.databind.node.TextNode.valueOf(change.name()), change.state() == PinState.NEW ? "which is not in the manifest" : "with a changed definition",
                    change.pinned() == null ? "never" : change.pinned(), change.listed(), route, String.join("\n  ", DefinitionDiff.between(reviewed, listedPart)));
        }
    }
}
