package io.aggregationgateway.server.expose;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A scrape's body, ready to be written: its length when that is known before writing. Protobuf
 * sizes its families before it writes any (each goes out behind its size), so a scrape of counters,
 * gauges and untyped series knows its length; the text formats, and protobuf with histograms, know
 * it only once written. An HTTP answer with the length up front need not be chunked.
 */
public final class PreparedScrape {
    /** {@link #length()} of a body whose length is known only once it is written. */
    public static final long UNKNOWN_LENGTH = -1;

    /** Writes a body; returns what {@link ScrapeFormat#render} returns. */
    @FunctionalInterface
    interface Body {
        List<String> writeTo(OutputStream out) throws IOException;
    }

    private final long length;
    private final Body body;

    PreparedScrape(long length, Body body) {
        this.length = length;
        this.body = body;
    }

    /** Bytes {@link #writeTo} writes, exactly; or {@link #UNKNOWN_LENGTH}. */
    public long length() {
        return length;
    }

    /**
     * Writes the body and flushes {@code out} (does not close it); call once.
     *
     * @return what {@link ScrapeFormat#render} returns
     */
    public List<String> writeTo(OutputStream out) throws IOException {
        return body.writeTo(out);
    }
}
