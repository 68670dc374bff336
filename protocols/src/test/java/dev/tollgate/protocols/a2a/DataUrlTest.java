package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * A file sent as a {@code data:} URL is read like inline bytes (review AH), and refused where readers (Node's fetch, the
 * WHATWG data: URL processor; Python's urlopen) could read it differently.
 */
class DataUrlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOTE = "Transfer 50000 EUR now. ünïcødé ✓";

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode v10(String url, String mediaType) throws Exception {
        return A2aParts.summary(JSON.readTree("{\"url\":" + JSON.writeValueAsString(url)
                + (mediaType == null ? "" : ",\"mediaType\":" + JSON.writeValueAsString(mediaType)) + "}"), false);
    }

    @Test
    void everyFileShapeSentAsADataUrlCarriesItsTextAndSize() throws Exception {
        String url = "data:text/plain;base64," + b64(NOTE);
        JsonNode v03 = A2aParts.summary(JSON.readTree("{\"kind\":\"file\",\"file\":{\"uri\":\"" + url + "\",\"mimeType\":\"text/plain\"}}"), true);
        JsonNode proto = A2aParts.protoSummary(JSON.readTree("{\"file\":{\"fileWithUri\":\"" + url + "\"}}"));
        JsonNode snake = A2aParts.protoSummary(JSON.readTree("{\"file\":{\"file_with_uri\":\"" + url + "\"}}"));

        for (JsonNode part : new JsonNode[] {v10(url, "text/plain"), v10(url.replace("data:", "DaTa:"), null), v03, proto, snake}) {
            assertThat(part.path("content").asText()).as(part.toString()).isEqualTo(NOTE);
            assertThat(part.path("size").asLong()).as(part.toString()).isEqualTo(NOTE.getBytes(StandardCharsets.UTF_8).length);
            assertThat(part.path("url").asText()).as("the URL stays in the view for rules on it").isEqualToIgnoringCase(url);
        }
    }

    @Test
    void aPercentEncodedBodyIsDecoded() throws Exception {
        JsonNode part = v10("data:text/plain;charset=utf-8,Transfer%2050000%20%E2%82%AC%2bnow", null);
        assertThat(part.path("content").asText()).isEqualTo("Transfer 50000 €+now");
        assertThat(part.path("size").asLong()).isEqualTo("Transfer 50000 €+now".getBytes(StandardCharsets.UTF_8).length);
        // '+' is no space to either reader.
        assertThat(v10("data:,a+b", null).path("content").asText()).isEqualTo("a+b");
    }

    @Test
    void withNoMediaTypeTheTextIsAsciiAsEveryReaderDefaultsTo() throws Exception {
        assertThat(v10("data:,Transfer", null).path("content").asText()).isEqualTo("Transfer");
        assertThat(v10("data:;base64," + b64("Transfer"), null).path("content").asText()).isEqualTo("Transfer");
        // US-ASCII by default: UTF-8 bytes beyond ASCII are read otherwise (WHATWG: windows-1252, Python: an error).
        assertThat(v10("data:,%C3%A9t%C3%A9", null).has("content")).isFalse();
        assertThat(v10("data:;charset=utf-8,%C3%A9t%C3%A9", null).path("content").asText()).as("text/plain is prepended").isEqualTo("été");
        // A media type WHATWG's parser refuses falls back to US-ASCII there, Python reads its charset: both are considered.
        assertThat(v10("data:plain;charset=utf-8,%C3%A9t%C3%A9", null).has("content")).isFalse();
        assertThat(v10("data:plain;charset=utf-8,ete", null).path("content").asText()).isEqualTo("ete");
    }

    @Test
    void theUrlsCharsetAndThePartsAreBothConsidered() throws Exception {
        String utf16 = Base64.getEncoder().encodeToString("Transfer".getBytes(StandardCharsets.UTF_16LE));
        assertThat(v10("data:text/plain;charset=utf-16;base64," + utf16, "text/plain").has("content")).isFalse();
        assertThat(v10("data:text/plain;base64," + b64("abcd"), "text/plain; charset=utf-16").has("content")).isFalse();
        assertThat(v10("data:text/plain;charset*=''utf-16;base64," + b64("abcd"), null).has("content")).isFalse();
        assertThat(v10("data:text/plain;charset=utf-8;base64," + b64("abcd"), "text/plain; charset=utf-8").path("content").asText()).isEqualTo("abcd");
    }

    @Test
    void aFileOverTheBoundHasItsSizeButNoContent() throws Exception {
        String big = "a".repeat(InlineFileText.MAX_BYTES + 1);
        JsonNode part = v10("data:text/plain;base64," + b64(big), null);
        assertThat(part.has("content")).isFalse();
        assertThat(part.path("size").asLong()).isEqualTo(big.length());
        JsonNode atBound = v10("data:text/plain," + "a".repeat(InlineFileText.MAX_BYTES), null);
        assertThat(atBound.path("content").asText().length()).isEqualTo(InlineFileText.MAX_BYTES);
    }

    /** data: URLs Node's fetch and Python's urlopen (or a reader splitting on the comma) read differently. */
    private static final String[][] READ_TWO_WAYS = {
        {"data:text/plain;base64,VHJhbnNmZXI", "not canonical base64"}, // unpadded: WHATWG reads it, Python refuses
        {"data:text/plain;base64,VHJhbn%4EmZXI=", "not canonical base64"}, // percent-encoded base64
        {"data:text/plain;base64,VHJh bnNm", "printable ASCII"},
        {"data:text/plain;base64,VHJh\nbnNm", "printable ASCII"}, // WHATWG drops the line break
        {"data:text/plain;base64,-_-_", "not canonical base64"},
        {"data:text/plain;BASE64,VHJh", "lower case"}, // Python reads no base64 marker there
        {" data:,Transfer", "start with data:"}, // WHATWG trims, Python's unwrap strips
        {"<URL:data:,Transfer>", "start with data:"}, // Python's unwrap
        {"da\tta:,Transfer", "start with data:"}, // WHATWG drops tabs
        {"data:,Transfer#more", "fragment"},
        {"data://host/x,Transfer", "data:/"},
        {"data:,Transf%zzer", "two hex digits"}, // kept as is by WHATWG and Python, refused by strict decoders
        {"data:,Transfer%4", "two hex digits"},
        {"data:,Tränsfer", "printable ASCII"},
    };

    @Test
    void aDataUrlReadersReadDifferentlyIsRefusedBeforePolicy() {
        for (String[] bad : READ_TWO_WAYS) {
            assertThatThrownBy(() -> v10(bad[0], "text/plain")).as(bad[0]).isInstanceOf(A2aInvalidRequest.class).hasMessageContaining(bad[1]);
            assertThatThrownBy(() -> A2aParts.summary(JSON.readTree("{\"kind\":\"file\",\"file\":{\"uri\":" + JSON.writeValueAsString(bad[0]) + "}}"), true))
                    .as(bad[0]).isInstanceOf(A2aInvalidRequest.class);
            assertThatThrownBy(() -> A2aParts.protoSummary(JSON.readTree("{\"file\":{\"fileWithUri\":" + JSON.writeValueAsString(bad[0]) + "}}")))
                    .as(bad[0]).isInstanceOf(A2aInvalidRequest.class);
        }
    }

    @Test
    void otherUrlsAreLeftAlone() throws Exception {
        for (String url : new String[] {"https://files.example/data:,x", "file:///tmp/data:,x", "datax:,x", "data:text/plain;base64"}) {
            JsonNode part = v10(url, null);
            assertThat(part.has("content")).as(url).isFalse();
            assertThat(part.path("size").asLong()).as(url).isZero();
            assertThat(part.path("url").asText()).isEqualTo(url);
        }
    }
}
