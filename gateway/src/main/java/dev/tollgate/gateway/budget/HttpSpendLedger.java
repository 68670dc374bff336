package dev.tollgate.gateway.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.budget.SpendLedger;
import dev.tollgate.policy.budget.Usd;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A ledger service over HTTP: GET the spend, POST a charge. URL shape and JSON field are configured
 * ({@code budgets.http}); amounts travel as decimal US dollars. Every request has the configured timeout, on the
 * whole exchange (connect to last byte);
 * a non-2xx answer or an answer without the spend is a failure (the cache then fails closed).
 */
public final class HttpSpendLedger implements SpendLedger {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebClient client;
    private final BudgetConfig.HttpLedger config;
    private final long timeoutMillis;

    public HttpSpendLedger(Vertx vertx, BudgetConfig.HttpLedger config, java.time.Duration timeout) {
        this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true)
                .setConnectTimeout((int) timeout.toMillis()));
        this.config = config;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public CompletionStage<Long> spent(SpendKey key) {
        URI uri = config.spentUri(key.tenant(), key.tree());
        return whole(client.getAbs(uri.toString()).timeout(timeoutMillis).send(), uri)
                .compose(response -> parseSpent(response, uri))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> record(SpendKey key, long micros, String writeId) {
        URI uri = config.recordUri(key.tenant(), key.tree());
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(JSON.createObjectNode().put(config.amountField(), Usd.toUsd(micros)));
        } catch (IOException e) {
            return Future.<Void>failedFuture(e).toCompletionStage();
        }
        // The IETF Idempotency-Key header: a ledger that honours it counts a retried write once.
        return whole(client.postAbs(uri.toString()).timeout(timeoutMillis).putHeader("content-type", "application/json")
                .putHeader("Idempotency-Key", writeId)
                .sendBuffer(Buffer.buffer(body)), uri)
                .<Void>compose(response -> response.statusCode() / 100 == 2 ? Future.succeededFuture()
                        : Future.failedFuture("ledger answered " + response.statusCode() + " to " + uri))
                .toCompletionStage();
    }

    /**
     * Bounds the whole exchange by the timeout (review BJ): WebClient's {@code timeout} is the connect and idle timeout,
     * reset by every byte, so a ledger (or a proxy) that drips its answer would hold the tree's read, and every budgeted
     * call of the tree, or its one write slot, for as long as it drips. A write timed out here is retried with the same
     * id, as any failed write (the Idempotency-Key lets the ledger count it once).
     */
    private Future<HttpResponse<Buffer>> whole(Future<HttpResponse<Buffer>> exchange, URI uri) {
        return exchange.timeout(timeoutMillis, TimeUnit.MILLISECONDS).recover(error -> Future.failedFuture(
                error instanceof TimeoutException ? new TimeoutException("ledger did not answer within " + timeoutMillis + " ms: " + uri)
                        : error));
    }

    private Future<Long> parseSpent(HttpResponse<Buffer> response, URI uri) {
        if (response.statusCode() == 404) {
            return Future.succeededFuture(0L); // a tree the ledger has never seen has spent nothing
        }
        if (response.statusCode() / 100 != 2) {
            return Future.failedFuture("ledger answered " + response.statusCode() + " to " + uri);
        }
        try {
            JsonNode spent = JSON.readTree(response.bodyAsBuffer() == null ? new byte[0] : response.bodyAsBuffer().getBytes())
                    .at(config.spentPointer());
            if (!spent.isNumber()) {
                return Future.failedFuture("ledger answer has no number at " + config.spentPointer());
            }
            BigDecimal usd = spent.decimalValue();
            return Future.succeededFuture(Usd.micros(usd.max(BigDecimal.ZERO)));
        } catch (IOException e) {
            return Future.failedFuture("ledger answer is not JSON: " + e.getMessage());
        }
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public void close() {
        client.close();
    }
}
