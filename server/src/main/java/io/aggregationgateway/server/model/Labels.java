package io.aggregationgateway.server.model;

import io.aggregationgateway.server.protowire.ProtoWriter;
import io.aggregationgateway.server.protowire.WireFormat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiConsumer;

import static io.aggregationgateway.server.protowire.WireFormat.readVarint;
import static io.aggregationgateway.server.protowire.WireFormat.varintSize;
import static io.aggregationgateway.server.protowire.WireFormat.writeVarint;

/**
 * An immutable label set, sorted by label name, with empty values dropped (Prometheus treats
 * {@code a=""} as no label {@code a}).
 *
 * <p>Held as one byte array so that a million stored series cost little memory: per label
 * {@code varint(nameLength) name varint(valueLength) value}, UTF-8. The hash is computed once, from
 * the encoding alone ({@link #hashOf}), so that a set can be looked up by encoded bytes that are no
 * label set yet ({@link Known}).
 *
 * <p>Not final for one reason: a stored series <em>is</em> its label set (the store's cells extend
 * this class, sharing the pushed set's encoding), so that a series does not pay for a label object
 * of its own besides its cell (24 bytes a series). Every method is final: a subclass adds
 * state, never changes what a label set is, equals or how it orders. Two label sets are equal when
 * their labels are, whatever their classes.
 */
public class Labels implements Comparable<Labels> {
    public static final Labels EMPTY = new Labels(new byte[0], 0, true);
    /** How much of a label set {@link #toString()} shows before it counts the rest. */
    static final int MAX_SHOWN_CHARS = 200;
    /** Names up to this many bytes are compared byte by byte, longer ones by the library. */
    private static final int SHORT_NAME = 16;

    /**
     * The most encoded bytes of a set {@link #writeShortLabelPairs} writes: a label's name and value
     * take at most 123 of them, so that its pair, with two tags and two lengths, stays under 128.
     */
    public static final int SHORT_LABEL_PAIRS = 125;
    /** The largest field number whose length-delimited tag is one byte. */
    private static final int ONE_BYTE_TAG_FIELD = 15;

    /** set in {@link #sizeAndFlags} when every name is known to be plain: see {@link #hasPlainNames()} */
    private static final int PLAIN_NAMES = 1 << 31;
    /** set in {@link #sizeAndFlags} when no value is known to need escaping: see {@link #hasPlainValues()} */
    private static final int PLAIN_VALUES = 1 << 30;
    private static final int SIZE_BITS = PLAIN_VALUES - 1;

    private final byte[] data;
    /** the number of labels, {@link #PLAIN_NAMES} and {@link #PLAIN_VALUES}: one field, so that a label set (and a stored series) is no larger */
    private final int sizeAndFlags;
    private final int hash;

    private static final long MIX = 0x9E3779B97F4A7C15L;

    private Labels(byte[] data, int size, boolean plainNames) {
        this(data, size, plainNames, hashOf(data, 0, data.length));
    }

    /** @param hash {@link #hashOf} the whole of {@code data} */
    private Labels(byte[] data, int size, boolean plainNames, int hash) {
        this.data = data;
        this.sizeAndFlags = plainNames ? size | PLAIN_NAMES : size;
        this.hash = hash;
    }

    /**
     * The same label set as {@code labels}, sharing its encoding: for a subclass that is a label set
     * with more (a stored series). It looks at the values once, for {@link #hasPlainValues()}: a
     * series is created once and written by every scrape.
     */
    protected Labels(Labels labels) {
        this.data = labels.data;
        this.sizeAndFlags = labels.sizeAndFlags | (labels.hasPlainValues() || lookForPlainValues(data) ? PLAIN_VALUES : 0);
        this.hash = labels.hash;
    }

    /** Whether no value in {@code encoding} needs escaping: the whole of it first, then, if that found a byte, each value. */
    private static boolean lookForPlainValues(byte[] encoding) {
        if (!TextFormatting.needsLabelValueEscape(encoding, 0, encoding.length)) {
            return true; // mostly: not even a length byte is a backslash, a quote or a newline
        }
        for (int pos = 0; pos < encoding.length; ) {
            int nameLength = readVarint(encoding, pos);
            pos += varintSize(nameLength) + nameLength;
            int valueLength = readVarint(encoding, pos);
            pos += varintSize(valueLength);
            if (TextFormatting.needsLabelValueEscape(encoding, pos, pos + valueLength)) {
                return false;
            }
            pos += valueLength;
        }
        return true;
    }

    /**
     * The hash of the label set whose encoding is buf[offset, offset + length): what its
     * {@link #hashCode()} is. Eight bytes at a time, each word mixed in by a multiplication: a decoder
     * hashes every series' encoding to look it up ({@link Known}) before any label set exists.
     */
    public static int hashOf(byte[] buf, int offset, int length) {
        long h = length;
        int i = offset;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            h = (h ^ ByteWords.read(buf, i)) * MIX;
            h ^= h >>> 29;
        }
        long tail = 0;
        if (i < end && i + Long.BYTES <= buf.length) {
            // the bytes left as the low bytes of one word read past them (the array has room), as the loop below makes them
            tail = ByteWords.read(buf, i) & (-1L >>> (Long.SIZE - Byte.SIZE * (end - i)));
        } else {
            for (int shift = 0; i < end; i++, shift += 8) {
                tail |= (buf[i] & 0xffL) << shift;
            }
        }
        h = (h ^ tail) * MIX;
        return (int) (h ^ (h >>> 32));
    }

    /** Whether this set's encoding is buf[offset, offset + length). */
    public final boolean hasEncoding(byte[] buf, int offset, int length) {
        return data.length == length && Arrays.equals(data, 0, length, buf, offset, offset + length);
    }

    /**
     * Label sets held already (a store's series), looked up by encoding: a decoder that finds the
     * set it is about to build hands over the held one and builds none. Which one it gets does not
     * matter to anyone, since label sets are equal by their labels; what it saves is an array and an
     * object per series that a store holds already, the steady state of senders pushing the same series.
     */
    @FunctionalInterface
    public interface Known {
        /** Looks up nothing: every label set is built. */
        Known NONE = (buf, offset, length, hash) -> null;

        /**
         * The held label set whose encoding is buf[offset, offset + length), or {@code null}.
         *
         * @param hash {@link #hashOf} those bytes
         */
        Labels find(byte[] buf, int offset, int length, int hash);
    }

    /** Labels from alternating names and values: {@code of("job", "a", "instance", "b")}. */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Builder builder = new Builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    public final int size() {
        return sizeAndFlags & SIZE_BITS;
    }

    public final boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Whether every name is known to be plain: {@code [a-zA-Z_][a-zA-Z0-9_]*} and not starting with
     * the reserved {@code __}, a name that every check of the engine accepts and every scraper reads
     * unquoted. Known when the set was built with its names checked ({@link Builder}) or from such
     * sets; {@code false} says only that it is not known ({@link #fromEncoding} does not look).
     * The engine's checks of every pushed series skip the names of such a set, which the text
     * parser has looked at byte by byte already. Not part of equality.
     */
    public final boolean hasPlainNames() {
        return sizeAndFlags < 0;
    }

    /**
     * Whether no value is known to hold a byte the text formats escape (a backslash, a double quote,
     * a newline), so that {@link #writeText} copies the values as they are. Known for a stored
     * series' set (see {@link #Labels(Labels)}); {@code false} says only that it is not known. Not
     * part of equality.
     */
    public final boolean hasPlainValues() {
        return (sizeAndFlags & PLAIN_VALUES) != 0;
    }

    /** Whether buf[offset, offset + length) is a plain name: see {@link #hasPlainNames()}. */
    public static boolean isPlainName(byte[] buf, int offset, int length) {
        return MetricNames.isLegacyLabelName(buf, offset, length) && MetricNames.isValidLabelName(buf, offset, length);
    }

    /** Bytes of the encoding: about the label text's length (names and values, without quotes or escapes). */
    public final int encodedSize() {
        return data.length;
    }

    /**
     * {@link #encodedSize()}, or one more: reads the encoding's last byte as well as its length, so
     * that a loop over many label sets brings in every cache line of a short one (a set of 60-odd
     * bytes spans two or three lines), with the misses of many sets in flight at once. For sizing
     * buffers, where one byte too many does no harm.
     */
    public final int encodedSizeReadingTheEnd() {
        int length = data.length;
        return length == 0 ? 0 : length + (data[length - 1] & 1);
    }

    /** How many bytes at the start of this set's encoding {@code other}'s shares: what a snapshot writes once for both. */
    public final int sharedPrefix(Labels other) {
        int mismatch = Arrays.mismatch(data, other.data);
        return mismatch < 0 ? data.length : mismatch;
    }

    /** Writes the encoding from byte {@code from} on (room reserved by the caller): the rest after a {@link #sharedPrefix}. */
    public final void writeEncoding(int from, ProtoWriter out) {
        out.bytes(data, from, data.length - from);
    }

    /**
     * The label set whose encoding (see the class comment) is {@code buf[offset, offset + length)},
     * copied, as a snapshot holds it.
     *
     * @throws IllegalArgumentException saying what is wrong when those bytes are not an encoding
     *                                  this class makes: names ascending, none repeated, no empty name or value
     */
    public static Labels fromEncoding(byte[] buf, int offset, int length) {
        int end = offset + length;
        int pos = offset;
        int count = 0;
        int previousName = -1;
        int previousNameLength = 0;
        int[] range = new int[2];
        while (pos < end) {
            pos = encodedRange(buf, pos, end, range, "name");
            if (previousName >= 0 && compareNames(buf, previousName, previousNameLength, buf, range[0], range[1]) >= 0) {
                throw new IllegalArgumentException("label names out of order at byte " + (range[0] - offset));
            }
            previousName = range[0];
            previousNameLength = range[1];
            pos = encodedRange(buf, pos, end, range, "value");
            count++;
        }
        return count == 0 ? EMPTY : new Labels(Arrays.copyOfRange(buf, offset, end), count, false);
    }

    /** Reads one length-prefixed name or value at {@code pos}: its offset and length into {@code range}; returns where it ends. */
    private static int encodedRange(byte[] buf, int pos, int end, int[] range, String what) {
        int start = pos;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            if (pos >= end || shift > 28) {
                throw new IllegalArgumentException("a label " + what + "'s length is cut off or too long");
            }
            byte b = buf[pos++];
            length |= (b & 0x7f) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (pos - start != varintSize(length)) {
            throw new IllegalArgumentException("a label " + what + "'s length is not written in its shortest form");
        }
        if (length <= 0 || length > end - pos) {
            throw new IllegalArgumentException("a label " + what + " of " + length + " bytes where "
                    + (end - pos) + " are left" + (length == 0 ? " (empty)" : ""));
        }
        range[0] = pos;
        range[1] = length;
        return pos + length;
    }

    /** The value of label {@code name}, or {@code null}. */
    public final String get(String name) {
        String[] found = new String[1];
        forEach((n, v) -> {
            if (n.equals(name)) {
                found[0] = v;
            }
        });
        return found[0];
    }

    /** Calls {@code action} with each name and value, in name order. */
    public final void forEach(BiConsumer<String, String> action) {
        forEachRaw((buf, nameOffset, nameLength, valueOffset, valueLength) -> action.accept(
                new String(buf, nameOffset, nameLength, StandardCharsets.UTF_8),
                new String(buf, valueOffset, valueLength, StandardCharsets.UTF_8)));
    }

    /** Visits each label as UTF-8 byte ranges of a shared buffer, which must not be modified. */
    public final void forEachRaw(RawLabelVisitor visitor) {
        int pos = 0;
        while (pos < data.length) {
            int nameLength = readVarint(data, pos);
            pos += varintSize(nameLength);
            int nameOffset = pos;
            pos += nameLength;
            int valueLength = readVarint(data, pos);
            pos += varintSize(valueLength);
            visitor.visit(data, nameOffset, nameLength, pos, valueLength);
            pos += valueLength;
        }
    }

    /**
     * Writes the labels as the text formats spell them, {@code a="1",b="2"} (no braces), names as
     * they are (the caller knows they are legacy names) and values escaped by
     * {@link TextFormatting#escapeLabelValue}; returns the position after them. {@code dst} must have
     * room for {@link #textBytesAtMost()} bytes from {@code pos}; bytes of that room past the
     * returned position may be overwritten.
     *
     * <p>What {@link #forEachRaw} with a visitor that writes each label does, in one loop that
     * checks for room once: a scrape writes a million label sets, and per label the visitor's call,
     * room checks and copies of a few bytes each cost more than the bytes themselves. For the same
     * reason the values of a set known to need no escaping ({@link #hasPlainValues()}) are copied
     * without a look at each byte, and names and such values eight bytes at a time.
     */
    public final int writeText(byte[] dst, int pos) {
        byte[] encoding = data;
        int end = encoding.length;
        boolean plainValues = hasPlainValues();
        int room = (int) Math.min(dst.length, (long) pos + textBytesAtMost());
        int at = 0;
        while (at < end) {
            int nameLength = encoding[at];
            if (nameLength < 0) { // two bytes or more: a name of 128 bytes or longer
                nameLength = readVarint(encoding, at);
                at += varintSize(nameLength);
            } else {
                at++;
            }
            copyShort(encoding, at, dst, pos, nameLength, room);
            pos += nameLength;
            at += nameLength;
            int valueLength = encoding[at];
            if (valueLength < 0) {
                valueLength = readVarint(encoding, at);
                at += varintSize(valueLength);
            } else {
                at++;
            }
            dst[pos++] = '=';
            dst[pos++] = '"';
            if (plainValues) {
                copyShort(encoding, at, dst, pos, valueLength, room);
                pos += valueLength;
            } else {
                pos = TextFormatting.escapeLabelValue(encoding, at, valueLength, dst, pos);
            }
            at += valueLength;
            dst[pos++] = '"';
            if (at < end) {
                dst[pos++] = ',';
            }
        }
        return pos;
    }

    /**
     * Copies src[from, from + length) to dst at {@code pos}: eight bytes at a time when both
     * arrays go on for eight bytes past the copy (dst within {@code room}), else byte by byte. A
     * name or value is a few bytes, where a copy call costs more than the bytes, and a byte loop
     * a branch each. Up to seven bytes past the copy are overwritten, within {@code room}.
     */
    private static void copyShort(byte[] src, int from, byte[] dst, int pos, int length, int room) {
        if (from + length + Long.BYTES <= src.length && pos + length + Long.BYTES <= room) {
            for (int i = 0; i < length; i += Long.BYTES) {
                ByteWords.write(dst, pos + i, ByteWords.read(src, from + i));
            }
        } else {
            for (int i = 0; i < length; i++) {
                dst[pos + i] = src[from + i];
            }
        }
    }

    /**
     * Writes each label as a length-delimited field {@code pairField} holding the name as field
     * {@code nameField} and the value as field {@code valueField}, names as they are (the protobuf
     * format's {@code Metric.label} of {@code LabelPair}s), into room the caller reserved:
     * {@link #encodedSize()} + 4 × {@link #size()} bytes, exactly what it writes.
     *
     * <p>Only for a set of at most {@link #SHORT_LABEL_PAIRS} encoded bytes and field numbers of at most
     * 15: each tag, name, value and pair length is then one byte, so the encoding's own length bytes
     * are the fields' lengths, copied with what follows them. What writing each label as fields does,
     * in one loop: a scrape writes a million label sets (as {@link #writeText} for the text formats).
     *
     * @throws IllegalArgumentException for a longer set or a larger field number
     */
    public final void writeShortLabelPairs(ProtoWriter out, int pairField, int nameField, int valueField) {
        byte[] encoding = data;
        if (encoding.length > SHORT_LABEL_PAIRS) {
            throw new IllegalArgumentException("a label set of " + encoding.length + " encoded bytes is not short");
        }
        if (Math.max(pairField, Math.max(nameField, valueField)) > ONE_BYTE_TAG_FIELD) {
            throw new IllegalArgumentException("field numbers above " + ONE_BYTE_TAG_FIELD + " take tags of more than one byte");
        }
        int pairTag = WireFormat.tag(pairField, WireFormat.LENGTH_DELIMITED);
        int nameTag = WireFormat.tag(nameField, WireFormat.LENGTH_DELIMITED);
        int valueTag = WireFormat.tag(valueField, WireFormat.LENGTH_DELIMITED);
        int at = 0;
        while (at < encoding.length) {
            int nameBytes = 1 + encoding[at]; // the length byte and the name
            int valueBytes = 1 + encoding[at + nameBytes];
            out.rawByte(pairTag).rawByte(nameBytes + valueBytes + 2)
                    .rawByte(nameTag).bytes(encoding, at, nameBytes)
                    .rawByte(valueTag).bytes(encoding, at + nameBytes, valueBytes);
            at += nameBytes + valueBytes;
        }
    }

    /**
     * The most bytes {@link #writeText} writes: twice the encoding, since each label's name, value
     * and two length bytes (at least) become the name, {@code ="}, the value with every byte
     * possibly escaped, {@code "} and a comma.
     */
    public final int textBytesAtMost() {
        return 2 * data.length;
    }

    /**
     * These labels with {@code overrides} added; where both have a name, the override's value
     * wins. A linear merge of the two sorted encodings: this runs for every pushed series that
     * has grouping labels, so it must not sort or decode.
     */
    public final Labels withOverrides(Labels overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return overrides;
        }
        if (containsAll(overrides)) {
            return this; // a decoder added them already (Builder#buildWith): nothing to copy
        }
        byte[] o = overrides.data;
        byte[] out = new byte[data.length + o.length];
        int a = 0;
        int b = 0;
        int pos = 0;
        int replaced = 0;
        while (a < data.length && b < o.length) {
            int nameLengthA = readVarint(data, a);
            int nameLengthB = readVarint(o, b);
            int nameA = a + varintSize(nameLengthA);
            int nameB = b + varintSize(nameLengthB);
            int cmp = compareNames(data, nameA, nameLengthA, o, nameB, nameLengthB);
            if (cmp < 0) {
                int end = entryEnd(data, a);
                System.arraycopy(data, a, out, pos, end - a);
                pos += end - a;
                a = end;
            } else {
                int end = entryEnd(o, b);
                System.arraycopy(o, b, out, pos, end - b);
                pos += end - b;
                b = end;
                if (cmp == 0) {
                    a = entryEnd(data, a);
                    replaced++;
                }
            }
        }
        // what is left of either side sorts after everything written: copy it whole
        System.arraycopy(data, a, out, pos, data.length - a);
        pos += data.length - a;
        System.arraycopy(o, b, out, pos, o.length - b);
        pos += o.length - b;
        return new Labels(pos == out.length ? out : Arrays.copyOf(out, pos), size() + overrides.size() - replaced,
                hasPlainNames() && overrides.hasPlainNames());
    }

    /**
     * Orders two names as unsigned bytes (only the sign counts). Label names are short and mostly
     * differ early: up to {@value #SHORT_NAME} bytes a plain loop, since the library's vectorised
     * comparison costs more to set up than such a name takes to compare (it was a tenth of an ingest
     * of {@code 1k} text, most of it comparing a name with itself: {@code job} with the grouping's).
     * The order of names in a label set; a decoder that knows two names' order may tell
     * {@link Builder#addRaw(byte[], int, int, byte[], int, int, boolean, boolean) the builder}.
     */
    public static int compareNames(byte[] x, int xFrom, int xLength, byte[] y, int yFrom, int yLength) {
        int common = Math.min(xLength, yLength);
        if (common > SHORT_NAME) {
            return Arrays.compareUnsigned(x, xFrom, xFrom + xLength, y, yFrom, yFrom + yLength);
        }
        for (int i = 0; i < common; i++) {
            byte a = x[xFrom + i];
            byte b = y[yFrom + i];
            if (a != b) {
                return (a & 0xff) - (b & 0xff);
            }
        }
        return xLength - yLength;
    }

    /** Whether x[xFrom, xTo) and y[yFrom, yTo) hold the same bytes; a plain loop for short ranges, as {@link #compareNames}. */
    private static boolean sameBytes(byte[] x, int xFrom, int xTo, byte[] y, int yFrom, int yTo) {
        int length = xTo - xFrom;
        if (length != yTo - yFrom) {
            return false;
        }
        if (length > SHORT_NAME) {
            return Arrays.equals(x, xFrom, xTo, y, yFrom, yTo);
        }
        for (int i = 0; i < length; i++) {
            if (x[xFrom + i] != y[yFrom + i]) {
                return false;
            }
        }
        return true;
    }

    /** The name of the first label {@code test} accepts, or {@code null}; reads bytes, creates no Strings until a match. */
    public final String findName(RawNameTest test) {
        int pos = 0;
        while (pos < data.length) {
            int nameLength = readVarint(data, pos);
            int nameOffset = pos + varintSize(nameLength);
            if (test.test(data, nameOffset, nameLength)) {
                return new String(data, nameOffset, nameLength, StandardCharsets.UTF_8);
            }
            pos = entryEnd(data, pos);
        }
        return null;
    }

    /**
     * Whether a label is named {@code name} (its UTF-8 bytes). The names are sorted, so this stops
     * at the first name past it; no lambda, since it runs for every series of a push from a source.
     */
    public final boolean hasName(byte[] name) {
        int pos = 0;
        while (pos < data.length) {
            int nameLength = readVarint(data, pos);
            int cmp = compareNames(data, pos + varintSize(nameLength), nameLength, name, 0, name.length);
            if (cmp >= 0) {
                return cmp == 0;
            }
            pos = entryEnd(data, pos);
        }
        return false;
    }

    /** Whether a label name of {@code labels} is outside the legacy character set ({@link MetricNames#isLegacyLabelName}). */
    public static boolean hasUtf8Name(Labels labels) {
        return labels.findName((buf, offset, length) -> !MetricNames.isLegacyLabelName(buf, offset, length)) != null;
    }

    /** The length in bytes of the longest label value. */
    public final int longestValueBytes() {
        int longest = 0;
        int pos = 0;
        while (pos < data.length) {
            int nameLength = readVarint(data, pos);
            pos += varintSize(nameLength) + nameLength;
            int valueLength = readVarint(data, pos);
            longest = Math.max(longest, valueLength);
            pos += varintSize(valueLength) + valueLength;
        }
        return longest;
    }

    private static int entryEnd(byte[] buf, int pos) {
        int nameLength = readVarint(buf, pos);
        pos += varintSize(nameLength) + nameLength;
        int valueLength = readVarint(buf, pos);
        return pos + varintSize(valueLength) + valueLength;
    }

    /**
     * Whether every label of {@code subset} is here with the same value. Walks both sorted
     * encodings once and compares bytes: a DELETE runs this for every stored series under the
     * store's write lock.
     */
    public final boolean containsAll(Labels subset) {
        byte[] s = subset.data;
        int a = 0;
        int b = 0;
        while (b < s.length) {
            int nameLengthB = readVarint(s, b);
            int nameB = b + varintSize(nameLengthB);
            int cmp = 1;
            while (a < data.length) {
                int nameLengthA = readVarint(data, a);
                cmp = compareNames(data, a + varintSize(nameLengthA), nameLengthA, s, nameB, nameLengthB);
                if (cmp >= 0) {
                    break;
                }
                a = entryEnd(data, a);
            }
            if (cmp != 0) {
                return false; // this name is not here
            }
            // the names are equal, so the entries (lengths are canonical varints) are equal iff the values are
            int endA = entryEnd(data, a);
            int endB = entryEnd(s, b);
            if (!sameBytes(data, a, endA, s, b, endB)) {
                return false;
            }
            a = endA;
            b = endB;
        }
        return true;
    }

    /**
     * Orders label sets label by label: name first, then value, byte-wise. The encodings are compared
     * whole first ({@link Arrays#mismatch}, many bytes a step): every name and value before the first
     * byte that differs is equal in both, so only the one holding that byte is compared as a name or
     * value, found by stepping over the lengths before it. A store's first scrape sorts every series
     * by this, whose sets often share most of their bytes.
     */
    @Override
    public final int compareTo(Labels other) {
        byte[] mine = data;
        byte[] theirs = other.data;
        int differ = Arrays.mismatch(mine, theirs);
        if (differ < 0) {
            return 0;
        }
        int part = 0; // a name or value starts here in both: everything before is the same bytes
        while (part < mine.length && part < theirs.length) {
            int length = readVarint(mine, part);
            int start = part + varintSize(length);
            int end = start + length;
            if (differ < end) { // in this part's length or bytes: the parts differ
                int theirLength = readVarint(theirs, part);
                int theirStart = part + varintSize(theirLength);
                return Arrays.compareUnsigned(mine, start, end, theirs, theirStart, theirStart + theirLength);
            }
            part = end;
        }
        return Integer.compare(mine.length - part, theirs.length - part); // one holds more labels
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof Labels other && other.hash == hash && Arrays.equals(other.data, data);
    }

    @Override
    public final int hashCode() {
        return hash;
    }

    /**
     * {@code {a="1",b="x\"y"}}, for messages: names and values escaped and cut as
     * {@link TextFormatting#quote} does, and once about {@value #MAX_SHOWN_CHARS} characters are
     * shown, the remaining labels as a count: {@code {a="1",b="2",... 119998 more}}. A label set
     * can hold many labels of many kilobytes; no reply or log line should carry it whole.
     */
    @Override
    public final String toString() {
        StringBuilder out = new StringBuilder("{");
        int shown = 0;
        int pos = 0;
        while (pos < data.length) {
            if (shown > 0) {
                if (out.length() >= MAX_SHOWN_CHARS) {
                    out.append(",... ").append(size() - shown).append(" more");
                    break;
                }
                out.append(',');
            }
            int nameLength = readVarint(data, pos);
            pos += varintSize(nameLength);
            TextFormatting.appendVisible(out, shownPart(pos, nameLength), TextFormatting.MAX_QUOTED_CHARS);
            pos += nameLength;
            int valueLength = readVarint(data, pos);
            pos += varintSize(valueLength);
            out.append('=');
            TextFormatting.appendQuoted(out, shownPart(pos, valueLength));
            pos += valueLength;
            shown++;
        }
        return out.append('}').toString();
    }

    /**
     * Enough of data[offset, offset+length) for a message: more characters than a quote shows
     * (at most 4 bytes a character), without decoding a long value whole.
     */
    private String shownPart(int offset, int length) {
        return new String(data, offset, Math.min(length, 4 * (TextFormatting.MAX_QUOTED_CHARS + 1)), StandardCharsets.UTF_8);
    }

    /** Tests a label name given as a byte range. */
    @FunctionalInterface
    public interface RawNameTest {
        boolean test(byte[] buf, int offset, int length);
    }

    /** Sees one label as byte ranges. */
    @FunctionalInterface
    public interface RawLabelVisitor {
        void visit(byte[] buf, int nameOffset, int nameLength, int valueOffset, int valueLength);
    }

    /**
     * Collects labels in any order and builds a sorted {@link Labels}. Reusable after
     * {@link #build()}; decoders keep one per thread of work to avoid garbage per sample.
     */
    public static final class Builder {
        /** Up to this many labels, insertion sort beats merging. */
        private static final int INSERTION_SORT_MAX = 16;
        /**
         * The labels added, each already encoded as {@link Labels} holds it: when they come sorted
         * and none is empty, as senders mostly write them, the encoding is this array's start.
         */
        private byte[] scratch = new byte[256];
        private int used;
        // per label: where its encoding starts in scratch, its name length, its value length, where it ends
        private int[] ranges = new int[32];
        private int count;
        private int[] order = new int[8];
        /** room for merging in {@link #mergeSort}, allocated when a label set first needs it */
        private int[] merged = new int[0];
        /**
         * Whether every label so far came with a value and after a smaller name: then the labels
         * need no sort and no duplicate check, and the encoding is {@link #scratch}'s start. Checked
         * as each label is added (one comparison with the one before, mostly settled by the first
         * byte), since senders mostly write labels that way.
         */
        private boolean ascending = true;
        /** whether every name added so far is plain: the label set then {@link Labels#hasPlainNames() says so} */
        private boolean plainNames = true;
        /** room for an encoding in the making that may turn out to be {@link Known} already, and so never copied out */
        private byte[] encoded = EMPTY.data;
        /** the grouping labels this builder writes into scratch as labels are added: see {@link #Builder(Labels)} */
        private final Labels grouping;
        /**
         * Per grouping label: where its entry starts in the grouping's encoding, where its name starts,
         * its name's length; then the encoding's length (where an entry after the last would start).
         * Read once, so that adding a label compares names without reading varints.
         */
        private final int[] groupingEntries;
        /** how many grouping labels are in scratch so far, in order: those whose names sort before a label added */
        private int groupingWritten;

        /** A builder for any label sets. */
        public Builder() {
            this(EMPTY);
        }

        /**
         * A builder of label sets that {@link #buildWith(Labels, Known) buildWith(grouping, ...)} adds
         * {@code grouping} to, as a decoder of one group's push does: while labels are added in order,
         * each grouping label is written into the encoding where the first larger name goes in, so that
         * the set with the grouping labels is made as a set without them is, in one copy. {@link #build()}
         * and {@link #buildWith} with other labels give what they give on any builder.
         */
        public Builder(Labels grouping) {
            this.grouping = grouping;
            byte[] g = grouping.data;
            int[] entries = new int[grouping.size() * 3 + 1];
            int e = 0;
            for (int pos = 0; pos < g.length; pos = entryEnd(g, pos)) {
                int nameLength = readVarint(g, pos);
                entries[e++] = pos;
                entries[e++] = pos + varintSize(nameLength);
                entries[e++] = nameLength;
            }
            entries[e] = g.length;
            this.groupingEntries = entries;
        }

        public Builder add(String name, String value) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            return addRaw(n, 0, n.length, v, 0, v.length);
        }

        public Builder addRaw(byte[] buf, int nameOffset, int nameLength, int valueOffset, int valueLength) {
            return addRaw(buf, nameOffset, nameLength, buf, valueOffset, valueLength);
        }

        public Builder addRaw(byte[] nameBuf, int nameOffset, int nameLength,
                              byte[] valueBuf, int valueOffset, int valueLength) {
            return addRaw(nameBuf, nameOffset, nameLength, valueBuf, valueOffset, valueLength,
                    isPlainName(nameBuf, nameOffset, nameLength));
        }

        /**
         * Adds a label whose name the caller has checked already.
         *
         * @param plainName whether the name is plain ({@link Labels#hasPlainNames()}); a parser that
         *                  read it character by character knows, and saves the builder a second look
         */
        public Builder addRaw(byte[] nameBuf, int nameOffset, int nameLength,
                              byte[] valueBuf, int valueOffset, int valueLength, boolean plainName) {
            return addRaw(nameBuf, nameOffset, nameLength, valueBuf, valueOffset, valueLength, plainName, false);
        }

        /**
         * As {@link #addRaw(byte[], int, int, byte[], int, int, boolean)}, saying whether the caller
         * knows that this name sorts after the name of the label added last ({@link Labels#compareNames}
         * greater than zero): then the builder does not compare them. A parser whose samples repeat the
         * label names of the sample before knows it from that sample.
         */
        public Builder addRaw(byte[] nameBuf, int nameOffset, int nameLength,
                              byte[] valueBuf, int valueOffset, int valueLength, boolean plainName, boolean afterLast) {
            if (ascending && groupingWritten * 3 + 1 < groupingEntries.length) {
                writeGroupingBefore(nameBuf, nameOffset, nameLength);
            }
            plainNames &= plainName || valueLength == 0; // an empty value is no label: its name is not kept
            int base = count * 4;
            int pos;
            if ((nameLength | valueLength) < 0x80 && used + 2 + nameLength + valueLength <= scratch.length
                    && base + 4 <= ranges.length) {
                // as labels mostly are: both lengths one varint byte, and room for them
                scratch[used] = (byte) nameLength;
                System.arraycopy(nameBuf, nameOffset, scratch, used + 1, nameLength);
                pos = used + 1 + nameLength;
                scratch[pos++] = (byte) valueLength;
            } else {
                ensureScratch(varintSize(nameLength) + nameLength + varintSize(valueLength) + valueLength);
                if (base + 4 > ranges.length) {
                    ranges = Arrays.copyOf(ranges, ranges.length * 2);
                }
                pos = writeVarint(scratch, used, nameLength);
                System.arraycopy(nameBuf, nameOffset, scratch, pos, nameLength);
                pos = writeVarint(scratch, pos + nameLength, valueLength);
            }
            ranges[base] = used;
            ranges[base + 1] = nameLength;
            ranges[base + 2] = valueLength;
            System.arraycopy(valueBuf, valueOffset, scratch, pos, valueLength);
            used = pos + valueLength;
            ranges[base + 3] = used;
            if (ascending && (valueLength == 0 || (count > 0 && !afterLast && compareNames(count - 1, count) >= 0))) {
                ascending = false;
            }
            count++;
            return this;
        }

        /**
         * Writes the grouping labels not written yet whose names sort before the name of the label
         * about to be added. At an equal name it stops and leaves the labels to the general path,
         * which finds the repeated name (or the empty value) as for any builder.
         */
        private void writeGroupingBefore(byte[] nameBuf, int nameOffset, int nameLength) {
            byte[] g = grouping.data;
            int[] entries = groupingEntries;
            for (int e = groupingWritten * 3; e + 1 < entries.length; e += 3) {
                int cmp = Labels.compareNames(g, entries[e + 1], entries[e + 2], nameBuf, nameOffset, nameLength);
                if (cmp > 0) {
                    return;
                }
                if (cmp == 0) {
                    ascending = false;
                    return;
                }
                writeNextGroupingLabel();
            }
        }

        /** Appends the next grouping label's entry to scratch. */
        private void writeNextGroupingLabel() {
            int e = groupingWritten * 3;
            int start = groupingEntries[e];
            int length = groupingEntries[e + 3] - start;
            ensureScratch(length);
            System.arraycopy(grouping.data, start, scratch, used, length);
            used += length;
            groupingWritten++;
        }

        /** How many labels were added so far. */
        public int count() {
            return count;
        }

        /** The name of the {@code i}-th label added. */
        public String name(int i) {
            return new String(scratch, nameOffset(i), ranges[i * 4 + 1], StandardCharsets.UTF_8);
        }

        /** Forgets everything added. */
        public Builder clear() {
            used = 0;
            count = 0;
            groupingWritten = 0;
            ascending = true;
            plainNames = true;
            return this;
        }

        /**
         * Builds the sorted label set and clears this builder.
         *
         * @throws IllegalArgumentException naming the label when a name was added twice
         */
        public Labels build() {
            return build(Known.NONE);
        }

        /**
         * As {@link #build()}, but when {@code known} holds the label set, returns that one and builds none.
         *
         * @throws IllegalArgumentException naming the label when a name was added twice
         */
        public Labels build(Known known) {
            try {
                if (count == 0) {
                    return EMPTY;
                }
                // scratch is the encoding when the labels came in order, unless grouping labels are in it
                if (ascending && groupingWritten == 0) {
                    return made(scratch, used, count, plainNames, known);
                }
                int duplicate = sortByName();
                if (duplicate >= 0) {
                    throw new IllegalArgumentException("label name " + name(duplicate) + " appears twice");
                }
                int length = 0;
                int kept = 0;
                boolean asAdded = true;
                for (int k = 0; k < count; k++) {
                    int i = order[k];
                    asAdded &= i == k;
                    if (ranges[i * 4 + 2] > 0) {
                        length += ranges[i * 4 + 3] - ranges[i * 4];
                        kept++;
                    }
                }
                if (kept == 0) {
                    return EMPTY;
                }
                if (asAdded && kept == count && groupingWritten == 0) {
                    return made(scratch, used, kept, plainNames, known);
                }
                byte[] data = encoded = ensure(encoded, length);
                int pos = 0;
                for (int k = 0; k < count; k++) {
                    int i = order[k];
                    if (ranges[i * 4 + 2] > 0) {
                        int start = ranges[i * 4];
                        int entryLength = ranges[i * 4 + 3] - start;
                        System.arraycopy(scratch, start, data, pos, entryLength);
                        pos += entryLength;
                    }
                }
                return made(data, length, kept, plainNames, known);
            } finally {
                clear();
            }
        }

        /** The label set encoded as buf[0, length): {@code known}'s, or a new one with a copy of those bytes. */
        private static Labels made(byte[] buf, int length, int size, boolean plainNames, Known known) {
            int hash = hashOf(buf, 0, length);
            Labels held = known.find(buf, 0, length, hash);
            return held != null ? held : new Labels(Arrays.copyOf(buf, length), size, plainNames, hash);
        }

        private static byte[] ensure(byte[] buf, int length) {
            return buf.length >= length ? buf : new byte[Math.max(length, buf.length * 2)];
        }

        /**
         * Builds the sorted label set with {@code grouping} added, as {@link #withOverrides} would
         * add it to {@link #build()}'s result, in one copy, and clears this builder. When an added
         * label with a value has a name {@code grouping} has too, it returns {@code null} and keeps
         * what was added (for {@link #build()}): which value wins is then the caller's rule to apply.
         *
         * @throws IllegalArgumentException naming the label when a name was added twice
         */
        public Labels buildWith(Labels grouping) {
            return buildWith(grouping, Known.NONE);
        }

        /**
         * As {@link #buildWith(Labels)}, but when {@code known} holds the label set with the grouping
         * labels added, returns that one and builds none.
         *
         * @throws IllegalArgumentException naming the label when a name was added twice
         */
        public Labels buildWith(Labels grouping, Known known) {
            if (grouping.isEmpty()) {
                return build(known);
            }
            if (count == 0) {
                return grouping;
            }
            if (ascending && grouping == this.grouping) {
                return writtenWith(known);
            }
            if (ascending && groupingWritten == 0) {
                return ascendingWith(grouping, known);
            }
            // the general path reads the added labels by their ranges: grouping labels written in scratch are skipped
            int duplicate = sortByName();
            if (duplicate >= 0) {
                String name = name(duplicate);
                clear();
                throw new IllegalArgumentException("label name " + name + " appears twice");
            }
            byte[] g = grouping.data;
            // without a lookup, the encoding is made in the array the label set keeps
            byte[] out = known == Known.NONE ? new byte[used + g.length] : (encoded = ensure(encoded, used + g.length));
            int pos = 0;
            int b = 0;
            int kept = 0;
            // added labels are copied in runs: as senders write them, in order, one run before and one after the grouping labels
            int runStart = 0;
            int runEnd = 0;
            for (int k = 0; k < count; k++) {
                int i = order[k];
                if (ranges[i * 4 + 2] == 0) {
                    continue; // an empty value is no label
                }
                int nameOffset = nameOffset(i);
                int nameLength = ranges[i * 4 + 1];
                while (b < g.length) {
                    int groupingNameLength = readVarint(g, b);
                    int cmp = Labels.compareNames(g, b + varintSize(groupingNameLength), groupingNameLength,
                            scratch, nameOffset, nameLength);
                    if (cmp > 0) {
                        break;
                    }
                    if (cmp == 0) {
                        return null; // kept for build()
                    }
                    pos = append(scratch, runStart, runEnd, out, pos);
                    runStart = runEnd;
                    int end = entryEnd(g, b);
                    pos = append(g, b, end, out, pos);
                    b = end;
                }
                int start = ranges[i * 4];
                if (start != runEnd) {
                    pos = append(scratch, runStart, runEnd, out, pos);
                    runStart = start;
                }
                runEnd = ranges[i * 4 + 3];
                kept++;
            }
            pos = append(scratch, runStart, runEnd, out, pos);
            pos = append(g, b, g.length, out, pos);
            boolean plain = plainNames && grouping.hasPlainNames();
            clear();
            if (kept == 0) {
                return grouping;
            }
            if (out != encoded && pos == out.length) {
                return new Labels(out, kept + grouping.size(), plain);
            }
            return made(out, pos, kept + grouping.size(), plain, known);
        }

        /** Copies src[from, to) to out at {@code pos} and returns the position after it. */
        private static int append(byte[] src, int from, int to, byte[] out, int pos) {
            System.arraycopy(src, from, out, pos, to - from);
            return pos + to - from;
        }

        /**
         * {@link #buildWith(Labels, Known)} of this builder's grouping labels and labels added
         * {@link #ascending}: scratch is the encoding once the grouping labels that sort after every
         * added label are written too.
         */
        private Labels writtenWith(Known known) {
            while (groupingWritten * 3 + 1 < groupingEntries.length) {
                writeNextGroupingLabel();
            }
            Labels built = made(scratch, used, count + grouping.size(), plainNames && grouping.hasPlainNames(), known);
            clear();
            return built;
        }

        /**
         * {@link #buildWith(Labels, Known)} of labels added {@link #ascending}: scratch is their encoding
         * already, so each grouping label goes in where the first larger name starts, and the runs in
         * between are copied whole (as senders write them, one before and one after {@code job}).
         */
        private Labels ascendingWith(Labels grouping, Known known) {
            byte[] g = grouping.data;
            // without a lookup, the encoding is made in the array the label set keeps
            byte[] out = known == Known.NONE ? new byte[used + g.length] : (encoded = ensure(encoded, used + g.length));
            int pos = 0;
            int copied = 0; // scratch[0, copied) is in out
            int k = 0; // the first added label not known to come before the grouping label at b
            for (int b = 0; b < g.length; ) {
                int groupingNameLength = readVarint(g, b);
                int groupingName = b + varintSize(groupingNameLength);
                for (; k < count; k++) {
                    int cmp = Labels.compareNames(g, groupingName, groupingNameLength, scratch, nameOffset(k), ranges[k * 4 + 1]);
                    if (cmp < 0) {
                        break;
                    }
                    if (cmp == 0) {
                        return null; // kept for build()
                    }
                }
                int upTo = k < count ? ranges[k * 4] : used;
                pos = append(scratch, copied, upTo, out, pos);
                copied = upTo;
                int end = entryEnd(g, b);
                pos = append(g, b, end, out, pos);
                b = end;
            }
            pos = append(scratch, copied, used, out, pos);
            int size = count + grouping.size();
            boolean plain = plainNames && grouping.hasPlainNames();
            clear();
            return out != encoded ? new Labels(out, size, plain) : made(out, pos, size, plain, known);
        }

        /**
         * Orders label indexes by name and returns the last-added label whose name an earlier
         * label has too, or -1. This runs once per pushed sample, so no boxing and no
         * comparator. Series carry a handful of labels, often already sorted: up to
         * {@value #INSERTION_SORT_MAX}, insertion sort, which meets every repeated name on the
         * way; beyond, a merge sort (O(n log n) however many labels a push carries), then one
         * pass for repeated names, which the stable sort has put next to each other.
         */
        private int sortByName() {
            if (order.length < count) {
                order = new int[Math.max(count, order.length * 2)];
            }
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            if (count <= INSERTION_SORT_MAX) {
                return insertionSort(0, count);
            }
            mergeSort(0, count);
            int duplicate = -1;
            for (int k = 1; k < count; k++) {
                if (order[k] > duplicate && compareNames(order[k - 1], order[k]) == 0) {
                    duplicate = order[k];
                }
            }
            return duplicate;
        }

        /**
         * Sorts order[from, to), which holds labels in the order they were added, stably by
         * name and returns the last-added label whose name an earlier one there has, or -1.
         * Inserting a name stops at an equal one, so every repeat is met by a comparison.
         */
        private int insertionSort(int from, int to) {
            int duplicate = -1;
            for (int i = from + 1; i < to; i++) {
                int x = order[i];
                int j = i - 1;
                while (j >= from) {
                    int c = compareNames(order[j], x);
                    if (c < 0) {
                        break;
                    }
                    if (c == 0) {
                        duplicate = x;
                        break;
                    }
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = x;
            }
            return duplicate;
        }

        /** Sorts order[from, to) stably by name. */
        private void mergeSort(int from, int to) {
            if (to - from <= INSERTION_SORT_MAX) {
                insertionSort(from, to);
                return;
            }
            int mid = (from + to) >>> 1;
            mergeSort(from, mid);
            mergeSort(mid, to);
            if (compareNames(order[mid - 1], order[mid]) <= 0) {
                return; // the halves are in order already
            }
            if (merged.length < order.length) {
                merged = new int[order.length];
            }
            // merge the left half, moved aside, with the right half in place; ties take the left: stable
            System.arraycopy(order, from, merged, from, mid - from);
            int i = from;
            int j = mid;
            int k = from;
            while (i < mid && j < to) {
                order[k++] = compareNames(merged[i], order[j]) <= 0 ? merged[i++] : order[j++];
            }
            System.arraycopy(merged, i, order, k, mid - i);
        }

        private int compareNames(int x, int y) {
            return Labels.compareNames(scratch, nameOffset(x), ranges[x * 4 + 1], scratch, nameOffset(y), ranges[y * 4 + 1]);
        }

        /** Where the name of the {@code i}-th label added starts in scratch: after its length. */
        private int nameOffset(int i) {
            return ranges[i * 4] + varintSize(ranges[i * 4 + 1]);
        }

        private void ensureScratch(int extra) {
            if (used + extra > scratch.length) {
                scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, used + extra));
            }
        }
    }
}
