package dev.tollgate.protocols.json;

/**
 * Whether bytes open like a JSON object or array as a client's {@code JSON.parse} of {@code response.text()} sees them:
 * after one UTF-8 byte order mark (the decoder drops it) and JSON whitespace. Used on bodies that need not be JSON (an
 * error status's), where bytes a client may parse into a message must be read by the gateway's strict parser or not
 * relayed. Pure and thread-safe.
 */
public final class JsonOpening {

    private JsonOpening() {
    }

    /** @return true when the first byte after a UTF-8 byte order mark and JSON whitespace is '{' or '[' */
    public static boolean opensLikeJson(byte[] data) {
        int i = data.length >= 3 && (data[0] & 0xFF) == 0xEF && (data[1] & 0xFF) == 0xBB && (data[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < data.length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) {
            i++;
        }
        return i < data.length && (data[i] == '{' || data[i] == '[');
    }
}
