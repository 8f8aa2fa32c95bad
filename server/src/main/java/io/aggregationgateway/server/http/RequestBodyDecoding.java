package io.aggregationgateway.server.http;

import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The request {@code Content-Encoding}s Helidon is told about (its own gzip module is not
 * available here). gzip and deflate are decoded; br, zstd and compress are known but refused,
 * so the sender gets a 400 naming the coding instead of Helidon's bare rejection. Streams open
 * lazily: a corrupt header surfaces while the handler reads the body, where it becomes a 400
 * with a message. Responses are not encoded here; the scrape handler gzips its own output.
 */
final class RequestBodyDecoding implements ContentEncoding {
    private final String id;
    private final Opener opener;

    /** Opens the decoded stream over the encoded one. */
    @FunctionalInterface
    private interface Opener {
        InputStream open(InputStream encoded) throws IOException;
    }

    private RequestBodyDecoding(String id, Opener opener) {
        this.id = id;
        this.opener = opener;
    }

    static List<ContentEncoding> all() {
        return List.of(
                new RequestBodyDecoding("gzip", encoded -> new GZIPInputStream(encoded, 16 * 1024)),
                new RequestBodyDecoding("x-gzip", encoded -> new GZIPInputStream(encoded, 16 * 1024)),
                new RequestBodyDecoding("deflate", InflaterInputStream::new),
                refused("br"),
                refused("zstd"),
                refused("compress"));
    }

    private static RequestBodyDecoding refused(String id) {
        return new RequestBodyDecoding(id, encoded -> {
            throw new UnsupportedCodingException(id);
        });
    }

    @Override
    public Set<String> ids() {
        return Set.of(id);
    }

    @Override
    public boolean supportsEncoding() {
        return false;
    }

    @Override
    public boolean supportsDecoding() {
        return true;
    }

    @Override
    public ContentDecoder decoder() {
        return encoded -> new LazyStream(encoded, opener);
    }

    @Override
    public ContentEncoder encoder() {
        return ContentEncoder.NO_OP;
    }

    @Override
    public String name() {
        return id;
    }

    @Override
    public String type() {
        return id;
    }

    /** Thrown on the first read of a body whose coding the gateway does not accept. */
    static final class UnsupportedCodingException extends IOException {
        private static final long serialVersionUID = 1L;

        UnsupportedCodingException(String coding) {
            super("unsupported Content-Encoding \"" + coding + "\" (gzip and deflate are accepted)");
        }
    }

    private static final class LazyStream extends InputStream {
        private final InputStream encoded;
        private final Opener opener;
        private InputStream decoded;

        LazyStream(InputStream encoded, Opener opener) {
            this.encoded = encoded;
            this.opener = opener;
        }

        private InputStream open() throws IOException {
            if (decoded == null) {
                decoded = opener.open(encoded);
            }
            return decoded;
        }

        @Override
        public int read() throws IOException {
            return open().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return open().read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            (decoded != null ? decoded : encoded).close();
        }
    }
}
