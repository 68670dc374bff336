package dev.tollgate.gateway.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ledger service of our own for tests and benchmarks: {@code GET /spend/{tenant}/{tree}} answers
 * {@code {"spent_usd": n}}, {@code POST} the same path with {@code {"amount_usd": n}} adds to it. Counts
 * the reads, so tests can check the gateway reads at most once per TTL; can be stopped for an outage.
 */
public final class ReferenceLedgerServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final Map<String, BigDecimal> spend = new ConcurrentHashMap<>();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    /** Idempotency keys seen: false while the write is in progress, true once applied. */
    private final Map<String, Boolean> writes = new ConcurrentHashMap<>();
    private final List<Runnable> heldWrites = new ArrayList<>();
    private boolean holdingWrites;
    private HttpServer server;
    private int port;

    public ReferenceLedgerServer(Vertx vertx) {
        this.vertx = vertx;
    }

    public ReferenceLedgerServer start(int requestedPort) throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String path = request.path();
            if (!path.startsWith("/spend/")) {
                request.response().setStatusCode(404).end();
                return;
            }
            String tree = path.substring("/spend/".length());
            if (request.method() == HttpMethod.GET) {
                reads.incrementAndGet();
                request.response().putHeader("content-type", "application/json")
                        .end("{\"spent_usd\":" + spend.getOrDefault(tree, BigDecimal.ZERO).toPlainString() + "}");
            } else if (request.method() == HttpMethod.POST) {
                BigDecimal amount;
                try {
                    amount = JSON.readTree(body.getBytes()).get("amount_usd").decimalValue();
                } catch (Exception e) {
                    request.response().setStatusCode(400).end();
                    return;
                }
                // Idempotency-Key as the IETF draft has it: a key already done answers as done and counts
                // nothing; a key still in progress answers 409.
                String idempotencyKey = request.getHeader("Idempotency-Key");
                if (idempotencyKey != null) {
                    Boolean done = writes.putIfAbsent(idempotencyKey, false);
                    if (done != null) {
                        duplicates.incrementAndGet();
                        request.response().setStatusCode(done ? 204 : 409).end();
                        return;
                    }
                }
                Runnable record = () -> {
                    spend.merge(tree, amount, BigDecimal::add);
                    records.incrementAndGet();
                    if (idempotencyKey != null) {
                        writes.put(idempotencyKey, true);
                    }
                    request.response().setStatusCode(204).end();
                };
                synchronized (heldWrites) {
                    if (holdingWrites) {
                        heldWrites.add(record);
                        return;
                    }
                }
                record.run();
            } else {
                request.response().setStatusCode(405).end();
            }
        }));
        server.listen(requestedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
        return this;
    }

    public int port() {
        return port;
    }

    public String spendUrl() {
        return "http://127.0.0.1:" + port + "/spend/{tenant}/{tree}";
    }

    /** A stalled ledger: writes are received but neither applied nor answered until {@link #releaseWrites}. */
    public void holdWrites() {
        synchronized (heldWrites) {
            holdingWrites = true;
        }
    }

    /** Applies and answers the held writes in arrival order; later writes go through at once. */
    public void releaseWrites() {
        List<Runnable> release;
        synchronized (heldWrites) {
            holdingWrites = false;
            release = new ArrayList<>(heldWrites);
            heldWrites.clear();
        }
        release.forEach(Runnable::run);
    }

    /** Writes answered without counting because their Idempotency-Key was seen before. */
    public long duplicates() {
        return duplicates.get();
    }

    public long reads() {
        return reads.get();
    }

    public long records() {
        return records.get();
    }

    public BigDecimal spent(String tenant, String tree) {
        return spend.getOrDefault(tenant + "/" + tree, BigDecimal.ZERO);
    }

    public void stop() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
