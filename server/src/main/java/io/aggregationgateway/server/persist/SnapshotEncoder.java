package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.FamilyImage;
import io.aggregationgateway.server.aggregate.ImageList;
import io.aggregationgateway.server.aggregate.SeriesImage;
import io.aggregationgateway.server.aggregate.SourceImage;
import io.aggregationgateway.server.aggregate.StoreImage;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.protowire.ProtoWriter;
import io.aggregationgateway.server.protowire.WireFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static io.aggregationgateway.server.persist.SnapshotFormat.*;

/**
 * Writes a {@link Snapshot} in the snapshot format ({@code docs/persistence.md}): the meta record,
 * each family followed by its series, each source followed by its tables and their states, the end
 * record. Labels are written as the bytes they share with the previous series' labels and the rest;
 * push times as the difference to the previous one. Fields at their default (0, empty) are left out.
 * Not thread-safe; one encoder writes one file.
 */
final class SnapshotEncoder {
    private final FrameWriter frames;
    private final ProtoWriter w;
    private Labels previousLabels;
    private long previousPush;
    private long previousStart;

    private SnapshotEncoder(FrameWriter frames) {
        this.frames = frames;
        this.w = frames.records();
    }

    /** Writes {@code snapshot} to {@code out} (buffer it) at full speed; returns the bytes written. */
    static long write(Snapshot snapshot, OutputStream out) throws IOException {
        return write(snapshot, out, VERSION, Pace.FULL_SPEED);
    }

    /** As {@link #write(Snapshot, OutputStream)}, with another version number in the header: for tests of readers. */
    static long write(Snapshot snapshot, OutputStream out, int version) throws IOException {
        return write(snapshot, out, version, Pace.FULL_SPEED);
    }

    static long write(Snapshot snapshot, OutputStream out, int version, Pace pace) throws IOException {
        FrameWriter frames = new FrameWriter(out, version, pace);
        new SnapshotEncoder(frames).encode(snapshot);
        frames.finish();
        return frames.written();
    }

    private void encode(Snapshot snapshot) throws IOException {
        StoreImage store = snapshot.store();
        int mark = begin(META);
        varint(META_TAKEN_AT, store.takenAtMillis());
        if (snapshot.lastReset().isPresent()) {
            varint(META_LAST_RESET, snapshot.lastReset().get().toEpochMilli());
        }
        string(META_WRITER, snapshot.writer());
        for (String label : store.sourceLabels()) {
            string(META_SOURCE_LABEL, label);
        }
        varint(META_NEXT_SOURCE_ID, store.nextSourceId());
        end(mark);
        previousPush = store.takenAtMillis();
        previousStart = store.takenAtMillis();

        long series = 0;
        for (FamilyImage family : store.families()) {
            mark = begin(FAMILY);
            string(FAMILY_NAME, family.name());
            varint(FAMILY_TYPE, typeNumber(family.type()));
            string(FAMILY_HELP, family.help());
            varint(FAMILY_GAUGE_MODE, modeNumber(family.gaugeMode()));
            end(mark);
            previousLabels = null;
            series(family.series(), true);
            series += family.series().size();
        }
        long states = 0;
        for (SourceImage source : store.sources()) {
            mark = begin(SOURCE);
            w.reserve(ProtoWriter.lengthDelimitedFieldSize(SOURCE_KEY, source.key().encodedSize()));
            w.tag(SOURCE_KEY, WireFormat.LENGTH_DELIMITED).varint(source.key().encodedSize());
            source.key().writeEncoding(0, w);
            varint(SOURCE_ID_OF, source.id());
            pushed(SOURCE_PUSHED, source.lastPushMillis());
            end(mark);
            for (SourceImage.Table table : source.tables()) {
                mark = begin(TABLE);
                string(TABLE_FAMILY, table.family());
                varint(TABLE_TYPE, typeNumber(table.type()));
                end(mark);
                previousLabels = null;
                series(table.baselines(), false);
                states += table.baselines().size();
            }
        }
        mark = begin(END);
        varint(END_FAMILIES, store.families().size());
        varint(END_SERIES, series);
        varint(END_SOURCES, store.sources().size());
        varint(END_STATES, states);
        end(mark);
    }

    /** The series or states of one family; scalars straight from the list's arrays, without their records. */
    private void series(ImageList list, boolean withPush) throws IOException {
        for (int i = 0; i < list.size(); i++) {
            if (list.isScalar(i)) {
                int mark = begin(SCALAR);
                labels(list.labels(i));
                if (withPush) {
                    pushed(PUSHED, list.lastPushMillis(i));
                    started(list.startMillis(i));
                }
                doubleValue(SCALAR_VALUE, list.scalar(i));
                end(mark);
            } else {
                series(list.get(i), withPush);
            }
        }
    }

    /** One series record; {@code withPush}: a series (its push time counts), not a baseline. */
    private void series(SeriesImage s, boolean withPush) throws IOException {
        int kind = switch (s) {
            case SeriesImage.Scalar x -> SCALAR;
            case SeriesImage.Classic x -> CLASSIC;
            case SeriesImage.Native x -> NATIVE;
            case SeriesImage.Gauge x -> GAUGE;
        };
        int mark = begin(kind);
        labels(s.labels());
        if (withPush) {
            pushed(PUSHED, s.lastPushMillis());
            started(s.startMillis());
        }
        switch (s) {
            case SeriesImage.Scalar x -> doubleValue(SCALAR_VALUE, x.value());
            case SeriesImage.Classic x -> classic(x.values());
            case SeriesImage.Native x -> nativeHistogram(x.value());
            case SeriesImage.Gauge x -> gauge(x);
        }
        end(mark);
    }

    private void labels(Labels labels) throws IOException {
        int shared = previousLabels == null ? 0 : labels.sharedPrefix(previousLabels);
        varint(LABELS_SHARED, shared);
        int rest = labels.encodedSize() - shared;
        if (rest > 0) {
            w.reserve(ProtoWriter.lengthDelimitedFieldSize(LABELS_REST, rest));
            w.tag(LABELS_REST, WireFormat.LENGTH_DELIMITED).varint(rest);
            labels.writeEncoding(shared, w);
        }
        previousLabels = labels;
    }

    private void pushed(int field, long lastPushMillis) throws IOException {
        varint(field, WireFormat.encodeZigZag(previousPush - lastPushMillis));
        previousPush = lastPushMillis;
    }

    /** As the difference to the series before, since the series of one push share their start. */
    private void started(long startMillis) throws IOException {
        varint(STARTED, WireFormat.encodeZigZag(previousStart - startMillis));
        previousStart = startMillis;
    }

    private void classic(HistogramValues h) throws IOException {
        doubleValue(COUNT, h.count());
        doubleValue(SUM, h.sum());
        doubles(BOUNDS, h.bounds());
        doubles(CUMULATIVE, h.cumulative());
    }

    private void nativeHistogram(NativeHistogram h) throws IOException {
        doubleValue(COUNT, h.count());
        doubleValue(SUM, h.sum());
        varint(SCHEMA, WireFormat.encodeZigZag(h.schema()));
        doubleValue(ZERO_THRESHOLD, h.zeroThreshold());
        doubleValue(ZERO_COUNT, h.zeroCount());
        varint(FLOAT_COUNTS, h.floatCounts() ? 1 : 0);
        buckets(POSITIVE_INDEX, POSITIVE_COUNT, h.positive());
        buckets(NEGATIVE_INDEX, NEGATIVE_COUNT, h.negative());
        ClassicHistogram classic = h.classic();
        if (classic != null) {
            varint(HAS_CLASSIC, 1);
            doubles(CLASSIC_BOUNDS, classic.upperBounds());
            doubles(CLASSIC_CUMULATIVE, classic.cumulativeCounts());
            if (classic.count() != null) {
                presentDouble(CLASSIC_COUNT, classic.count());
            }
            if (classic.sum() != null) {
                presentDouble(CLASSIC_SUM, classic.sum());
            }
        }
    }

    /** Indices as zigzag differences to the previous one (the first to 0), counts as doubles. */
    private void buckets(int indexField, int countField, NativeBuckets buckets) throws IOException {
        int[] indices = buckets.indices();
        long[] deltas = new long[indices.length];
        long previous = 0;
        for (int i = 0; i < indices.length; i++) {
            deltas[i] = WireFormat.encodeZigZag(indices[i] - previous);
            previous = indices[i];
        }
        varints(indexField, deltas, false);
        doubles(countField, buckets.counts());
    }

    private void gauge(SeriesImage.Gauge g) throws IOException {
        varint(HAS_DELTA, g.hasDelta() ? 1 : 0);
        doubleValue(DELTA, g.delta());
        varint(DELTA_PUSHES, g.deltaPushes());
        varint(DELTA_ORDER, g.deltaOrder());
        long[] ids = new long[g.sources().length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = g.sources()[i];
        }
        varints(SOURCE_ID, ids, false);
        doubles(SOURCE_VALUE, g.values());
        if (g.orders() != null) {
            // written even when empty: its presence says the gauge keeps orders (mode last)
            varints(SOURCE_ORDER, g.orders(), true);
        }
        varint(UPDATES, g.updates());
    }

    private int begin(int kind) throws IOException {
        w.reserve(ProtoWriter.MAX_TAG_BYTES + 1);
        return w.beginLengthDelimited(kind);
    }

    private void end(int mark) throws IOException {
        w.endLengthDelimited(mark);
        frames.recordDone();
    }

    private void varint(int field, long value) throws IOException {
        if (value != 0) {
            w.reserve(ProtoWriter.MAX_TAG_BYTES + WireFormat.MAX_VARINT_BYTES);
            w.varintField(field, value);
        }
    }

    /** A double, left out when it is +0.0 (its bits are all 0): -0.0 and NaN payloads survive exactly. */
    private void doubleValue(int field, double value) throws IOException {
        if (Double.doubleToRawLongBits(value) != 0) {
            presentDouble(field, value);
        }
    }

    private void presentDouble(int field, double value) throws IOException {
        w.reserve(ProtoWriter.MAX_TAG_BYTES + 8);
        w.doubleField(field, value);
    }

    private void string(int field, String value) throws IOException {
        if (!value.isEmpty()) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            w.reserve(ProtoWriter.lengthDelimitedFieldSize(field, bytes.length));
            w.bytesField(field, bytes, 0, bytes.length);
        }
    }

    private void doubles(int field, double[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        w.reserve(ProtoWriter.lengthDelimitedFieldSize(field, 8 * values.length));
        w.tag(field, WireFormat.LENGTH_DELIMITED).varint(8L * values.length);
        for (double v : values) {
            w.fixed64(v);
        }
    }

    /** A packed field of varints; {@code evenEmpty}: written when there are none, too. */
    private void varints(int field, long[] values, boolean evenEmpty) throws IOException {
        if (values.length == 0 && !evenEmpty) {
            return;
        }
        int size = 0;
        for (long v : values) {
            size += WireFormat.varintSize(v);
        }
        w.reserve(ProtoWriter.lengthDelimitedFieldSize(field, size));
        w.tag(field, WireFormat.LENGTH_DELIMITED).varint(size);
        for (long v : values) {
            w.varint(v);
        }
    }
}
