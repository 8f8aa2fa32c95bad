package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.FamilyImage;
import io.aggregationgateway.server.aggregate.ImageList;
import io.aggregationgateway.server.aggregate.SeriesImage;
import io.aggregationgateway.server.aggregate.SourceImage;
import io.aggregationgateway.server.aggregate.StoreImage;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.GaugeMode;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.protowire.ProtoReader;
import io.aggregationgateway.server.protowire.WireFormat;
import io.aggregationgateway.server.protowire.WireFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.aggregationgateway.server.persist.SnapshotFormat.*;
import static io.aggregationgateway.server.protowire.WireFormat.FIXED64;
import static io.aggregationgateway.server.protowire.WireFormat.LENGTH_DELIMITED;
import static io.aggregationgateway.server.protowire.WireFormat.VARINT;

/**
 * Reads a snapshot file into a {@link Snapshot}: the framing through {@link FrameReader}, then the
 * records in the order {@link SnapshotEncoder} writes them. Fields it does not know are skipped (a
 * later build of the same version may add some an older one can ignore); a record kind it does not
 * know, a record out of place, a value that cannot be, or counts that disagree with the end record
 * make the file invalid. Not thread-safe; one decoder reads one file.
 */
final class SnapshotDecoder {
    private final FrameReader frames;
    private final ProtoReader r = new ProtoReader();

    // meta
    private boolean metaSeen;
    private long takenAt;
    private Optional<Instant> lastReset = Optional.empty();
    private String writer = "";
    private final List<String> sourceLabels = new ArrayList<>();
    private int nextSourceId;

    private final List<FamilyImage> families = new ArrayList<>();
    private final List<SourceImage> sources = new ArrayList<>();
    private boolean endSeen;
    private final SeriesFields f = new SeriesFields();

    // the family or table being read, and the source whose tables are being read
    private String familyName;
    private MetricType familyType;
    private String familyHelp;
    private GaugeMode familyMode;
    private ImageList.Builder series;
    private int seriesInGroup;
    private boolean inTable; // series records are baselines of a table
    private String tableFamily;
    private MetricType tableType;
    private Labels sourceKey;
    private int sourceId;
    private long sourcePushed;
    private List<SourceImage.Table> tables;
    private long seriesRead;
    private long statesRead;

    private byte[] labelBytes = new byte[256];
    private int labelLength = -1; // -1: no previous labels in this family or table
    private long previousPush;
    private long previousStart;

    private SnapshotDecoder(FrameReader frames) {
        this.frames = frames;
    }

    /**
     * Reads the whole file from {@code in} (buffered by the caller).
     *
     * @throws InvalidSnapshotException saying what is wrong and where
     */
    static Snapshot read(InputStream in) throws IOException, InvalidSnapshotException {
        SnapshotDecoder decoder = new SnapshotDecoder(new FrameReader(in));
        return decoder.readAll();
    }

    private Snapshot readAll() throws IOException, InvalidSnapshotException {
        while (frames.next()) {
            if (endSeen) {
                throw new InvalidSnapshotException("corrupt: data after the end record, in " + frames.where());
            }
            r.start(frames.payload(), 0);
            int end = frames.payloadLength();
            try {
                while (r.position() < end) {
                    if (endSeen) {
                        throw invalid("data after the end record");
                    }
                    int tag = r.readTag(end);
                    if (WireFormat.wireType(tag) != WireFormat.LENGTH_DELIMITED) {
                        throw invalid("a record of wire type " + WireFormat.wireType(tag));
                    }
                    int recordEnd = r.readLengthDelimited(end);
                    record(WireFormat.fieldNumber(tag), recordEnd);
                    r.seek(recordEnd);
                }
            } catch (WireFormatException e) {
                throw invalid("a record that does not parse");
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }
        if (!endSeen) {
            throw new InvalidSnapshotException("truncated: the file ends after " + frames.offset()
                    + " bytes without its end record" + (metaSeen ? "" : " (it holds no record at all)"));
        }
        r.release();
        StoreImage store = new StoreImage(takenAt, families, sourceLabels, nextSourceId, sources);
        return new Snapshot(store, lastReset, writer);
    }

    private InvalidSnapshotException invalid(String what) {
        return new InvalidSnapshotException("corrupt: " + what + ", in " + frames.where());
    }

    private void record(int kind, int end) throws WireFormatException, InvalidSnapshotException {
        if (!metaSeen && kind != META) {
            throw invalid("the first record is of kind " + kind + ", not the meta record");
        }
        switch (kind) {
            case META -> meta(end);
            case FAMILY -> {
                closeGroup();
                family(end);
            }
            case SCALAR, CLASSIC, NATIVE, GAUGE -> series(kind, end);
            case SOURCE -> {
                closeGroup();
                closeSource();
                source(end);
            }
            case TABLE -> {
                if (sourceKey == null) {
                    throw invalid("a table of states outside a source");
                }
                closeGroup();
                table(end);
            }
            case END -> {
                closeGroup();
                closeSource();
                end(end);
            }
            default -> throw invalid("a record of unknown kind " + kind);
        }
    }

    private void meta(int end) throws WireFormatException, InvalidSnapshotException {
        if (metaSeen) {
            throw invalid("a second meta record");
        }
        metaSeen = true;
        while (r.position() < end) {
            int tag = r.readTag(end);
            switch (tag) {
                case META_TAKEN_AT << 3 | WireFormat.VARINT -> takenAt = r.readVarint64(end);
                case META_LAST_RESET << 3 | WireFormat.VARINT -> lastReset = Optional.of(Instant.ofEpochMilli(r.readVarint64(end)));
                case META_WRITER << 3 | WireFormat.LENGTH_DELIMITED -> writer = string(end);
                case META_SOURCE_LABEL << 3 | WireFormat.LENGTH_DELIMITED -> sourceLabels.add(string(end));
                case META_NEXT_SOURCE_ID << 3 | WireFormat.VARINT -> nextSourceId = nonNegativeInt(r.readVarint64(end), "next source id");
                default -> r.skipField(tag, end);
            }
        }
        previousPush = takenAt;
        previousStart = takenAt;
    }

    private void family(int end) throws WireFormatException, InvalidSnapshotException {
        if (sourceKey != null || !sources.isEmpty()) {
            throw invalid("a family after the sources");
        }
        familyName = "";
        familyType = null;
        familyHelp = "";
        long mode = 0;
        while (r.position() < end) {
            int tag = r.readTag(end);
            switch (tag) {
                case FAMILY_NAME << 3 | WireFormat.LENGTH_DELIMITED -> familyName = string(end);
                case FAMILY_TYPE << 3 | WireFormat.VARINT -> familyType = type(r.readVarint64(end));
                case FAMILY_HELP << 3 | WireFormat.LENGTH_DELIMITED -> familyHelp = string(end);
                case FAMILY_GAUGE_MODE << 3 | WireFormat.VARINT -> mode = r.readVarint64(end);
                default -> r.skipField(tag, end);
            }
        }
        if (familyName.isEmpty() || familyType == null) {
            throw invalid("a family without a name or a known type");
        }
        familyMode = mode(mode);
        if (mode != 0 && familyMode == null) {
            throw invalid("family " + familyName + " has an unknown gauge mode " + mode);
        }
        series = new ImageList.Builder();
        seriesInGroup = 0;
        inTable = false;
        labelLength = -1;
    }

    private void source(int end) throws WireFormatException, InvalidSnapshotException {
        Labels key = Labels.EMPTY;
        long id = 0;
        long pushed = 0;
        while (r.position() < end) {
            int tag = r.readTag(end);
            switch (tag) {
                case SOURCE_KEY << 3 | WireFormat.LENGTH_DELIMITED -> {
                    int fieldEnd = r.readLengthDelimited(end);
                    key = Labels.fromEncoding(r.buffer(), r.position(), fieldEnd - r.position());
                    r.seek(fieldEnd);
                }
                case SOURCE_ID_OF << 3 | WireFormat.VARINT -> id = r.readVarint64(end);
                case SOURCE_PUSHED << 3 | WireFormat.VARINT -> pushed = r.readVarint64(end);
                default -> r.skipField(tag, end);
            }
        }
        if (key.isEmpty()) {
            throw invalid("a source without its grouping labels");
        }
        sourceKey = key;
        sourceId = nonNegativeInt(id, "source id");
        sourcePushed = pushTime(pushed);
        tables = new ArrayList<>();
    }

    private void table(int end) throws WireFormatException, InvalidSnapshotException {
        tableFamily = "";
        tableType = null;
        while (r.position() < end) {
            int tag = r.readTag(end);
            switch (tag) {
                case TABLE_FAMILY << 3 | WireFormat.LENGTH_DELIMITED -> tableFamily = string(end);
                case TABLE_TYPE << 3 | WireFormat.VARINT -> tableType = type(r.readVarint64(end));
                default -> r.skipField(tag, end);
            }
        }
        if (tableFamily.isEmpty() || tableType == null) {
            throw invalid("a table of states without a family or a known type");
        }
        series = new ImageList.Builder();
        seriesInGroup = 0;
        inTable = true;
        labelLength = -1;
    }

    /** Ends the family or table being read. */
    private void closeGroup() {
        if (series == null) {
            return;
        }
        if (inTable) {
            tables.add(new SourceImage.Table(tableFamily, tableType, series.build()));
            statesRead += seriesInGroup;
        } else {
            families.add(new FamilyImage(familyName, familyType, familyHelp, familyMode, series.build()));
            seriesRead += seriesInGroup;
        }
        series = null;
    }

    private void closeSource() {
        if (sourceKey != null) {
            sources.add(new SourceImage(sourceKey, sourceId, sourcePushed, tables));
            sourceKey = null;
        }
    }

    private void end(int end) throws WireFormatException, InvalidSnapshotException {
        long[] counts = new long[4];
        while (r.position() < end) {
            int tag = r.readTag(end);
            switch (tag) {
                case END_FAMILIES << 3 | WireFormat.VARINT -> counts[0] = r.readVarint64(end);
                case END_SERIES << 3 | WireFormat.VARINT -> counts[1] = r.readVarint64(end);
                case END_SOURCES << 3 | WireFormat.VARINT -> counts[2] = r.readVarint64(end);
                case END_STATES << 3 | WireFormat.VARINT -> counts[3] = r.readVarint64(end);
                default -> r.skipField(tag, end);
            }
        }
        long[] read = {families.size(), seriesRead, sources.size(), statesRead};
        String[] names = {"families", "series", "sources", "states"};
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != read[i]) {
                throw invalid("the end record counts " + counts[i] + " " + names[i] + " but the file holds " + read[i]);
            }
        }
        endSeen = true;
    }

    private void series(int kind, int end) throws WireFormatException, InvalidSnapshotException {
        if (series == null) {
            throw invalid("a series outside a family or table");
        }
        MetricType type = inTable ? tableType : familyType;
        boolean histogramKind = kind == CLASSIC || kind == NATIVE;
        if (histogramKind != type.isHistogram() || (kind == GAUGE && (inTable || familyMode == null))) {
            throw invalid("a series record of kind " + kind + " in " + (inTable ? "a table of family " + tableFamily
                    : "family " + familyName) + " of type " + type.textName());
        }
        f.clear();
        int shared = 0;
        int restFrom = 0;
        int restLength = 0;
        long pushed = 0;
        long started = 0;
        while (r.position() < end) {
            int tag = r.readTag(end);
            switch (tag) {
                case LABELS_SHARED << 3 | WireFormat.VARINT -> shared = nonNegativeInt(r.readVarint64(end), "shared label bytes");
                case LABELS_REST << 3 | WireFormat.LENGTH_DELIMITED -> {
                    int fieldEnd = r.readLengthDelimited(end);
                    restFrom = r.position();
                    restLength = fieldEnd - restFrom;
                    r.seek(fieldEnd);
                }
                case PUSHED << 3 | WireFormat.VARINT -> pushed = r.readVarint64(end);
                case STARTED << 3 | WireFormat.VARINT -> started = r.readVarint64(end);
                default -> f.read(kind, tag, end);
            }
        }
        Labels labels = labels(shared, restFrom, restLength);
        long lastPush = inTable ? 0 : pushTime(pushed);
        // absent from a version 2 record: the same start as the series before (a difference of 0)
        long start = inTable ? 0 : frames.version() >= 2 ? startTime(started) : lastPush;
        seriesInGroup++;
        switch (kind) {
            case SCALAR -> series.scalar(labels, lastPush, start, f.value);
            case CLASSIC -> series.add(new SeriesImage.Classic(labels, lastPush, start,
                    new HistogramValues(f.bounds, f.cumulative, f.count, f.sum)));
            case NATIVE -> series.add(new SeriesImage.Native(labels, lastPush, start, f.nativeHistogram(labels)));
            default -> series.add(new SeriesImage.Gauge(labels, lastPush, start, f.hasDelta, f.delta, f.deltaPushes, f.deltaOrder,
                    f.sourceIds(), f.sourceValues, f.orders, f.updates));
        }
    }

    /** The labels of a series record: {@code shared} bytes of the previous labels, then the rest. */
    private Labels labels(int shared, int restFrom, int restLength) throws InvalidSnapshotException {
        if (shared > Math.max(labelLength, 0)) {
            throw invalid("a series shares " + shared + " label bytes with the one before, which has "
                    + Math.max(labelLength, 0));
        }
        int length = shared + restLength;
        if (labelBytes.length < length) {
            labelBytes = Arrays.copyOf(labelBytes, Math.max(length, labelBytes.length * 2));
        }
        System.arraycopy(r.buffer(), restFrom, labelBytes, shared, restLength);
        labelLength = length;
        return Labels.fromEncoding(labelBytes, 0, length);
    }

    /** A push time from its zigzag difference to the previous one. */
    private long pushTime(long zigzag) {
        previousPush -= WireFormat.decodeZigZag(zigzag);
        return previousPush;
    }

    /** A start time from its zigzag difference to the previous series' start. */
    private long startTime(long zigzag) {
        previousStart -= WireFormat.decodeZigZag(zigzag);
        return previousStart;
    }

    private String string(int end) throws WireFormatException {
        int fieldEnd = r.readLengthDelimited(end);
        String s = new String(r.buffer(), r.position(), fieldEnd - r.position(), StandardCharsets.UTF_8);
        r.seek(fieldEnd);
        return s;
    }

    private int nonNegativeInt(long value, String what) throws InvalidSnapshotException {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw invalid(what + " " + value + " out of range");
        }
        return (int) value;
    }

    private double[] doubles(int end) throws WireFormatException, InvalidSnapshotException {
        int fieldEnd = r.readLengthDelimited(end);
        int bytes = fieldEnd - r.position();
        if (bytes % 8 != 0) {
            throw invalid("a packed list of doubles of " + bytes + " bytes");
        }
        double[] values = new double[bytes / 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.readDouble(fieldEnd);
        }
        return values;
    }

    private long[] varints(int end) throws WireFormatException {
        int fieldEnd = r.readLengthDelimited(end);
        long[] values = new long[Math.min(16, fieldEnd - r.position())];
        int n = 0;
        while (r.position() < fieldEnd) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = r.readVarint64(fieldEnd);
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    /** The value fields of one series record, as read; each at its default until its field comes. */
    private final class SeriesFields {
        private static final double[] NONE = new double[0];
        private static final long[] NO_VARINTS = new long[0];

        double value;
        double count;
        double sum;
        double[] bounds = NONE;
        double[] cumulative = NONE;
        int schema;
        double zeroThreshold;
        double zeroCount;
        boolean floatCounts;
        long[] positiveIndex = NO_VARINTS;
        double[] positiveCount = NONE;
        long[] negativeIndex = NO_VARINTS;
        double[] negativeCount = NONE;
        boolean hasClassic;
        double[] classicBounds = NONE;
        double[] classicCumulative = NONE;
        Double classicCount;
        Double classicSum;
        boolean hasDelta;
        double delta;
        long deltaPushes;
        long deltaOrder;
        long[] sourceIds = NO_VARINTS;
        double[] sourceValues = NONE;
        long[] orders;
        long updates;

        void clear() {
            value = 0;
            count = 0;
            sum = 0;
            bounds = NONE;
            cumulative = NONE;
            schema = 0;
            zeroThreshold = 0;
            zeroCount = 0;
            floatCounts = false;
            positiveIndex = NO_VARINTS;
            positiveCount = NONE;
            negativeIndex = NO_VARINTS;
            negativeCount = NONE;
            hasClassic = false;
            classicBounds = NONE;
            classicCumulative = NONE;
            classicCount = null;
            classicSum = null;
            hasDelta = false;
            delta = 0;
            deltaPushes = 0;
            deltaOrder = 0;
            sourceIds = NO_VARINTS;
            sourceValues = NONE;
            orders = null;
            updates = 0;
        }

        /** Reads one value field of a record of {@code kind}; a field the kind does not have (or of another wire type) is skipped. */
        void read(int kind, int tag, int end) throws WireFormatException, InvalidSnapshotException {
            boolean known = switch (kind) {
                case SCALAR -> scalarField(tag, end);
                case CLASSIC -> histogramField(tag, end);
                case NATIVE -> histogramField(tag, end) || nativeField(tag, end);
                default -> gaugeField(tag, end);
            };
            if (!known) {
                r.skipField(tag, end);
            }
        }

        private boolean scalarField(int tag, int end) throws WireFormatException {
            if (tag != (SCALAR_VALUE << 3 | FIXED64)) {
                return false;
            }
            value = r.readDouble(end);
            return true;
        }

        private boolean histogramField(int tag, int end) throws WireFormatException, InvalidSnapshotException {
            switch (tag) {
                case COUNT << 3 | FIXED64 -> count = r.readDouble(end);
                case SUM << 3 | FIXED64 -> sum = r.readDouble(end);
                case BOUNDS << 3 | LENGTH_DELIMITED -> bounds = doubles(end);
                case CUMULATIVE << 3 | LENGTH_DELIMITED -> cumulative = doubles(end);
                default -> {
                    return false;
                }
            }
            return true;
        }

        private boolean nativeField(int tag, int end) throws WireFormatException, InvalidSnapshotException {
            switch (tag) {
                case SCHEMA << 3 | VARINT -> {
                    long read = WireFormat.decodeZigZag(r.readVarint64(end));
                    if (read < Integer.MIN_VALUE || read > Integer.MAX_VALUE) {
                        throw invalid("schema " + read + " out of range");
                    }
                    schema = (int) read;
                }
                case ZERO_THRESHOLD << 3 | FIXED64 -> zeroThreshold = r.readDouble(end);
                case ZERO_COUNT << 3 | FIXED64 -> zeroCount = r.readDouble(end);
                case FLOAT_COUNTS << 3 | VARINT -> floatCounts = r.readVarint64(end) != 0;
                case POSITIVE_INDEX << 3 | LENGTH_DELIMITED -> positiveIndex = varints(end);
                case POSITIVE_COUNT << 3 | LENGTH_DELIMITED -> positiveCount = doubles(end);
                case NEGATIVE_INDEX << 3 | LENGTH_DELIMITED -> negativeIndex = varints(end);
                case NEGATIVE_COUNT << 3 | LENGTH_DELIMITED -> negativeCount = doubles(end);
                case HAS_CLASSIC << 3 | VARINT -> hasClassic = r.readVarint64(end) != 0;
                case CLASSIC_BOUNDS << 3 | LENGTH_DELIMITED -> classicBounds = doubles(end);
                case CLASSIC_CUMULATIVE << 3 | LENGTH_DELIMITED -> classicCumulative = doubles(end);
                case CLASSIC_COUNT << 3 | FIXED64 -> classicCount = r.readDouble(end);
                case CLASSIC_SUM << 3 | FIXED64 -> classicSum = r.readDouble(end);
                default -> {
                    return false;
                }
            }
            return true;
        }

        private boolean gaugeField(int tag, int end) throws WireFormatException, InvalidSnapshotException {
            switch (tag) {
                case HAS_DELTA << 3 | VARINT -> hasDelta = r.readVarint64(end) != 0;
                case DELTA << 3 | FIXED64 -> delta = r.readDouble(end);
                case DELTA_PUSHES << 3 | VARINT -> deltaPushes = r.readVarint64(end);
                case DELTA_ORDER << 3 | VARINT -> deltaOrder = r.readVarint64(end);
                case SOURCE_ID << 3 | LENGTH_DELIMITED -> sourceIds = varints(end);
                case SOURCE_VALUE << 3 | LENGTH_DELIMITED -> sourceValues = doubles(end);
                case SOURCE_ORDER << 3 | LENGTH_DELIMITED -> orders = varints(end);
                case UPDATES << 3 | VARINT -> updates = r.readVarint64(end);
                default -> {
                    return false;
                }
            }
            return true;
        }

        int[] sourceIds() throws InvalidSnapshotException {
            int[] ids = new int[sourceIds.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = nonNegativeInt(sourceIds[i], "source id");
            }
            return ids;
        }

        NativeHistogram nativeHistogram(Labels labels) throws InvalidSnapshotException {
            ClassicHistogram classic = hasClassic
                    ? new ClassicHistogram(labels, classicBounds, classicCumulative, classicCount, classicSum)
                    : null;
            if (classic != null && classicBounds.length != classicCumulative.length) {
                throw invalid("a native histogram's classic part has " + classicBounds.length + " bounds but "
                        + classicCumulative.length + " counts");
            }
            return new NativeHistogram(labels, schema, zeroThreshold, zeroCount, count, sum,
                    buckets(positiveIndex, positiveCount), buckets(negativeIndex, negativeCount), floatCounts, classic);
        }

        /** Buckets from zigzag index differences; indices must come out strictly ascending. */
        private NativeBuckets buckets(long[] deltas, double[] counts) throws InvalidSnapshotException {
            if (deltas.length == 0 && counts.length == 0) {
                return NativeBuckets.EMPTY;
            }
            int[] indices = new int[deltas.length];
            long index = 0;
            for (int i = 0; i < deltas.length; i++) {
                long step = WireFormat.decodeZigZag(deltas[i]);
                index += step;
                if ((i > 0 && step <= 0) || index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
                    throw invalid("native histogram bucket indices not ascending or out of range");
                }
                indices[i] = (int) index;
            }
            return new NativeBuckets(indices, counts);
        }
    }
}
