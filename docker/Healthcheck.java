import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Container health check: exits 0 when the admin port's /healthz answers 200. Compiled in the image's
 * build stage and run with the JRE ({@code java -cp /app/healthcheck Healthcheck}): the image needs no curl.
 */
public class Healthcheck {
    public static void main(String[] args) throws InterruptedException {
        String port = System.getenv().getOrDefault("TOLLGATE_ADMIN_PORT", "9090");
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            System.exit(response.statusCode() == 200 ? 0 : 1);
        } catch (java.io.IOException e) {
            // One line for Docker's health log, not a stack trace.
            System.err.println("unhealthy: " + e);
            System.exit(1);
        }
    }
}
