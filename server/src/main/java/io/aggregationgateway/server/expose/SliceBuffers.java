package io.aggregationgateway.server.expose;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What the slices of one format are rendered into: {@link ByteSink} for the text formats, a
 * buffering protobuf writer for protobuf ({@link ProtobufRenderer}). A scrape reuses a buffer for later slices.
 */
interface SliceBuffers<B> {
    /** Text and OpenMetrics. */
    SliceBuffers<ByteSink> TEXT = new SliceBuffers<>() {
        @Override
        public ByteSink create() {
            return new ByteSink();
        }

        @Override
        public void clear(ByteSink buffer) {
            buffer.clear();
        }

        @Override
        public void writeTo(ByteSink buffer, OutputStream out) throws IOException {
            buffer.writeTo(out);
        }
    };

    B create();

    void clear(B buffer);

    void writeTo(B buffer, OutputStream out) throws IOException;
}
