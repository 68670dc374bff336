package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.PinningConfig;
import dev.tollgate.gateway.pinning.PinManifest;
import dev.tollgate.gateway.pinning.PinWatch;
import dev.tollgate.gateway.pinning.PinnedDefinitions;
import dev.tollgate.gateway.pinning.RoutePins;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Review AB: a rug pull is "logged once, as a warning with a diff per JSON pointer" (README), and the text log (the
 * default at a terminal) is one record per line. The diff's values are written as JSON (escaped), but its pointers are
 * built from the listed definition's object keys raw (DefinitionDiff.walk: {@code pointer + "/" + escape(name)}, which
 * escapes only {@code ~} and {@code /}). A hostile server names a schema property with a line break and writes whole
 * forged log lines into the operator's record of its own rug pull (the same class as review revJ's access log lines).
 */
class PinDiffLogLinesReviewABTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORGED = "2026-12-06T13:00:00.000Z INFO  d.t.gateway.reload.ReloadWatcher  - reload: applied conf/gateway.yaml";

    @Test
    void aPropertyNameWithALineBreakCannotAddLinesToThePinningWarning() throws Exception {
        JsonNode echo = JSON.readTree("{\"name\":\"echo\",\"description\":\"Echoes\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"text\":{\"type\":\"string\"}}}}");
        RoutePins pins = new RoutePins(PinManifest.record("r", PinnedDefinitions.Kind.TOOLS, List.of(echo), null, null), PinningConfig.OnChange.HIDE);
        JsonNode pulled = JSON.readTree("{\"name\":\"echo\",\"description\":\"Echoes\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
                + "\"text\":{\"type\":\"string\"}," + JSON.writeValueAsString("x\n" + FORGED) + ":{\"type\":\"string\"}}}}");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(PinWatch.class)).addAppender(log);
        try {
            new PinWatch(null).observe("r", pins, List.of(pulled));
        } finally {
            ((Logger) LoggerFactory.getLogger(PinWatch.class)).detachAppender(log);
        }

        assertThat(log.list).hasSize(1);
        String message = log.list.get(0).getFormattedMessage();
        assertThat(message.lines()).as(message).noneMatch(line -> line.startsWith("2026-12-06T13:00:00.000Z INFO"));
    }
}
