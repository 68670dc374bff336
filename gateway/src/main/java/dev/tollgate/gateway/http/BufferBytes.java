package dev.tollgate.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * The bytes of a Vert.x buffer, without a copy when the buffer is exactly one heap array: a body Vert.x
 * delivered (it copies every chunk out of Netty's pool into an unpooled heap array of its own) or one the
 * gateway assembled. {@code Buffer.getBytes()} copies every time, and an answer was copied three times on its
 * way through. The array returned may be the buffer's own: callers read it and never write into it.
 */
public final class BufferBytes {

    private BufferBytes() {
    }

    /** A buffer over {@code bytes} itself ({@code Buffer.buffer(byte[])} copies them); the caller no longer writes into them. */
    public static Buffer wrapping(byte[] bytes) {
        return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
    }

    /** The buffer's bytes, to be read only: its own array when that array holds exactly them, else a copy. */
    public static byte[] readOnly(Buffer buffer) {
        if (buffer instanceof BufferInternal internal) {
            ByteBuf bytes = internal.getByteBuf();
            if (bytes.hasArray() && bytes.arrayOffset() == 0 && bytes.readerIndex() == 0
                    && bytes.readableBytes() == bytes.array().length) {
                return bytes.array();
            }
        }
        return buffer.getBytes();
    }
}
