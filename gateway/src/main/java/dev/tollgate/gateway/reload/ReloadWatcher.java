package dev.tollgate.gateway.reload;

import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.config.ConfigException;
import dev.tollgate.gateway.config.ConfigProblem;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.config.LiveConfig;
import dev.tollgate.gateway.pipeline.GatewaySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload: watches the config file and the policy directory (each file's modification time, size and content
 * digest, polled on its own thread so no event loop ever reads a file), rebuilds the whole snapshot when anything changed, and
 * swaps it in atomically. A file that does not validate is rejected with file, line and reason, and the
 * previous snapshot keeps serving. Polling rather than WatchService: it behaves the same on every file
 * system, including the bind mounts and ConfigMap symlink swaps of container deployments.
 */
public final class ReloadWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadWatcher.class);

    private final Path configFile;
    private final Gateway gateway;
    private final Load loader;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tollgate-reload");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<Path, FileStamp> lastSeen;
    /** A change seen but not yet settled, and since when it has looked the same (the watcher's thread only). */
    private Map<Path, FileStamp> pending;
    private long pendingSinceNanos;
    /** When the files were first seen differing from the last load; reset by a load. */
    private long changingSinceNanos;
    private Duration settle = SETTLE;
    private Duration maxSettleWait = MAX_SETTLE_WAIT;

    /**
     * How long the watched files must stay unchanged before a change is loaded. A file written in place ({@code cp},
     * a script's redirect, an editor without atomic save) is seen between its truncation and its last write; loaded
     * then, a policy cut after its first rules is valid YAML with the later deny rules missing, and would serve until
     * the next poll. Waiting for the files to settle closes that window for any writer faster than this; an atomic
     * rename (ConfigMaps, most editors) never shows a partial file at all.
     */
    static final Duration SETTLE = Duration.ofMillis(250);

    /**
     * How long files may keep changing before they are loaded as they are, with a warning: a policy file some process
     * rewrites without pause must not keep every other change from ever loading.
     */
    static final Duration MAX_SETTLE_WAIT = Duration.ofSeconds(5);

    /**
     * How far before the initial load's start a file's modification time may lie and still be an edit made after it:
     * the time comes from the kernel's coarse clock (up to a tick, 4-10 ms, behind the precise clock the start was
     * read from), and some file systems round it to one or two seconds.
     */
    static final Duration MODIFIED_TIME_SLACK = Duration.ofSeconds(2);

    /**
     * What a watched file looked like. The modification time alone misses an edit made within the same clock tick as
     * the previous one (a truncate then a write, an editor's two saves), so the content's digest is part of it; the
     * time stays in it so that touching a file still reloads it.
     */
    private record FileStamp(FileTime modified, String digest) {
        static final FileStamp MISSING = new FileStamp(FileTime.fromMillis(0), "");
    }

    /** How a snapshot is read from the files: {@link SnapshotLoader#load}, or a test's stand-in around it. */
    @FunctionalInterface
    interface Load {
        GatewaySnapshot load(Path configFile) throws ConfigException;
    }

    public ReloadWatcher(Path configFile, Gateway gateway, SnapshotLoader loader) {
        this(configFile, gateway, (Load) loader::load);
    }

    ReloadWatcher(Path configFile, Gateway gateway, Load loader) {
        this.configFile = configFile;
        this.gateway = gateway;
        this.loader = loader;
    }

    /**
     * Starts polling every {@code interval}; the current files are taken as already loaded. They are read here, on the
     * caller's thread, before this returns: read later on the watcher's thread, a file changed in between (right after
     * start) was taken as already loaded and never reloaded.
     */
    public ReloadWatcher start(Duration interval) {
        return start(interval, null);
    }

    /**
     * As {@link #start(Duration)}, for a snapshot whose files were read from {@code loadStarted} on: a file changed since
     * then (an edit between the initial load and this start, which the first fingerprint would take as loaded) is
     * reloaded at once. A file written up to {@link #MODIFIED_TIME_SLACK} before that time is reloaded too (once, for
     * nothing when it had been read whole; a reload is idempotent): its recorded time may lag the edit.
     */
    public ReloadWatcher start(Duration interval, java.time.Instant loadStarted) {
        lastSeen = fingerprint();
        java.time.Instant changedSince = loadStarted == null ? null : loadStarted.minus(MODIFIED_TIME_SLACK);
        if (changedSince != null && lastSeen.values().stream().anyMatch(stamp -> stamp.modified().toInstant().compareTo(changedSince) >= 0)) {
            LOG.info("reload: a file changed while the configuration was first loaded; loading it again");
            thread.execute(this::reload);
        }
        thread.scheduleWithFixedDelay(this::reloadIfChanged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Reloads now, whatever the modification times say (admin {@code POST /reload}). */
    public CompletableFuture<ReloadResult> reloadNow() {
        return CompletableFuture.supplyAsync(() -> {
            lastSeen = fingerprint();
            return reload();
        }, thread);
    }

    /** Tests: a settle time other than {@link #SETTLE}; set before {@link #start}. */
    ReloadWatcher settlingFor(Duration settle) {
        return settlingFor(settle, MAX_SETTLE_WAIT);
    }

    /** Tests: a settle time and a longest wait other than {@link #SETTLE} and {@link #MAX_SETTLE_WAIT}. */
    ReloadWatcher settlingFor(Duration settle, Duration maxWait) {
        this.settle = settle;
        this.maxSettleWait = maxWait;
        return this;
    }

    /**
     * Loads a change once the files have looked the same for {@link #settle}: the first poll that sees it asks for
     * one more look after the settle time (so a change still loads within about a poll interval plus the settle), and
     * every further change restarts the wait.
     */
    private void reloadIfChanged() {
        Map<Path, FileStamp> now = fingerprint();
        if (now.equals(lastSeen)) {
            pending = null;
            return;
        }
        long nanos = System.nanoTime();
        if (pending == null) {
            changingSinceNanos = nanos;
        }
        boolean waitedLongEnough = nanos - changingSinceNanos >= maxSettleWait.toNanos();
        if (!now.equals(pending) && !waitedLongEnough) {
            pending = now;
            pendingSinceNanos = nanos;
            thread.schedule(this::reloadIfChanged, settle.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (!waitedLongEnough && nanos - pendingSinceNanos < settle.toNanos()) {
            return;
        }
        if (waitedLongEnough) {
            LOG.warn("reload: the watched files kept changing for {} ms; loading them as they are now", maxSettleWait.toMillis());
        }
        pending = null;
        lastSeen = now;
        reload();
    }

    private ReloadResult reload() {
        reloadSvids();
        try {
            List<GatewayConfig> watched = List.of(gateway.snapshot().config());
            GatewaySnapshot next;
            while (true) {
                Map<Path, FileStamp> before = fingerprint(watched);
                next = loader.load(configFile);
                if (!fingerprint(watched).equals(before)) {
                    // The files moved while they were read: what was loaded may mix two versions, or hold half of one.
                    LOG.warn("reload: files changed while being read; keeping the previous configuration until they settle");
                    lastSeen = before;
                    gateway.metrics().reloaded(false);
                    return new ReloadResult(false, List.of("files changed while being read; reload again once they are written"), List.of());
                }
                List<GatewayConfig> named = List.of(watched.get(0), next.config());
                if (watched.size() == 2 || fingerprint(named).keySet().equals(before.keySet())) {
                    break;
                }
                // The new configuration reads files the previous one did not name (another policy directory, a pricing file):
                // nothing watched them during this read, so it is read once more with them watched too.
                watched = named;
            }
            List<String> needRestart = gateway.swap(next);
            LOG.info("reload: applied {} ({} route(s), {} polic(ies)){}", configFile, next.config().routes().size(),
                    next.policies().all().size(), needRestart.isEmpty() ? "" : "; restart needed for " + needRestart);
            gateway.metrics().reloaded(true);
            return new ReloadResult(true, List.of(), needRestart);
        } catch (ConfigException e) {
            List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
            problems.forEach(p -> LOG.error("reload rejected, previous configuration still serving: {}", p));
            gateway.metrics().reloaded(false);
            return new ReloadResult(false, problems, List.of());
        } catch (RuntimeException e) {
            LOG.error("reload failed, previous configuration still serving", e);
            gateway.metrics().reloaded(false);
            return new ReloadResult(false, List.of(e.toString()), List.of());
        }
    }

    /**
     * Re-reads the mTLS listeners' SVIDs and bundles (rotation): new handshakes use the new files, open
     * connections are not dropped. A bad file is logged and the previous SVID keeps serving.
     */
    private void reloadSvids() {
        gateway.services().svids().forEach((listener, source) -> {
            try {
                source.reload();
            } catch (Exception e) {
                LOG.error("reload: listener {} keeps its previous SVID: {}", listener, e.getMessage());
            }
        });
    }

    /** The stamps of the files the serving configuration reads. */
    private Map<Path, FileStamp> fingerprint() {
        return fingerprint(List.of(gateway.snapshot().config()));
    }

    /** The stamps of the config file and of what each configuration reads: policy files, AXID keys, SVID files, pin manifests, pricing. */
    private Map<Path, FileStamp> fingerprint(List<GatewayConfig> configs) {
        Map<Path, FileStamp> times = new TreeMap<>();
        record(times, configFile);
        configs.forEach(config -> record(times, config));
        return times;
    }

    private static void record(Map<Path, FileStamp> times, GatewayConfig config) {
        config.listeners().stream()
                .filter(l -> l.tls() != null && l.tls().source() == dev.tollgate.gateway.config.TlsConfig.Source.FILES).forEach(l -> {
            record(times, l.tls().certChain());
            record(times, l.tls().privateKey());
            record(times, l.tls().trustBundle());
        });
        if (config.axid() != null) {
            record(times, config.axid().jwksFile());
        }
        config.routes().stream().filter(r -> r.pinning() != null).forEach(r -> record(times, r.pinning().manifest()));
        java.nio.file.Path pricing = config.budget().pricing().source();
        if (pricing != null) {
            record(times, pricing);
        }
        Path policies = config.policyDirectory();
        if (policies != null && Files.isDirectory(policies)) {
            try (Stream<Path> files = Files.list(policies)) {
                // Only what the loader reads: a heartbeat or an editor's swap file rewritten faster than the settle time
                // kept every change from settling (review L: a new deny rule never loaded).
                files.filter(dev.tollgate.policy.PolicyLoader::isPolicyFile).forEach(f -> record(times, f));
            } catch (IOException e) {
                LOG.warn("reload: cannot list {}: {}", policies, e.toString());
            }
        }
    }

    private static void record(Map<Path, FileStamp> times, Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            times.put(file, new FileStamp(modified, LiveConfig.digest(Files.readAllBytes(file))));
        } catch (IOException e) {
            times.put(file, FileStamp.MISSING);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
