package dev.tollgate.bench;

import java.nio.charset.StandardCharsets;

/**
 * Finds the spans in one OTLP {@code ExportTraceServiceRequest} by walking the protobuf wire format by hand
 * (ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2, ScopeSpans.spans = 2,
 * Span.name = 5, Span.kind = 6), so the counting receiver needs no generated classes and decodes nothing
 * it does not count: it must stay much faster than the gateway that exports to it.
 */
final class OtlpSpanTally {

    /** Receives each span found: its name and its {@code SpanKind} number (0 unspecified ... 2 SERVER, 3 CLIENT). */
    interface SpanVisitor {
        void span(String name, int kind);
    }

    static final String[] KIND_NAMES = {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};

    private static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private OtlpSpanTally() {
    }

    static String kindName(int kind) {
        return kind >= 0 && kind < KIND_NAMES.length ? KIND_NAMES[kind] : "KIND_" + kind;
    }

    /** Visits every span of the request; returns how many there were. Throws IllegalArgumentException on a malformed message. */
    static int visitSpans(byte[] message, SpanVisitor visitor) {
        Reader request = new Reader(message, 0, message.length);
        int spans = 0;
        while (request.more()) {
            int tag = request.varint32();
            if (tag >>> 3 == 1 && (tag & 7) == LEN) {
                Reader resourceSpans = request.embedded();
                while (resourceSpans.more()) {
                    int rsTag = resourceSpans.varint32();
                    if (rsTag >>> 3 == 2 && (rsTag & 7) == LEN) {
                        Reader scopeSpans = resourceSpans.embedded();
                        while (scopeSpans.more()) {
                            int ssTag = scopeSpans.varint32();
                            if (ssTag >>> 3 == 2 && (ssTag & 7) == LEN) {
                                visitSpan(scopeSpans.embedded(), visitor);
                                spans++;
                            } else {
                                scopeSpans.skip(ssTag);
                            }
                        }
                    } else {
                        resourceSpans.skip(rsTag);
                    }
                }
            } else {
                request.skip(tag);
            }
        }
        return spans;
    }

    private static void visitSpan(Reader span, SpanVisitor visitor) {
        String name = "";
        int kind = 0;
        while (span.more()) {
            int tag = span.varint32();
            int field = tag >>> 3;
            if (field == 5 && (tag & 7) == LEN) {
                Reader text = span.embedded();
                name = new String(text.bytes, text.position, text.limit - text.position, StandardCharsets.UTF_8);
            } else if (field == 6 && (tag & 7) == VARINT) {
                kind = (int) span.varint64();
            } else {
                span.skip(tag);
            }
        }
        visitor.span(name, kind);
    }

    /** A bounded view of the message: one protobuf message or field body. */
    private static final class Reader {
        final byte[] bytes;
        int position;
        final int limit;

        Reader(byte[] bytes, int position, int limit) {
            this.bytes = bytes;
            this.position = position;
            this.limit = limit;
        }

        boolean more() {
            return position < limit;
        }

        long varint64() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= limit) {
                    throw new IllegalArgumentException("truncated varint at " + position);
                }
                byte b = bytes[position++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at " + position);
        }

        int varint32() {
            return (int) varint64();
        }

        /** The next length-delimited field's body; the position moves past it. */
        Reader embedded() {
            long length = varint64();
            if (length < 0 || length > limit - position) {
                throw new IllegalArgumentException("length " + length + " past the end at " + position);
            }
            Reader inner = new Reader(bytes, position, position + (int) length);
            position += (int) length;
            return inner;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case VARINT -> varint64();
                case FIXED64 -> advance(8);
                case LEN -> embedded();
                case FIXED32 -> advance(4);
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7) + " at " + position);
            }
        }

        private void advance(int n) {
            if (n > limit - position) {
                throw new IllegalArgumentException("truncated field at " + position);
            }
            position += n;
        }
    }
}
