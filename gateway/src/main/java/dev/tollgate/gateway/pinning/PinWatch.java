package dev.tollgate.gateway.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.ref.WeakReference;
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
 * seen any other definition of it through the gateway. The newest manifest of a route is the one compared with: an
 * exchange begun under the one it replaced (a GET stream, a call in flight across the reload) renews and clears nothing.
 * Only names in the manifest are remembered, so an upstream
 * listing a million new tools grows nothing. Each difference (tool and digest) is logged once, with its diff, and
 * counted as {@code tollgate_tool_pin_changes_total{route,change}}
 * (past {@link #MAX_REPORTED} remembered differences, every sighting is counted and none logged).
 */
public final class PinWatch {

    private static final Logger LOG = LoggerFactory.getLogger(PinWatch.class);
    /** The most differences remembered as already logged; past it they are still counted and enforced, no longer logged. */
    static final int MAX_REPORTED = 10_000;

    /**
     * Each route's watch: the newest manifest it was compared with (by value) and what its upstream listed since. A
     * renewed manifest (another content: `tollgate pin` writes a fresh pinned-at each run) replaces the watch with a
     * fresh one, whose record starts empty; the manifest instances it replaced are kept (weakly, by identity) as retired.
     */
    private final Map<String, RouteWatch> watches = new ConcurrentHashMap<>();
    /** What a name listed twice in one list counts as: never the reviewed definition. */
    static final String LISTED_TWICE = "listed-twice";
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /**
     * What each upstream endpoint listed of each name, through any route, pinning or not (by endpoint and kind): a route
     * that starts pinning (a reload adds it, or renames a pinning route) begins from it, since the model may already have
     * read a changed definition through another route (review AF). The names a serving manifest pins for the endpoint are
     * always remembered; of the others, at most {@link #MAX_REMEMBERED}, first come (review BG: an upstream that listed
     * 10,000 throwaway tools first pushed its pinned tool's rug pull out of the memory).
     */
    private final Map<String, EndpointMemory> listedAtEndpoint = new ConcurrentHashMap<>();
    static final int MAX_REMEMBERED = 10_000;
    /** The most retired manifest instances remembered per route (each still held by an exchange begun under it). */
    static final int MAX_RETIRED = 1_000;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    /**
     * The definitions an endpoint listed of one name: the first one, and the last one that differed from it (null while
     * every list showed the first). Any of them other than the reviewed one was shown to the model, so a later clean list
     * does not vouch for it (review BC: only the last one was kept, and a rug pull reverted before the pinning route was
     * added was forgotten).
     */
    private record Listed(String first, String other) {

        Listed with(String digest) {
            return digest.equals(first) || digest.equals(other) ? this : new Listed(first, digest);
        }

        /** A digest listed that is not the pinned one, or null when every one listed was. */
        String otherThan(String pinned) {
            return !first.equals(pinned) ? first : other;
        }

        /** What both listed (each a digest other than any pinned one when either holds one). */
        Listed and(Listed more) {
            Listed both = with(more.first);
            return more.other == null ? both : both.with(more.other);
        }
    }

    /**
     * What one endpoint (and kind) listed of each name. The names pinned for it by a manifest serving now are kept
     * apart and never pushed out: an upstream cannot add to them (they are the operator's), so listing many names fills
     * only the rest, which holds at most {@link #MAX_REMEMBERED} names, first come. A name a reload stops pinning moves
     * to the rest ahead of names never pinned (a route the reload removed may come back).
     */
    private static final class EndpointMemory {
        /** What was listed of the names in {@link #pinnedNames} (and, for a moment across a reload, of names it just left). */
        final Map<String, Listed> pinned = new ConcurrentHashMap<>();
        final Map<String, Listed> others = new ConcurrentHashMap<>();
        /** The names the serving manifests pin for this endpoint; replaced on each reload (under the PinWatch). */
        volatile Set<String> pinnedNames = Set.of();

        void listed(String name, String digest) {
            if (pinnedNames.contains(name)) {
                pinned.merge(name, new Listed(digest, null), (before, now) -> before.with(digest));
            } else if (others.size() < MAX_REMEMBERED || others.containsKey(name)) {
                others.merge(name, new Listed(digest, null), (before, now) -> before.with(digest));
            } else if (pinnedNames.contains(name)) {
                // A reload pinned it meanwhile.
                pinned.merge(name, new Listed(digest, null), (before, now) -> before.with(digest));
            }
        }

        /** What was listed of a name, or null when nothing remembered. */
        Listed of(String name) {
            Listed kept = pinned.get(name);
            Listed other = others.get(name);
            return kept == null ? other : other == null ? kept : kept.and(other);
        }

        /** Called under the PinWatch: the names the serving manifests pin now. */
        void pin(Set<String> names) {
            pinnedNames = Set.copyOf(names);
            for (String name : names) {
                Listed was = others.remove(name);
                if (was != null) {
                    pinned.merge(name, was, Listed::and);
                }
            }
            Set<String> unpinned = new java.util.HashSet<>();
            for (String name : List.copyOf(pinned.keySet())) {
                if (!names.contains(name)) {
                    Listed was = pinned.remove(name);
                    if (was != null) {
                        others.merge(name, was, Listed::and);
                        unpinned.add(name);
                    }
                }
            }
            // Names once pinned go before names never pinned; never more than MAX_REMEMBERED of them all.
            if (others.size() > MAX_REMEMBERED) {
                for (java.util.Iterator<String> it = others.keySet().iterator(); it.hasNext() && others.size() > MAX_REMEMBERED; ) {
                    if (!unpinned.contains(it.next())) {
                        it.remove();
                    }
                }
                for (java.util.Iterator<String> it = others.keySet().iterator(); it.hasNext() && others.size() > MAX_REMEMBERED; ) {
                    it.next();
                    it.remove();
                }
            }
        }
    }

    /** One route's manifest (by value), the instances of it known, and what was listed under it. */
    private static final class RouteWatch {
        final PinManifest manifest;
        /** Each name's first definition listed otherwise than reviewed, or the reviewed one while only it was listed. */
        final Map<String, String> listed = new ConcurrentHashMap<>();
        /** The last instance found equal to {@link #manifest}: compared by identity first. */
        volatile PinManifest lastInstance;
        /** Every instance found equal to {@link #manifest} (weakly held), retired with it when it is renewed; guarded by the PinWatch. */
        final List<WeakReference<PinManifest>> instances = new ArrayList<>();

        RouteWatch(PinManifest manifest) {
            this.manifest = manifest;
            this.lastInstance = manifest;
            this.instances.add(new WeakReference<>(manifest));
        }
    }

    /** A route's watch, and whether the manifest asked about is one that watch's manifest replaced (an exchange begun before the renewal). */
    private record Resolved(RouteWatch watch, boolean stale) {
    }

    /** @param registry where changes are counted; null to count nothing (tests) */
    public PinWatch(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Notes the manifests of a configuration as it starts serving (at start and on each reload, before it serves): one
     * that differs from the one compared with before is the renewed one, even if an older configuration had it (the
     * operator went back to it), and what was listed before it is forgotten; the one it replaced is retired.
     */
    public void serving(Map<String, RoutePins> pins) {
        synchronized (this) {
            // First the names each endpoint must remember whatever else its upstream lists, then the routes (a renamed
            // route starts from what its endpoints remember).
            Map<String, Set<String>> pinnedAt = new java.util.HashMap<>();
            pins.values().forEach(routePins -> routePins.endpoints().forEach(endpoint -> pinnedAt
                    .computeIfAbsent(memoryKey(endpoint, routePins.manifest().kind()), k -> new java.util.HashSet<>())
                    .addAll(routePins.manifest().pins().keySet())));
            pinnedAt.keySet().forEach(key -> listedAtEndpoint.computeIfAbsent(key, k -> new EndpointMemory()));
            listedAtEndpoint.forEach((key, memory) -> memory.pin(pinnedAt.getOrDefault(key, Set.of())));
            pins.forEach((route, routePins) -> resolve(route, routePins, true));
        }
    }

    private static String memoryKey(String endpoint, PinnedDefinitions.Kind kind) {
        return dev.tollgate.gateway.routing.ServerEndpoints.sameServer(endpoint) + '\0' + kind;
    }

    /**
     * The route's watch for a manifest. A manifest seen for the first time on the route (and not retired) is the newer
     * one: it replaces the route's watch. A retired one, which an exchange begun before a renewal still holds, changes
     * nothing (review BC: a list observed under it cleared what was listed under the renewed one). Creating and
     * replacing a watch is done under a lock, so two event loops never replace each other's findings.
     */
    private Resolved resolve(String route, RoutePins pins, boolean servingNow) {
        PinManifest manifest = pins.manifest();
        RouteWatch watch = watches.get(route);
        if (watch != null && (watch.lastInstance == manifest || watch.manifest == manifest)) {
            return new Resolved(watch, false);
        }
        synchronized (this) {
            watch = watches.get(route);
            if (watch == null) {
                watch = new RouteWatch(manifest);
                startFromWhatWasListed(watch, pins);
                watches.put(route, watch);
                return new Resolved(watch, false);
            }
            if (watch.manifest.equals(manifest)) {
                // Compared by value once per new object, then by identity (review AB: a reload reads the same file into a new
                // object, and comparing by identity forgot every rug pull on each reload).
                if (watch.lastInstance != manifest) {
                    watch.lastInstance = manifest;
                    remember(watch.instances, manifest);
                }
                return new Resolved(watch, false);
            }
            if (!servingNow && retired(route, manifest)) {
                return new Resolved(watch, true);
            }
            // A renewed manifest: what was unreviewed may be reviewed now.
            List<WeakReference<PinManifest>> old = retiredInstances.computeIfAbsent(route, r -> new ArrayList<>());
            watch.instances.forEach(ref -> {
                PinManifest instance = ref.get();
                if (instance != null && instance != manifest) {
                    remember(old, instance);
                }
            });
            old.removeIf(ref -> ref.get() == manifest);
            RouteWatch renewed = new RouteWatch(manifest);
            watches.put(route, renewed);
            return new Resolved(renewed, false);
        }
    }

    /** Manifest instances replaced by a renewed one, per route (guarded by this). */
    private final Map<String, List<WeakReference<PinManifest>>> retiredInstances = new java.util.HashMap<>();

    private boolean retired(String route, PinManifest manifest) {
        List<WeakReference<PinManifest>> old = retiredInstances.get(route);
        if (old == null) {
            return false;
        }
        old.removeIf(ref -> ref.get() == null);
        for (WeakReference<PinManifest> ref : old) {
            if (ref.get() == manifest) {
                return true;
            }
        }
        return false;
    }

    private static void remember(List<WeakReference<PinManifest>> instances, PinManifest instance) {
        instances.removeIf(ref -> ref.get() == null);
        for (WeakReference<PinManifest> ref : instances) {
            if (ref.get() == instance) {
                return;
            }
        }
        if (instances.size() >= MAX_RETIRED) {
            instances.remove(0);
        }
        instances.add(new WeakReference<>(instance));
    }

    /**
     * Compares the definitions of one list with the route's manifest, remembers them, and returns the ones that are
     * not the reviewed ones (empty when all are). A list observed under a retired manifest (an exchange begun before a
     * renewal) is held against it for the changes returned, and recorded against the manifest serving now, clearing nothing.
     */
    public List<PinChange> observe(String route, RoutePins pins, Iterable<JsonNode> definitions) {
        return observe(route, pins, definitions, List.of());
    }

    /**
     * As {@link #observe(String, RoutePins, Iterable)}, the names logged read with {@code nameDetectors} (the route policy's)
     * and the always-on ones (review CG: a name holding what the policy detects was logged in clear).
     */
    public List<PinChange> observe(String route, RoutePins pins, Iterable<JsonNode> definitions,
                                   List<dev.tollgate.policy.detect.Detector> nameDetectors) {
        PinManifest manifest = pins.manifest();
        Resolved resolved = resolve(route, pins, false);
        PinManifest recordedAgainst = resolved.watch().manifest;
        Map<String, String> listed = resolved.watch().listed;
        List<PinChange> changes = new ArrayList<>(0);
        java.util.Set<String> inThisList = new java.util.HashSet<>();
        for (JsonNode definition : definitions) {
            String name = manifest.kind().nameOf(definition);
            if (name == null) {
                continue; // never listed to a client: the response filter drops a definition without a name
            }
            ObjectNode part = manifest.kind().pinnedPart(definition);
            String digest = inThisList.add(name) ? PinnedDefinitions.digest(part) : LISTED_TWICE;
            PinManifest.Pin recorded = recordedAgainst.pins().get(name);
            if (recorded != null) {
                // Once listed otherwise than reviewed, a tool stays unreviewed until the manifest is renewed: a later clean
                // list (to another client, or the reviewed twin after a poisoned one) does not vouch for what was shown.
                listed.compute(name, (n, before) -> before == null || before.equals(recorded.digest()) ? digest : before);
            }
            PinManifest.Pin pin = manifest.pins().get(name);
            if (pin != null && pin.digest().equals(digest)) {
                continue;
            }
            PinChange change = pin == null
                    ? new PinChange(name, PinState.NEW, null, digest)
                    : new PinChange(name, PinState.CHANGED, pin.digest(), digest);
            changes.add(change);
            report(route, change, pin == null ? null : pin.definition(), part, nameDetectors);
        }
        return changes;
    }

    /**
     * Where a tool stands on a route: {@link PinState#NOT_PINNING} when the route pins nothing. Under a retired manifest
     * (an exchange begun before a renewal) what was listed under the serving one is held against the retired pin.
     */
    public PinState state(String route, RoutePins pins, String name) {
        if (pins == null) {
            return PinState.NOT_PINNING;
        }
        Resolved resolved = resolve(route, pins, false);
        PinManifest.Pin pin = pins.manifest().pins().get(name);
        if (pin == null) {
            return PinState.NEW;
        }
        String seen = resolved.watch().listed.get(name);
        return seen == null || seen.equals(pin.digest()) ? PinState.PINNED : PinState.CHANGED;
    }

    /**
     * Notes what a list answered through any route names (every route, pinning or not): the definitions an upstream endpoint
     * showed the model, for routes that start pinning later. Endpoints are compared as
     * {@link dev.tollgate.gateway.routing.ServerEndpoints#sameServer} spells them.
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
            EndpointMemory memory = listedAtEndpoint.computeIfAbsent(memoryKey(endpoint, kind), e -> new EndpointMemory());
            digests.forEach(memory::listed);
        }
    }

    /** How many names an endpoint remembers (tests). */
    int rememberedAt(String endpoint, PinnedDefinitions.Kind kind) {
        EndpointMemory memory = listedAtEndpoint.get(memoryKey(endpoint, kind));
        return memory == null ? 0 : memory.pinned.size() + memory.others.size();
    }

    /** A route seen for the first time begins with what its endpoints listed of its pinned names through other routes. */
    private void startFromWhatWasListed(RouteWatch watch, RoutePins pins) {
        for (String endpoint : pins.endpoints()) {
            EndpointMemory seen = listedAtEndpoint.get(memoryKey(endpoint, pins.manifest().kind()));
            if (seen == null) {
                continue;
            }
            pins.manifest().pins().forEach((name, pin) -> {
                Listed listed = seen.of(name);
                String other = listed == null ? null : listed.otherThan(pin.digest());
                if (other != null) {
                    watch.listed.putIfAbsent(name, other);
                }
            });
        }
    }

    /**
     * Logs and counts a difference the first time it is seen (a tool and the digest listed for it). The diff is built
     * only for the line logged: an upstream repeating a rug pull on every list costs a digest, not a diff, each time.
     */
    private void report(String route, PinChange change, JsonNode reviewed, JsonNode listedPart,
                        List<dev.tollgate.policy.detect.Detector> nameDetectors) {
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
                    route, com.fasterxml.jackson.databind.node.TextNode.valueOf(dev.tollgate.gateway.telemetry.WrittenNames.of(change.name(),
                            nameDetectors)), change.state() == PinState.NEW ? "which is not in the manifest" : "with a changed definition",
                    change.pinned() == null ? "never" : change.pinned(), change.listed(), route, String.join("\n  ",
                            DefinitionDiff.between(reviewed, listedPart, nameDetectors == null ? List.of() : nameDetectors)));
        }
    }
}
