package dev.tollgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BufferBytesTest {

    private static final byte[] BYTES = "{\"jsonrpc\":\"2.0\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aBufferThatIsExactlyOneArrayGivesThatArray() {
        Buffer wrapped = BufferBytes.wrapping(BYTES);

        assertThat(BufferBytes.readOnly(wrapped)).isSameAs(BYTES);
    }

    @Test
    void aChunkAsVertxDeliversItIsReadWithoutACopy() {
        // What Vert.x hands a body handler: the pooled network bytes copied into a heap buffer of its own.
        Buffer chunk = BufferInternal.safeBuffer(PooledByteBufAllocator.DEFAULT.directBuffer(BYTES.length).writeBytes(BYTES));

        byte[] read = BufferBytes.readOnly(chunk);

        assertThat(read).isEqualTo(BYTES);
        assertThat(BufferBytes.readOnly(chunk)).as("the chunk's own array, not a copy").isSameAs(read);
    }

    @Test
    void aBufferWithSpareCapacityGivesACopyOfJustItsBytes() {
        Buffer grown = Buffer.buffer(64).appendBytes(BYTES);

        byte[] read = BufferBytes.readOnly(grown);

        assertThat(read).isEqualTo(BYTES).hasSize(BYTES.length);
    }

    @Test
    void aSliceOfALargerArrayGivesACopyOfTheSlice() {
        byte[] larger = new byte[BYTES.length + 10];
        System.arraycopy(BYTES, 0, larger, 5, BYTES.length);
        Buffer slice = BufferInternal.buffer(Unpooled.wrappedBuffer(larger, 5, BYTES.length));

        assertThat(BufferBytes.readOnly(slice)).isEqualTo(BYTES).isNotSameAs(larger);
    }

    @Test
    void aDirectBufferGivesACopy() {
        Buffer direct = BufferInternal.buffer(Unpooled.directBuffer(BYTES.length).writeBytes(BYTES));

        assertThat(BufferBytes.readOnly(direct)).isEqualTo(BYTES);
    }
}
