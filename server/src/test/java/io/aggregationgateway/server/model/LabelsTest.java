package io.aggregationgateway.server.model;

import io.aggregationgateway.server.protowire.ProtoWriter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelsTest {
    /** What scrapes size their buffers by: the encoding's size, or one more (its last byte read too). */
    @Test
    void encodedSizeReadingTheEndIsTheSizeOrOneMore() {
        assertEquals(0, Labels.EMPTY.encodedSizeReadingTheEnd());
        for (Labels labels : List.of(Labels.of("a", "b"), Labels.of("a", "c"), Labels.of("job", "x", "path", "/é"))) {
            int size = labels.encodedSize();
            int read = labels.encodedSizeReadingTheEnd();
            assertTrue(read == size || read == size + 1, labels + ": " + read + " for " + size);
        }
        assertEquals(Labels.of("a", "b").encodedSize(), Labels.of("a", "b").encodedSizeReadingTheEnd()); // 'b' is even
        assertEquals(Labels.of("a", "c").encodedSize() + 1, Labels.of("a", "c").encodedSizeReadingTheEnd()); // 'c' is odd
    }

    /** What the engine's name checks skip: known from names the builder or its caller looked at, never guessed. */
    @Test
    void plainNamesAreKnownFromHowTheSetWasBuilt() {
        assertTrue(Labels.EMPTY.hasPlainNames());
        assertTrue(Labels.of("job", "a", "path", "/é", "_x", "1", "a1", "2").hasPlainNames());
        assertFalse(Labels.of("job", "a", "__reserved", "1").hasPlainNames());
        assertFalse(Labels.of("job", "a", "http.method", "GET").hasPlainNames());
        assertFalse(Labels.of("1a", "x").hasPlainNames());
        assertTrue(Labels.of("b", "2", "a", "1").hasPlainNames()); // sorted by the builder
        assertTrue(Labels.of("a", "1", "x.y", "").hasPlainNames()); // an empty value is no label
        assertEquals(2, Labels.of("b", "2", "a", "1").size());

        byte[] name = "job".getBytes(StandardCharsets.UTF_8);
        byte[] value = "x".getBytes(StandardCharsets.UTF_8);
        Labels vouchedNot = new Labels.Builder().addRaw(name, 0, 3, value, 0, 1, false).build();
        assertFalse(vouchedNot.hasPlainNames());
        assertEquals(Labels.of("job", "x"), vouchedNot); // not part of equality
        assertEquals(Labels.of("job", "x").hashCode(), vouchedNot.hashCode());
        assertEquals(1, vouchedNot.size());

        Labels plain = Labels.of("a", "1");
        assertTrue(plain.withOverrides(Labels.of("job", "j")).hasPlainNames());
        assertFalse(plain.withOverrides(Labels.of("job.name", "j")).hasPlainNames());
        assertTrue(new Labels.Builder().add("a", "1").buildWith(Labels.of("job", "j")).hasPlainNames());
        assertFalse(new Labels.Builder().add("a", "1").buildWith(Labels.of("job.name", "j")).hasPlainNames());
        assertFalse(new Labels.Builder().add("a.b", "1").buildWith(Labels.of("job", "j")).hasPlainNames());

        Labels restored = Labels.fromEncoding(new byte[]{1, 'a', 1, '1'}, 0, 4);
        assertEquals(plain, restored);
        assertFalse(restored.hasPlainNames()); // not looked at
    }

    /** The text spelling written in one loop is what writing each label of forEachRaw spells, within its bound. */
    @Test
    void writeTextSpellsEachLabelAsTheTextFormatsDo() {
        String longName = "n".repeat(200); // a two-byte length
        String longValue = "v\"\\\n".repeat(100);
        List<Labels> cases = new ArrayList<>(List.of(Labels.EMPTY, Labels.of("a", "1"),
                Labels.of("job", "fill", "method", "GET", "path", "/api/v1/items/417", "shard", "42", "status", "200"),
                Labels.of("q", "say \"hi\"", "b", "back\\slash", "n", "two\nlines"),
                Labels.of(longName, "x", "y", longValue), Labels.of("path", "/é/ü", "z", "\"")));
        Random random = new Random(41);
        for (int i = 0; i < 2_000; i++) {
            cases.add(randomLabels(random, 6, 300));
        }
        for (Labels labels : cases) {
            byte[] dst = new byte[labels.textBytesAtMost() + 2];
            dst[0] = '<';
            int end = labels.writeText(dst, 1);
            assertTrue(end - 1 <= labels.textBytesAtMost(), labels + ": " + (end - 1) + " bytes");
            assertEquals('<', dst[0], labels + ": a byte written before the start");
            assertEquals(0, dst[dst.length - 1], labels + ": a byte written past the room");
            assertEquals(spelledLabelByLabel(labels), new String(dst, 1, end - 1, StandardCharsets.UTF_8),
                    labels.toString());
        }
    }

    /**
     * A stored set (a subclass's: the store's cells) knows whether its values need escaping, looked
     * at once; a built one does not say. Length bytes that are a newline (10), a quote (34) or a
     * backslash (92) are no escape: the values are.
     */
    @Test
    void plainValuesAreKnownForStoredSetsAndExact() {
        assertFalse(Labels.of("a", "1").hasPlainValues()); // not looked at
        assertTrue(new Stored(Labels.EMPTY).hasPlainValues());
        assertTrue(new Stored(Labels.of("job", "fill", "path", "/api/v1/items/417")).hasPlainValues());
        assertTrue(new Stored(Labels.of("short", "1")).hasPlainValues()); // under eight bytes
        for (int length : new int[]{10, 34, 92}) {
            assertTrue(new Stored(Labels.of("v", "x".repeat(length), "n".repeat(length), "y")).hasPlainValues(),
                    "length " + length);
        }
        for (String value : new String[]{"a\\b", "say \"hi\"", "two\nlines", "\"", "x".repeat(40) + "\n"}) {
            assertFalse(new Stored(Labels.of("job", "j", "v", value)).hasPlainValues(), value);
            assertFalse(new Stored(Labels.of("v", value)).hasPlainValues(), value);
        }
        Labels stored = new Stored(Labels.of("b", "2", "a", "1"));
        assertEquals(Labels.of("a", "1", "b", "2"), stored); // not part of equality
        assertEquals(2, stored.size());
        assertTrue(stored.hasPlainNames());
    }

    /** The spelling of a stored set, whose plain values are copied without a look, is a built set's. */
    @Test
    void writeTextOfStoredSetsSpellsWhatBuiltSetsDo() {
        List<Labels> cases = new ArrayList<>(List.of(Labels.of("a", "1"),
                Labels.of("v", "x".repeat(10), "w", "y".repeat(34), "n".repeat(92), "z"),
                Labels.of("q", "say \"hi\"", "b", "back\\slash", "n", "two\nlines"),
                Labels.of("n".repeat(200), "x", "y", "v".repeat(300)), Labels.of("path", "/é/ü", "z", "\"")));
        Random random = new Random(47);
        for (int i = 0; i < 2_000; i++) {
            cases.add(randomLabels(random, 6, 300));
        }
        int plain = 0;
        for (Labels built : cases) {
            Labels stored = new Stored(built);
            plain += stored.hasPlainValues() ? 1 : 0;
            byte[] expected = new byte[built.textBytesAtMost()];
            byte[] actual = new byte[stored.textBytesAtMost() + 1];
            int end = built.writeText(expected, 0);
            assertEquals(end, stored.writeText(actual, 0), built.toString());
            assertArrayEquals(Arrays.copyOf(expected, end), Arrays.copyOf(actual, end), built.toString());
            assertEquals(0, actual[actual.length - 1], built + ": a byte written past the room");
        }
        assertTrue(plain > 100 && plain < cases.size() - 100, plain + " of " + cases.size() + " plain: both kinds tried");
    }

    /** A label set with more, as the store's cells are. */
    private static final class Stored extends Labels {
        Stored(Labels labels) {
            super(labels);
        }
    }

    /**
     * Short label sets (up to the largest whose every protobuf length is one byte, values of one-
     * and two-byte UTF-8) come out as protobuf-java writes a {@code Metric} holding just those labels.
     */
    @Test
    void writeShortLabelPairsWritesWhatProtobufJavaWrites() {
        List<Labels> cases = new ArrayList<>(List.of(Labels.EMPTY, Labels.of("a", "1"),
                Labels.of("job", "fill", "method", "GET", "path", "/api/v1/items/417", "shard", "42", "status", "200"),
                Labels.of("n", "v".repeat(Labels.SHORT_LABEL_PAIRS - 3)), // a pair of 127 bytes
                Labels.of("path", "/é/ü", "z", "\"")));
        Random random = new Random(43);
        while (cases.size() < 3_000) {
            Labels labels = randomLabels(random, 7, 120);
            if (labels.encodedSize() <= Labels.SHORT_LABEL_PAIRS) {
                cases.add(labels);
            }
        }
        for (Labels labels : cases) {
            io.aggregationgateway.proto.metrics.Metric.Builder metric = io.aggregationgateway.proto.metrics.Metric.newBuilder();
            labels.forEach((name, value) -> metric.addLabel(
                    io.aggregationgateway.proto.metrics.LabelPair.newBuilder().setName(name).setValue(value)));
            byte[] expected = metric.build().toByteArray();
            int room = labels.encodedSize() + 4 * labels.size();
            ProtoWriter out = new ProtoWriter(room);
            labels.writeShortLabelPairs(out, METRIC_LABEL, PAIR_NAME, PAIR_VALUE);
            assertEquals(room, out.size(), labels.toString());
            assertArrayEquals(expected, Arrays.copyOf(out.buffer(), out.size()), labels.toString());
        }
        Labels tooLong = Labels.of("n", "v".repeat(Labels.SHORT_LABEL_PAIRS - 2));
        assertThrows(IllegalArgumentException.class,
                () -> tooLong.writeShortLabelPairs(new ProtoWriter(1024), METRIC_LABEL, PAIR_NAME, PAIR_VALUE));
        assertThrows(IllegalArgumentException.class,
                () -> Labels.of("a", "1").writeShortLabelPairs(new ProtoWriter(1024), 16, PAIR_NAME, PAIR_VALUE));
    }

    private static final int METRIC_LABEL = io.aggregationgateway.proto.metrics.Metric.LABEL_FIELD_NUMBER;
    private static final int PAIR_NAME = io.aggregationgateway.proto.metrics.LabelPair.NAME_FIELD_NUMBER;
    private static final int PAIR_VALUE = io.aggregationgateway.proto.metrics.LabelPair.VALUE_FIELD_NUMBER;

    /**
     * Fewer than {@code labels} labels, values of up to 8 or up to {@code longValue} characters of an
     * alphabet with the bytes the text formats escape, a two-byte UTF-8 letter and the syntax's own.
     */
    private static Labels randomLabels(Random random, int labels, int longValue) {
        String alphabet = "ab_\"\\\né/=,{}";
        Labels.Builder builder = new Labels.Builder();
        for (int label = random.nextInt(labels); label > 0; label--) {
            StringBuilder value = new StringBuilder();
            for (int c = random.nextInt(random.nextBoolean() ? 8 : longValue); c >= 0; c--) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            builder.add("l" + label + "_" + random.nextInt(1000), value.toString());
        }
        return builder.build();
    }

    private static String spelledLabelByLabel(Labels labels) {
        List<String> spelled = new ArrayList<>();
        labels.forEachRaw((buf, nameOffset, nameLength, valueOffset, valueLength) -> {
            byte[] value = new byte[2 * valueLength];
            int length = TextFormatting.escapeLabelValue(buf, valueOffset, valueLength, value, 0);
            spelled.add(new String(buf, nameOffset, nameLength, StandardCharsets.UTF_8) + "=\""
                    + new String(value, 0, length, StandardCharsets.UTF_8) + "\"");
        });
        return String.join(",", spelled);
    }

    @Test
    void orderOfAddingDoesNotMatter() {
        assertEquals(Labels.of("a", "1", "b", "2"), Labels.of("b", "2", "a", "1"));
        assertEquals(Labels.of("a", "1", "b", "2").hashCode(), Labels.of("b", "2", "a", "1").hashCode());
        assertEquals("{a=\"1\",b=\"2\"}", Labels.of("b", "2", "a", "1").toString());
    }

    @Test
    void emptyValuesAreNoLabel() {
        assertEquals(Labels.of("a", "1"), Labels.of("a", "1", "b", ""));
        assertEquals(Labels.EMPTY, Labels.of("b", ""));
    }

    @Test
    void duplicateNamesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.of("a", "1", "a", "2"));
        assertTrue(e.getMessage().contains("label name a appears twice"));
    }

    @Test
    void overridesWinAndEmptyOverrideRemoves() {
        Labels body = Labels.of("job", "body", "x", "1");
        assertEquals(Labels.of("job", "path", "x", "1"), body.withOverrides(Labels.of("job", "path")));
        assertEquals(Labels.of("job", "body", "x", "1", "z", "9"), body.withOverrides(Labels.of("z", "9")));
    }

    @Test
    void getAndContainsAll() {
        Labels l = Labels.of("job", "j", "instance", "i", "zone", "ü");
        assertEquals("ü", l.get("zone"));
        assertEquals(null, l.get("nope"));
        assertTrue(l.containsAll(Labels.of("job", "j", "zone", "ü")));
        assertTrue(!l.containsAll(Labels.of("job", "other")));
        assertTrue(l.containsAll(Labels.EMPTY));
    }

    /**
     * compareTo against its definition on random sets: names that are prefixes of each other, values
     * of one and of more than 127 bytes (two-byte lengths), multi-byte characters, sets that are
     * prefixes of each other, equal sets of distinct objects.
     */
    @Test
    void compareIsLabelByLabelNameThenValueByUnsignedBytes() {
        Random random = new Random(7);
        String[] names = {"a", "ab", "b", "job", "jobs", "z"};
        String[] values = {"1", "10", "9", "é", "ü", "x".repeat(127), "x".repeat(128), "x".repeat(200) + "a", "x".repeat(200) + "b"};
        List<Labels> sets = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Labels.Builder builder = new Labels.Builder();
            for (String name : names) {
                if (random.nextInt(3) > 0) {
                    builder.add(name, values[random.nextInt(values.length)]);
                }
            }
            sets.add(builder.build());
        }
        for (Labels x : sets) {
            for (Labels y : sets) {
                int expected = Integer.signum(definedOrder(x, y));
                assertEquals(expected, Integer.signum(x.compareTo(y)), x + " against " + y);
                assertEquals(expected == 0, x.equals(y), x + " against " + y);
            }
        }
    }

    private static int definedOrder(Labels x, Labels y) {
        List<byte[]> a = parts(x);
        List<byte[]> b = parts(y);
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Arrays.compareUnsigned(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static List<byte[]> parts(Labels labels) {
        List<byte[]> parts = new ArrayList<>();
        labels.forEach((name, value) -> {
            parts.add(name.getBytes(StandardCharsets.UTF_8));
            parts.add(value.getBytes(StandardCharsets.UTF_8));
        });
        return parts;
    }

    @Test
    void longValuesUseMultiByteLengths() {
        String big = "v".repeat(300);
        Labels l = Labels.of("a", big, "b", "x");
        assertEquals(big, l.get("a"));
        assertEquals("x", l.get("b"));
    }

    @Test
    void compareOrdersByNameThenValueLikeSortedStrings() {
        Random random = new Random(42);
        List<Labels> labels = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String value = Integer.toString(random.nextInt(1000));
            String other = random.nextBoolean() ? "" : Integer.toString(random.nextInt(10));
            labels.add(Labels.of("a", value, "b", other));
            keys.add(value + "\u0000" + other);
        }
        Collections.sort(labels);
        for (int i = 1; i < labels.size(); i++) {
            assertTrue(labels.get(i - 1).compareTo(labels.get(i)) <= 0);
            String prevA = labels.get(i - 1).get("a");
            String curA = labels.get(i).get("a");
            assertTrue(prevA.compareTo(curA) <= 0, prevA + " then " + curA);
        }
        assertNotEquals(0, Labels.of("a", "1").compareTo(Labels.of("a", "1", "b", "2")));
    }

    @Test
    void withOverridesMatchesARebuildForRandomLabelSets() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String[] names = {"a", "b", "code", "instance", "j", "job", "jobs", "le_x", "pa", "path", "zone"};
        for (int i = 0; i < 2_000; i++) {
            java.util.Map<String, String> body = randomLabels(random, names);
            java.util.Map<String, String> overrides = randomLabels(random, names);
            java.util.Map<String, String> expected = new java.util.TreeMap<>(body);
            expected.putAll(overrides);
            Labels.Builder reference = new Labels.Builder();
            expected.forEach(reference::add);
            Labels expectedLabels = reference.build();
            Labels merged = build(body).withOverrides(build(overrides));
            assertEquals(expectedLabels, merged, "seed " + seed + ": " + body + " + " + overrides);
            assertEquals(expectedLabels.hashCode(), merged.hashCode());
            assertEquals(expectedLabels.size(), merged.size());
        }
    }

    @Test
    void byteLevelNameChecksAgreeWithTheStringOnes() {
        for (String name : List.of("a", "_a", "__a", "a1", "1a", "a-b", "le", "", "ü", "A_Z_09", "_", "a:b", "__ü")) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            assertEquals(MetricNames.isValidLabelName(name), MetricNames.isValidLabelName(bytes, 0, bytes.length), name);
            assertEquals(MetricNames.isLegacyLabelName(name), MetricNames.isLegacyLabelName(bytes, 0, bytes.length), name);
        }
        Labels labels = Labels.of("ok", "1", "1bad", "2", "z", "long value");
        assertEquals("1bad", labels.findName((b, o, l) -> !MetricNames.isLegacyLabelName(b, o, l)));
        assertEquals(null, labels.findName((b, o, l) -> l > 10));
        assertEquals(10, labels.longestValueBytes());
        assertEquals(0, Labels.EMPTY.longestValueBytes());
    }

    @Test
    void hasNameAgreesWithGetOnRandomLabelSets() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String[] pool = {"a", "aa", "ab", "b", "instance", "instancf", "instanc", "job", "z", "ü", "_x", "A"};
        for (int round = 0; round < 500; round++) {
            Labels.Builder builder = new Labels.Builder();
            for (String name : pool) {
                if (random.nextInt(3) == 0) {
                    builder.add(name, "v");
                }
            }
            Labels labels = builder.build();
            for (String name : pool) {
                assertEquals(labels.get(name) != null, labels.hasName(name.getBytes(StandardCharsets.UTF_8)),
                        "seed " + seed + ": " + name + " in " + labels);
            }
        }
    }

    /**
     * The builder's sort against a TreeMap, at sizes on both sides of where it switches from
     * insertion sort to merging, in random, sorted and reversed order; with a name added twice,
     * the one named is the last label added whose name came before, as the insertion sort had it.
     */
    @Test
    void builderSortsLikeATreeMapAndNamesTheLastRepeatedName() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int size : new int[] {0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000, 5000}) {
            for (int round = 0; round < 6; round++) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    names.add("n" + Integer.toString(random.nextInt(size * 4 + 1), 36) + "_" + i);
                }
                switch (round % 3) {
                    case 1 -> Collections.sort(names);
                    case 2 -> names.sort(Collections.reverseOrder());
                    default -> { }
                }
                java.util.TreeMap<String, String> expected = new java.util.TreeMap<>();
                Labels.Builder builder = new Labels.Builder();
                for (String name : names) {
                    String value = "v" + random.nextInt(10);
                    builder.add(name, value);
                    expected.put(name, value);
                }
                Labels built = builder.build();
                assertEquals(expected.size(), built.size(), "seed " + seed);
                List<String> order = new ArrayList<>();
                built.forEach((name, value) -> {
                    order.add(name);
                    assertEquals(expected.get(name), value);
                });
                assertEquals(new ArrayList<>(expected.keySet()), order, "seed " + seed + ", size " + size);

                if (size >= 2) {
                    // repeat some names; the insertion sort named the last label added whose name an earlier one has
                    List<String> withRepeats = new ArrayList<>(names);
                    int repeats = 1 + random.nextInt(3);
                    for (int r = 0; r < repeats; r++) {
                        withRepeats.add(random.nextInt(withRepeats.size() + 1), names.get(random.nextInt(size)));
                    }
                    String lastRepeated = null;
                    java.util.Set<String> seen = new java.util.HashSet<>();
                    Labels.Builder repeated = new Labels.Builder();
                    for (String name : withRepeats) {
                        if (!seen.add(name)) {
                            lastRepeated = name;
                        }
                        repeated.add(name, "x");
                    }
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, repeated::build);
                    assertEquals("label name " + lastRepeated + " appears twice", e.getMessage(), "seed " + seed);
                    assertEquals(0, repeated.count(), "build clears the builder, also when it refuses");
                }
            }
        }
    }

    /**
     * A builder given the grouping labels builds what {@code build().withOverrides(grouping)} would,
     * for labels added in any order and with empty values; where an added label with a value has a
     * grouping label's name it builds nothing and keeps the labels for {@code build()}.
     */
    @Test
    void buildWithGroupingMatchesBuildThenWithOverrides() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String[] names = {"a", "b", "code", "instance", "j", "job", "jobs", "le_x", "pa", "path", "zone"};
        Labels.Builder builder = new Labels.Builder();
        int clashes = 0;
        for (int i = 0; i < 5_000; i++) {
            List<String[]> pushed = randomPairs(random, names, 4, random.nextBoolean());
            Labels grouping = build(randomLabels(random, names));
            Labels.Builder reference = new Labels.Builder();
            boolean clash = false;
            for (String[] pair : pushed) {
                reference.add(pair[0], pair[1]);
                builder.add(pair[0], pair[1]);
                clash |= !pair[1].isEmpty() && grouping.get(pair[0]) != null;
            }
            Labels asPushed = reference.build();
            Labels expected = clash ? null : asPushed.withOverrides(grouping);
            // built in an array of its own, in the builder's buffer and looked up, or found held
            Labels.Known known = switch (i % 3) {
                case 0 -> Labels.Known.NONE;
                case 1 -> (buf, offset, length, hash) -> null;
                default -> (buf, offset, length, hash) ->
                        expected != null && hash == expected.hashCode() && expected.hasEncoding(buf, offset, length) ? expected : null;
            };
            Labels built = builder.buildWith(grouping, known);
            String what = "seed " + seed + ": " + asPushed + " + " + grouping;
            if (clash) {
                clashes++;
                assertEquals(null, built, what);
                assertEquals(asPushed, builder.build(), what + ": the labels are kept for build()");
                continue;
            }
            assertEquals(expected, built, what);
            assertTrue(i % 3 != 2 || built == expected, what + ": the held set handed over");
            assertEquals(expected.hashCode(), built.hashCode(), what);
            assertEquals(expected.size(), built.size(), what);
            assertEquals(expected.encodedSize(), built.encodedSize(), what);
            assertEquals(0, builder.count(), what + ": cleared");
        }
        assertTrue(clashes > 100 && clashes < 4_000, "both branches taken: " + clashes + " clashes");
    }

    /**
     * A builder made for one grouping ({@code new Builder(grouping)}, which writes the grouping labels
     * into its encoding as labels are added) builds what a plain builder builds: with those grouping
     * labels, with others and without any, in any order of adding, with empty values and repeated
     * names, and when an added label has a grouping label's name; reused, since it keeps what it wrote.
     */
    @Test
    void builderForAGroupingBuildsWhatAnyBuilderBuilds() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String[] names = {"a", "b", "code", "instance", "j", "job", "jobs", "le_x", "pa", "path", "zone"};
        Labels[] groupings = new Labels[24];
        Map<Labels, Labels.Builder> builders = new HashMap<>();
        for (int g = 0; g < groupings.length; g++) {
            groupings[g] = build(randomLabels(random, names));
            builders.putIfAbsent(groupings[g], new Labels.Builder(groupings[g]));
        }
        int written = 0;
        int clashes = 0;
        for (int i = 0; i < 20_000; i++) {
            List<String[]> pushed = randomPairs(random, names, 6, random.nextInt(4) > 0);
            if (random.nextInt(20) == 0 && !pushed.isEmpty()) {
                pushed.add(pushed.get(random.nextInt(pushed.size()))); // a repeated name
            }
            Labels grouping = groupings[random.nextInt(groupings.length)];
            Labels.Builder builder = builders.get(grouping);
            // built with its own grouping mostly, with another or none at times
            int use = random.nextInt(8);
            Labels target = use == 0 ? Labels.EMPTY : use == 1 ? groupings[random.nextInt(groupings.length)] : grouping;
            Labels.Builder reference = new Labels.Builder();
            for (String[] pair : pushed) {
                reference.add(pair[0], pair[1]);
                builder.add(pair[0], pair[1]);
            }
            Labels.Known known = random.nextBoolean() ? Labels.Known.NONE : (buf, offset, length, hash) -> null;
            String what = "seed " + seed + ": " + pushed.stream().map(p -> p[0] + "=" + p[1]).toList() + " + " + target;
            Object expected;
            try {
                expected = use == 0 && random.nextBoolean() ? reference.build() : reference.buildWith(target, known);
            } catch (IllegalArgumentException repeated) {
                expected = repeated.getMessage();
            }
            Object built;
            try {
                built = use == 0 && random.nextBoolean() ? builder.build() : builder.buildWith(target, known);
            } catch (IllegalArgumentException repeated) {
                built = repeated.getMessage();
            }
            assertEquals(expected, built, what);
            if (built instanceof Labels labels) {
                Labels asExpected = (Labels) expected;
                assertEquals(asExpected.hashCode(), labels.hashCode(), what);
                assertEquals(asExpected.encodedSize(), labels.encodedSize(), what);
                assertEquals(asExpected.hasPlainNames(), labels.hasPlainNames(), what);
                assertEquals(0, builder.count(), what + ": cleared");
                written += target == grouping && !pushed.isEmpty() && !target.isEmpty() ? 1 : 0;
            } else if (built == null) {
                clashes++;
                assertEquals(reference.build(), builder.build(), what + ": the labels are kept for build()");
            } else {
                assertEquals(0, builder.count(), what + ": cleared");
            }
        }
        assertTrue(written > 2_000 && clashes > 100, "the paths taken: " + written + " with the grouping written, " + clashes + " clashes");
    }

    /**
     * Up to five labels of distinct names from {@code names}, one in {@code emptyOneIn} with an empty
     * value, some values long; in name order when {@code sorted} (as senders mostly write them),
     * otherwise shuffled.
     */
    private static List<String[]> randomPairs(Random random, String[] names, int emptyOneIn, boolean sorted) {
        List<String> pushedNames = new ArrayList<>(List.of(names));
        Collections.shuffle(pushedNames, random);
        List<String[]> pushed = new ArrayList<>();
        for (String name : pushedNames.subList(0, random.nextInt(6))) {
            pushed.add(new String[] {name, random.nextInt(emptyOneIn) == 0 ? "" : "v" + random.nextInt(9) + "x".repeat(random.nextInt(3) * 70)});
        }
        if (sorted) {
            pushed.sort((x, y) -> x[0].compareTo(y[0]));
        }
        return pushed;
    }

    @Test
    void buildWithGroupingRefusesARepeatedNameAndClears() {
        Labels.Builder builder = new Labels.Builder().add("a", "1").add("a", "2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.buildWith(Labels.of("job", "j")));
        assertEquals("label name a appears twice", e.getMessage());
        assertEquals(0, builder.count());
        assertEquals(Labels.of("job", "j"), builder.buildWith(Labels.of("job", "j")), "nothing added: the grouping labels");
    }

    /** A decoder that added the grouping labels already leaves the engine nothing to copy. */
    @Test
    void overridesAlreadyThereGiveTheSameInstance() {
        Labels labels = Labels.of("a", "1", "job", "j", "z", "2");
        assertTrue(labels == labels.withOverrides(Labels.of("job", "j")));
        assertTrue(labels == labels.withOverrides(Labels.of("a", "1", "z", "2")));
        assertEquals(Labels.of("a", "1", "job", "k", "z", "2"), labels.withOverrides(Labels.of("job", "k")));
    }

    /**
     * Labels added in order are their encoding as added; out of order or with empty values they are
     * copied entry by entry: either way one builder, reused, builds the same bytes, hash and order,
     * also with lengths of two-byte varints.
     */
    @Test
    void labelsAddedInOrderOrNotBuildTheSameEncoding() {
        String longName = "n".repeat(130);
        String longValue = "v".repeat(300);
        Labels.Builder builder = new Labels.Builder();
        Labels sorted = builder.add("a", "1").add(longName, longValue).add("z", "ü").build();
        List<Labels> others = List.of(
                builder.add("z", "ü").add(longName, longValue).add("a", "1").build(),
                builder.add("a", "1").add("b", "").add(longName, longValue).add("z", "ü").build(),
                builder.add("", "").add("a", "1").add(longName, longValue).add("z", "ü").build(),
                builder.add(longName, longValue).add("a", "1").add("z", "ü").add("m", "").build());
        for (Labels other : others) {
            assertEquals(sorted, other);
            assertEquals(sorted.hashCode(), other.hashCode());
            assertEquals(sorted.encodedSize(), other.encodedSize());
            assertEquals(sorted.encodedSize(), sorted.sharedPrefix(other));
            assertEquals(3, other.size());
        }
        assertEquals("{a=\"1\"}", builder.add("a", "1").build().toString(), "nothing left of earlier builds");
        assertEquals(Labels.EMPTY, builder.add("a", "").add("b", "").build());
    }

    /**
     * Labels added in ascending order skip the sort; one out of order, with an empty value or
     * repeated right after itself does not, and a builder reused after any of them starts afresh,
     * also after {@code buildWith} kept its labels for {@code build()}.
     */
    @Test
    void labelsAddedAscendingOrNotAreCheckedAlikeOnAReusedBuilder() {
        Labels.Builder builder = new Labels.Builder();
        assertEquals("{a=\"1\",b=\"2\"}", builder.add("b", "2").add("a", "1").build().toString());
        assertEquals("{a=\"1\",b=\"2\"}", builder.add("a", "1").add("b", "2").build().toString());
        assertEquals("{a=\"1\",c=\"3\"}", builder.add("a", "1").add("b", "").add("c", "3").build().toString());
        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class,
                () -> builder.add("a", "1").add("b", "2").add("b", "3").build());
        assertEquals("label name b appears twice", repeated.getMessage());
        assertEquals(null, builder.add("a", "1").add("job", "x").buildWith(Labels.of("job", "j")));
        assertEquals(Labels.of("a", "1", "job", "x"), builder.build(), "kept for build()");
        assertEquals(Labels.of("a", "1", "job", "j", "z", "2"), builder.add("a", "1").add("z", "2").buildWith(Labels.of("job", "j")));
        assertEquals(Labels.of("a", "1", "job", "j", "z", "2"), builder.add("z", "2").add("a", "1").buildWith(Labels.of("job", "j")));
    }

    /** 100,000 labels in reverse order: quadratic sorting took minutes for this. */
    @Test
    void builderSortsAHundredThousandLabels() {
        Labels.Builder builder = new Labels.Builder();
        int n = 100_000;
        for (int i = n - 1; i >= 0; i--) {
            builder.add(String.format("l%06d", i), "v");
        }
        Labels labels = builder.build();
        assertEquals(n, labels.size());
        String[] previous = {""};
        labels.forEach((name, value) -> {
            assertTrue(previous[0].compareTo(name) < 0, previous[0] + " before " + name);
            previous[0] = name;
        });
    }

    @Test
    void toStringShowsAboutTwoHundredCharactersThenCountsTheRest() {
        Labels.Builder builder = new Labels.Builder();
        for (int i = 0; i < 120_000; i++) {
            builder.add(String.format("l%06d", i), "1");
        }
        String text = builder.build().toString();
        assertTrue(text.startsWith("{l000000=\"1\",l000001=\"1\","), text);
        assertTrue(text.length() < 250, text);
        int shown = text.split(",").length - 1; // the last piece is "... N more}"
        assertTrue(text.endsWith(",... " + (120_000 - shown) + " more}"), text);

        String longValue = Labels.of("a", "x".repeat(5000), "b", "tab\there").toString();
        assertEquals("{a=\"" + "x".repeat(40) + "...\",b=\"tab\\there\"}", longValue);
        assertEquals("{}", Labels.EMPTY.toString());
    }

    @Test
    void containsAllComparesNamesAndValues() {
        Labels l = Labels.of("a", "1", "ab", "2", "b", "3");
        assertTrue(l.containsAll(l));
        assertTrue(l.containsAll(Labels.of("ab", "2")));
        assertTrue(l.containsAll(Labels.of("a", "1", "b", "3")));
        assertTrue(!l.containsAll(Labels.of("a", "12")), "a value that starts like the stored one");
        assertTrue(!l.containsAll(Labels.of("aa", "1")), "a name between stored names");
        assertTrue(!l.containsAll(Labels.of("c", "1")), "a name after every stored name");
        assertTrue(!l.containsAll(Labels.of("a", "1", "ab", "2", "b", "3", "c", "4")), "more labels than stored");
        assertTrue(!Labels.EMPTY.containsAll(Labels.of("a", "1")));
        assertTrue(Labels.EMPTY.containsAll(Labels.EMPTY));
        String big = "v".repeat(300); // two-byte length varints
        assertTrue(Labels.of("a", big, "z", "1").containsAll(Labels.of("a", big)));
        assertTrue(!Labels.of("a", big, "z", "1").containsAll(Labels.of("a", big + "w")));
    }

    private static java.util.Map<String, String> randomLabels(Random random, String[] names) {
        java.util.Map<String, String> labels = new java.util.HashMap<>();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            labels.put(names[random.nextInt(names.length)], "v" + random.nextInt(300) + "x".repeat(random.nextInt(3) * 70));
        }
        return labels;
    }

    private static Labels build(java.util.Map<String, String> labels) {
        Labels.Builder builder = new Labels.Builder();
        labels.forEach(builder::add);
        return builder.build();
    }

    /** The hash of an encoding's bytes is the hash of the label set they encode, at every length and offset. */
    @Test
    void hashOfAnEncodingIsItsLabelSetsHash() {
        Random rnd = new Random(7);
        for (int i = 0; i < 500; i++) {
            Labels.Builder builder = new Labels.Builder();
            for (int n = rnd.nextInt(5); n >= 0; n--) {
                builder.add("n" + rnd.nextInt(1000), "v".repeat(rnd.nextInt(20)) + rnd.nextInt(100));
            }
            Labels labels = builder.build();
            byte[] encoding = encoding(labels);
            int shift = rnd.nextInt(9);
            byte[] shifted = new byte[shift + encoding.length + 3];
            System.arraycopy(encoding, 0, shifted, shift, encoding.length);
            assertEquals(labels.hashCode(), Labels.hashOf(shifted, shift, encoding.length), labels.toString());
            assertEquals(labels, Labels.fromEncoding(shifted, shift, encoding.length));
            assertTrue(labels.hasEncoding(shifted, shift, encoding.length));
            assertFalse(labels.hasEncoding(shifted, shift, encoding.length + 1));
        }
    }

    /**
     * The hash of a range does not depend on the bytes around it: a range whose last word can be read
     * past its end (the array goes on, here with random bytes) hashes as the same bytes in an array of
     * their own, whose last word cannot.
     */
    @Test
    void hashOfARangeIgnoresTheBytesAfterIt() {
        Random rnd = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            byte[] range = new byte[rnd.nextInt(40)];
            rnd.nextBytes(range);
            int offset = rnd.nextInt(9);
            byte[] within = new byte[offset + range.length + rnd.nextInt(12)];
            rnd.nextBytes(within);
            System.arraycopy(range, 0, within, offset, range.length);
            assertEquals(Labels.hashOf(range, 0, range.length), Labels.hashOf(within, offset, range.length),
                    "length " + range.length + " at " + offset + " of " + within.length);
        }
    }

    /**
     * A builder asked to look its label set up hands over the held one when it is held, in every way
     * of building (labels in order, out of order, with grouping labels added), and else builds an
     * equal set of its own; the lookup gets the encoding and its hash.
     */
    @Test
    void buildersHandOverAHeldLabelSet() {
        Labels held = Labels.of("a", "1", "job", "x", "z", "2");
        Labels.Known known = (buf, offset, length, hash) -> {
            assertEquals(Labels.hashOf(buf, offset, length), hash);
            return held.hasEncoding(buf, offset, length) ? held : null;
        };
        assertSame(held, new Labels.Builder().add("a", "1").add("job", "x").add("z", "2").build(known));
        assertSame(held, new Labels.Builder().add("z", "2").add("a", "1").add("job", "x").build(known));
        assertSame(held, new Labels.Builder().add("a", "1").add("e", "").add("job", "x").add("z", "2").build(known));
        assertSame(held, new Labels.Builder().add("a", "1").add("z", "2").buildWith(Labels.of("job", "x"), known));
        assertSame(held, new Labels.Builder().add("z", "2").add("a", "1").buildWith(Labels.of("job", "x"), known));
        Labels other = new Labels.Builder().add("a", "1").add("z", "2").buildWith(Labels.of("job", "y"), known);
        assertNotSame(held, other);
        assertEquals(Labels.of("a", "1", "job", "y", "z", "2"), other);
        assertEquals(Labels.of("a", "1"), new Labels.Builder().add("a", "1").build(known));
        // the builder is reusable after each, as without a lookup
        Labels.Builder reused = new Labels.Builder();
        for (int i = 0; i < 3; i++) {
            assertSame(held, reused.add("a", "1").add("z", "2").buildWith(Labels.of("job", "x"), known));
            assertEquals(Labels.of("a", "1", "job", "q", "z", "2"),
                    reused.add("z", "2").add("a", "1").buildWith(Labels.of("job", "q"), known));
        }
    }

    private static byte[] encoding(Labels labels) {
        io.aggregationgateway.server.protowire.ProtoWriter writer = new io.aggregationgateway.server.protowire.ProtoWriter(16);
        try {
            writer.reserve(labels.encodedSize());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        labels.writeEncoding(0, writer);
        return java.util.Arrays.copyOf(writer.buffer(), writer.size());
    }
}
