package dev.tollgate.gateway.telemetry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal reader of OTLP {@code ExportTraceServiceRequest} protobuf bytes (opentelemetry-proto is not on
 * the test classpath; the exporter brings only its own marshalers). It reads just the fields the tests
 * check, from opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto, and keeps each attribute
 * value as the Java type of its {@code AnyValue} case, so a test can tell a boolean from the string "true".
 */
final class OtlpTraceRequest {

    /** One span with the resource attributes of the {@code ResourceSpans} it came in. */
    record Span(String name, int kind, Map<String, Object> attributes, Map<String, Object> resource) {
    }

    private OtlpTraceRequest() {
    }

    /** Decodes one request body: resource_spans (1) -> resource (1), scope_spans (2) -> spans (2). */
    static List<Span> spans(byte[] request) {
        List<Span> spans = new ArrayList<>();
        for (Field resourceSpans : fields(request)) {
            if (resourceSpans.number != 1) {
                continue;
            }
            Map<String, Object> resource = new LinkedHashMap<>();
            List<byte[]> scopeSpans = new ArrayList<>();
            for (Field f : fields(resourceSpans.bytes)) {
                if (f.number == 1) {
                    for (Field a : fields(f.bytes)) {
                        if (a.number == 1) {
                            keyValue(a.bytes, resource);
                        }
                    }
                } else if (f.number == 2) {
                    scopeSpans.add(f.bytes);
                }
            }
            for (byte[] scope : scopeSpans) {
                for (Field f : fields(scope)) {
                    if (f.number == 2) {
                        spans.add(span(f.bytes, resource));
                    }
                }
            }
        }
        return spans;
    }

    /** Span: name (5), kind (6, enum), attributes (9, repeated KeyValue). */
    private static Span span(byte[] bytes, Map<String, Object> resource) {
        String name = null;
        int kind = 0;
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Field f : fields(bytes)) {
            switch (f.number) {
                case 5 -> name = new String(f.bytes, StandardCharsets.UTF_8);
                case 6 -> kind = (int) f.varint;
                case 9 -> keyValue(f.bytes, attributes);
                default -> { }
            }
        }
        return new Span(name, kind, attributes, resource);
    }

    /** KeyValue: key (1), value (2, AnyValue: string 1, bool 2, int 3, double 4, bytes 7). */
    private static void keyValue(byte[] bytes, Map<String, Object> into) {
        String key = null;
        Object value = null;
        for (Field f : fields(bytes)) {
            if (f.number == 1) {
                key = new String(f.bytes, StandardCharsets.UTF_8);
            } else if (f.number == 2) {
                for (Field v : fields(f.bytes)) {
                    value = switch (v.number) {
                        case 1 -> new String(v.bytes, StandardCharsets.UTF_8);
                        case 2 -> v.varint != 0;
                        case 3 -> v.varint;
                        case 4 -> Double.longBitsToDouble(v.varint);
                        case 7 -> v.bytes;
                        default -> new Unsupported(v.number);
                    };
                }
            }
        }
        into.put(key, value);
    }

    /** An AnyValue case these tests do not read (array, kvlist). */
    record Unsupported(int field) {
    }

    private record Field(int number, long varint, byte[] bytes) {
    }

    private static List<Field> fields(byte[] in) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < in.length) {
            long tag = varint(in, pos);
            int number = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> out.add(new Field(number, varint(in, pos), null));
                case 1 -> {
                    long v = 0;
                    for (int i = 0; i < 8; i++) {
                        v |= (in[pos[0] + i] & 0xFFL) << (8 * i);
                    }
                    pos[0] += 8;
                    out.add(new Field(number, v, null));
                }
                case 2 -> {
                    int length = (int) varint(in, pos);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write(in, pos[0], length);
                    pos[0] += length;
                    out.add(new Field(number, 0, b.toByteArray()));
                }
                case 5 -> {
                    long v = 0;
                    for (int i = 0; i < 4; i++) {
                        v |= (in[pos[0] + i] & 0xFFL) << (8 * i);
                    }
                    pos[0] += 4;
                    out.add(new Field(number, v, null));
                }
                default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " at " + pos[0]);
            }
        }
        return out;
    }

    private static long varint(byte[] in, int[] pos) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in[pos[0]++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
