package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.ApprovalsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tells the approver about a new approval: one POST of the approval as JSON, signed with HMAC-SHA256 when a secret
 * is configured ({@code X-Tollgate-Signature: sha256=<hex>} over the exact body, as GitHub and Stripe sign theirs),
 * bounded by the webhook timeout. A failed delivery is reported to the caller (logged and counted there); the
 * approval stays pending and listed, so it can still be decided.
 */
final class ApprovalWebhook {

    static final String SIGNATURE_HEADER = "X-Tollgate-Signature";

    private final HttpClient client;
    private final ApprovalsConfig.Webhook config;

    ApprovalWebhook(Vertx vertx, ApprovalsConfig.Webhook config) {
        this.client = vertx.createHttpClient();
        this.config = config;
    }

    /** @return succeeds when the approver answered 2xx */
    Future<Void> deliver(ObjectNode approval) {
        byte[] body = approval.toString().getBytes(StandardCharsets.UTF_8);
        URI url = config.url();
        boolean tls = url.getScheme().toLowerCase(Locale.ROOT).equals("https");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost())
                .setPort(url.getPort() > 0 ? url.getPort() : tls ? 443 : 80).setSsl(tls)
                .setURI(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                .setConnectTimeout(config.timeout().toMillis()).setIdleTimeout(config.timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "tollgate-approvals");
        if (config.secret() != null) {
            options.putHeader(SIGNATURE_HEADER, "sha256=" + sign(config.secret(), body));
        }
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.end().map(v -> response))
                .compose(response -> ok(response) ? Future.<Void>succeededFuture()
                        : Future.<Void>failedFuture("the approver's webhook answered " + response.statusCode()))
                .timeout(config.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static boolean ok(HttpClientResponse response) {
        return response.statusCode() >= 200 && response.statusCode() < 300;
    }

    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    Future<Void> close() {
        return client.close();
    }
}
