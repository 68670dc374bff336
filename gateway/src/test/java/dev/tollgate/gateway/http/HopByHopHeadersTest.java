package dev.tollgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

    private static final HopByHopHeaders.Skipped SKIP_HOST = HopByHopHeaders.skipping(Set.of("host", "x-waxell-axid"));

    private static MultiMap copied(MultiMap from) {
        MultiMap to = HttpHeaders.headers();
        HopByHopHeaders.copyEndToEnd(from, to, SKIP_HOST);
        return to;
    }

    @Test
    void hopByHopAndSkippedNamesAreLeftOutWhateverTheirCase() {
        MultiMap from = HttpHeaders.headers()
                .add("TRANSFER-ENCODING", "chunked").add("Keep-Alive", "timeout=5").add("tE", "trailers")
                .add("Proxy-Authorization", "Basic eA==").add("UPGRADE", "websocket")
                .add("HOST", "evil.example").add("X-Waxell-AXID", "token")
                .add("Content-Type", "application/json").add("mcp-session-id", "s1");

        MultiMap to = copied(from);

        assertThat(to.names()).containsExactlyInAnyOrder("Content-Type", "mcp-session-id");
        assertThat(to.get("content-type")).isEqualTo("application/json");
    }

    @Test
    void everyConnectionLineStripsTheHeadersItNamesInAnyCase() {
        MultiMap from = HttpHeaders.headers()
                .add("Connection", "keep-alive, X-First").add("connection", "x-SECOND")
                .add("x-first", "1").add("X-Second", "2").add("X-Third", "3");

        MultiMap to = copied(from);

        assertThat(to.names()).containsExactly("X-Third");
    }

    @Test
    void aConnectionLineNamingOnlyHopByHopOptionsStripsNothingElse() {
        MultiMap from = HttpHeaders.headers()
                .add("Connection", "Keep-Alive").add("Keep-Alive", "timeout=5").add("Content-Type", "application/json");

        assertThat(copied(from).names()).containsExactly("Content-Type");
    }

    @Test
    void aConnectionLineNamingASkippedHeaderAndAnotherStripsBoth() {
        MultiMap from = HttpHeaders.headers()
                .add("Connection", " HOST ,\tx-Trace-Hint ,close").add("Host", "a.example").add("X-TRACE-HINT", "1")
                .add("Close", "x").add("Accept", "application/json");

        assertThat(copied(from).names()).containsExactly("Accept");
    }

    @Test
    void aConnectionLineListingManyNamesRepeatedInAnyCaseStripsEachOfThem() {
        StringBuilder line = new StringBuilder();
        MultiMap from = HttpHeaders.headers();
        for (int i = 0; i < 500; i++) {
            line.append(i % 2 == 0 ? "X-Strip-" : "x-STRIP-").append(i % 100).append(',');
            from.add("y-" + i, "kept");
        }
        from.add("Connection", line.toString()).add("X-STRIP-7", "1").add("x-strip-99", "2").add("X-Strip-100", "3");

        MultiMap to = copied(from);

        assertThat(to.size()).isEqualTo(501);
        assertThat(to.contains("X-Strip-7")).isFalse();
        assertThat(to.contains("X-Strip-99")).isFalse();
        assertThat(to.get("X-Strip-100")).as("not listed").isEqualTo("3");
    }

    @Test
    void valuesOfARepeatedHeaderAreAllCopiedInOrder() {
        MultiMap from = HttpHeaders.headers().add("Accept", "application/json").add("accept", "text/event-stream");

        assertThat(copied(from).getAll("Accept")).containsExactly("application/json", "text/event-stream");
    }
}
