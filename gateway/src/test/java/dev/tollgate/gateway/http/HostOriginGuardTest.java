package dev.tollgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tollgate.gateway.config.ListenerConfig;
import dev.tollgate.gateway.http.HostOriginGuard.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostOriginGuardTest {

    private static HostOriginGuard guard(String... origins) {
        return new HostOriginGuard(new ListenerConfig("l", "127.0.0.1", 0, List.of("*"), List.of(origins), null));
    }

    @Test
    void defaultOriginsAllowLoopbackWithAnyPort() {
        HostOriginGuard guard = new HostOriginGuard(new ListenerConfig("l", "127.0.0.1", 0, ListenerConfig.DEFAULT_ALLOWED_HOSTS,
                ListenerConfig.DEFAULT_ALLOWED_ORIGINS, null));

        assertThat(guard.check("localhost:8080", "http://localhost:3000")).isEqualTo(Verdict.ALLOWED);
        assertThat(guard.check("localhost:8080", "HTTP://[::1]:3000")).isEqualTo(Verdict.ALLOWED);
        assertThat(guard.check("localhost:8080", "http://localhost.evil.example")).isEqualTo(Verdict.FORBIDDEN_ORIGIN);
        assertThat(guard.check("evil.example", null)).isEqualTo(Verdict.FORBIDDEN_HOST);
    }

    @Test
    void starStaysOutOfThePathAndDotsAreLiteral() {
        HostOriginGuard guard = guard("https://*.example.com");

        assertThat(guard.check("h", "https://app.example.com")).isEqualTo(Verdict.ALLOWED);
        assertThat(guard.check("h", "https://a/b.example.com")).isEqualTo(Verdict.FORBIDDEN_ORIGIN);
        assertThat(guard.check("h", "https://appXexampleXcom")).isEqualTo(Verdict.FORBIDDEN_ORIGIN);
    }

    @Test
    void aLongOriginAgainstAManyStarGlobAnswersAtOnce() {
        // As java.util.regex ([^/]*\.){6}... on 8 KiB of dots this backtracks polynomially (degree 6).
        HostOriginGuard guard = guard("https://*.*.*.*.*.*.example.com");
        String origin = "https://" + ".".repeat(8_000);

        Verdict verdict = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> guard.check("h", origin));

        assertThat(verdict).isEqualTo(Verdict.FORBIDDEN_ORIGIN);
    }
}
