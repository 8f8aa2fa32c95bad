package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.TextFormatting;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer that writes what the text formats need, spelled as {@link TextFormatting}
 * says. One slice of a scrape is rendered into it, possibly on another thread, and then written
 * out whole with {@link #writeTo}. A million-series scrape is tens of megabytes, so the inner loops copy
 * label bytes in bulk and never check for room byte by byte.
 */
final class ByteSink implements Labels.RawLabelVisitor {
    // A slice of 2,048 scalar series is ~200 KB; a sink is reused for the slices after it.
    private static final int INITIAL_CAPACITY = 256 * 1024;
    // epochSeconds keeps the spellings of up to 512 times, each up to 24 bytes ("-9223372036854775.807"),
    // in an open-addressed table kept at most half full, and starts over when it is full
    private static final int START_SLOT_BITS = 10;
    private static final int MAX_STARTS_KEPT = 1 << (START_SLOT_BITS - 1);
    private static final int MAX_START_BYTES = 24;

    private byte[] buf = new byte[INITIAL_CAPACITY];
    private int pos;
    private boolean firstLabel;
    /** How {@link #series} writes label names outside the legacy set; {@code null}: the labels have none. */
    private NameEscaping labelNames;
    private final EscapedLabelNames escapedLabelNames = new EscapedLabelNames();
    // the spellings of starts (epochSeconds), by millisecond; made when the sink first writes one
    private long[] startMillis;
    private byte[] startSpelled; // lengths, 0: empty slot
    private byte[] startSpellings;
    private int startsKept;
    // where the last series() wrote what follows its name (labels and braces), for seriesLike()
    private int lastLabelsFrom;
    private int lastLabelsTo;

    ByteSink ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[pos++] = (byte) s.charAt(i);
        }
        return this;
    }

    ByteSink put(byte b) {
        ensure(1);
        buf[pos++] = b;
        return this;
    }

    /** A structural character (ASCII). */
    ByteSink put(char c) {
        return put((byte) c);
    }

    /** Help text of the text format 0.0.4: backslash and newline escaped. */
    ByteSink help(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ensure(2 * bytes.length);
        pos = TextFormatting.escapeHelp(bytes, 0, bytes.length, buf, pos);
        return this;
    }

    /** A label value (or OpenMetrics help text): backslash, double quote and newline escaped. */
    ByteSink labelValue(byte[] src, int offset, int length) {
        ensure(2 * length);
        pos = TextFormatting.escapeLabelValue(src, offset, length, buf, pos);
        return this;
    }

    /** A name as {@link SampleName} holds it: written bytes. */
    ByteSink name(SampleName name) {
        return bytes(name.bytes());
    }

    ByteSink bytes(byte[] src) {
        ensure(src.length);
        System.arraycopy(src, 0, buf, pos, src.length);
        pos += src.length;
        return this;
    }

    /**
     * A sample's name and labels: {@code name{a="1",b="2"}}, with an optional extra label (such as
     * {@code le}) at the end; just the name for no labels. A quoted name goes first inside the braces:
     * {@code {"my.metric",a="1"}}.
     *
     * @param labelNames how label names outside the legacy set are written (quoted for
     *                   {@link NameEscaping#ALLOW_UTF8}, else escaped); {@code null} when the labels
     *                   have none, so that they are copied as they are
     */
    ByteSink series(SampleName name, Labels labels, NameEscaping labelNames, String extraName, String extraValue) {
        boolean braces = !labels.isEmpty() || extraName != null;
        if (name.quoted()) {
            put((byte) '{').name(name);
            lastLabelsFrom = pos;
            if (!braces) {
                put((byte) '}');
                lastLabelsTo = pos;
                return this;
            }
            firstLabel = false;
        } else {
            name(name);
            lastLabelsFrom = pos;
            if (!braces) {
                lastLabelsTo = pos;
                return this;
            }
            put((byte) '{');
            firstLabel = true;
        }
        if (labelNames == null) { // legacy names only: written in one loop
            ensure(labels.textBytesAtMost() + 1);
            if (!firstLabel && !labels.isEmpty()) {
                buf[pos++] = ',';
            }
            pos = labels.writeText(buf, pos);
            firstLabel &= labels.isEmpty();
        } else {
            this.labelNames = labelNames;
            labels.forEachRaw(this);
        }
        if (extraName != null) {
            if (!firstLabel) {
                put((byte) ',');
            }
            ascii(extraName).ascii("=\"").ascii(extraValue).put((byte) '"');
        }
        put((byte) '}');
        lastLabelsTo = pos;
        return this;
    }

    /**
     * Another sample of the series the last {@link #series} call wrote, named {@code name} (quoted
     * as that one was): its labels copied as written, without reading them again.
     */
    ByteSink seriesLike(SampleName name) {
        int length = lastLabelsTo - lastLabelsFrom;
        if (name.quoted()) {
            put((byte) '{');
        }
        name(name);
        ensure(length);
        System.arraycopy(buf, lastLabelsFrom, buf, pos, length);
        lastLabelsFrom = pos;
        pos += length;
        lastLabelsTo = pos;
        return this;
    }

    /** One label of {@link #series}: the sink is its own visitor, so writing labels allocates nothing. */
    @Override
    public void visit(byte[] src, int nameOffset, int nameLength, int valueOffset, int valueLength) {
        ensure(nameLength + 4);
        if (!firstLabel) {
            buf[pos++] = ',';
        }
        firstLabel = false;
        if (labelNames == null || MetricNames.isLegacyLabelName(src, nameOffset, nameLength)) {
            System.arraycopy(src, nameOffset, buf, pos, nameLength);
            pos += nameLength;
        } else if (labelNames == NameEscaping.ALLOW_UTF8) {
            buf[pos++] = '"';
            labelValue(src, nameOffset, nameLength); // quoted names escape as label values do
            put((byte) '"');
        } else {
            bytes(escapedLabelNames.escaped(labelNames, src, nameOffset, nameLength));
        }
        ensure(2);
        buf[pos++] = '=';
        buf[pos++] = '"';
        labelValue(src, valueOffset, valueLength);
        put((byte) '"');
    }

    /**
     * A time in Unix epoch milliseconds as seconds, as {@link TextFormatting#epochSeconds} spells it.
     * The spellings are kept (up to 512 times, then the sink starts over): the series one push
     * creates share their start, so a million series may have only as many starts as pushes, and
     * OpenMetrics writes one per counter and histogram series. Kept by an open-addressed table, not
     * a direct-mapped one: a scrape walks the starts of its pushes in turn, and two that shared a
     * slot would miss every time (JMH {@code renderOpenMetrics}, 100 pushes: 64 MB allocated per scrape).
     */
    ByteSink epochSeconds(long millis) {
        if (startSpelled == null) {
            startMillis = new long[1 << START_SLOT_BITS];
            startSpelled = new byte[1 << START_SLOT_BITS];
            startSpellings = new byte[MAX_START_BYTES << START_SLOT_BITS];
        }
        int slot = startSlot(millis);
        while (startSpelled[slot] != 0 && startMillis[slot] != millis) {
            slot = (slot + 1) & ((1 << START_SLOT_BITS) - 1);
        }
        if (startSpelled[slot] == 0) {
            String spelled = TextFormatting.epochSeconds(millis);
            if (spelled.length() > MAX_START_BYTES) {
                return ascii(spelled);
            }
            if (startsKept == MAX_STARTS_KEPT) {
                Arrays.fill(startSpelled, (byte) 0);
                startsKept = 0;
                slot = startSlot(millis);
            }
            for (int i = 0; i < spelled.length(); i++) {
                startSpellings[slot * MAX_START_BYTES + i] = (byte) spelled.charAt(i);
            }
            startMillis[slot] = millis;
            startSpelled[slot] = (byte) spelled.length();
            startsKept++;
        }
        int length = startSpelled[slot];
        ensure(length);
        System.arraycopy(startSpellings, slot * MAX_START_BYTES, buf, pos, length);
        pos += length;
        return this;
    }

    private static int startSlot(long millis) {
        return (int) ((millis * 0x9E3779B97F4A7C15L) >>> (64 - START_SLOT_BITS)); // Fibonacci hashing
    }

    /** A sample value as {@link TextFormatting#sampleValue} spells it. */
    ByteSink number(double v) {
        if (TextFormatting.isPlainInteger(v)) {
            long n = (long) v;
            if (n != 0 || Double.doubleToRawLongBits(v) == 0) { // -0.0 is spelled "-0": left to sampleValue
                return integer(n); // the same digits, written without a String
            }
        }
        return ascii(TextFormatting.sampleValue(v));
    }

    ByteSink integer(long n) {
        ensure(20);
        if (n < 0) {
            buf[pos++] = '-';
            n = -n;
        }
        int digits = 1;
        for (long rest = n / 10; rest > 0; rest /= 10) {
            digits++;
        }
        for (int i = pos + digits - 1; i >= pos; i--) {
            buf[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        pos += digits;
        return this;
    }

    /** Makes room for {@code bytes} more without growing the array again. */
    ByteSink reserve(long bytes) {
        ensure((int) Math.min(bytes, Integer.MAX_VALUE - 64L - pos));
        return this;
    }

    /** Writes what the sink holds to {@code target}. */
    void writeTo(OutputStream target) throws IOException {
        target.write(buf, 0, pos);
    }

    /** Empties the sink for reuse, keeping its array. */
    ByteSink clear() {
        pos = 0;
        return this;
    }

    private void ensure(int room) {
        if (pos + room > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + room));
        }
    }
}
