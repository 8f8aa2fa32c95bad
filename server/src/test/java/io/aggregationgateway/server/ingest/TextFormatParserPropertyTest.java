package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.ingest.TextFormatParser.Dialect;
import io.aggregationgateway.server.ingest.TextFormatParserTest.ModelText;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generates random families, renders them as text the way different clients would (random
 * blanks, label order, escapes, timestamps, comments, CRLF, out-of-order buckets, _created
 * samples and families, exemplars, families split across the body), parses them and expects
 * exactly the generated model back.
 *
 * <p>Run one seed with {@code -Dparser.seed=N}.
 */
class TextFormatParserPropertyTest {

    private static final int ITERATIONS = 300;
    private static final long BASE_SEED = Long.getLong("parser.seed", 0x5eed_2024L);

    private static final String[] VALUE_CHARS = {
        "a", "b", "Z", "0", "9", " ", "_", "-", ".", "/", ":", "{", "}", ",", "=", "#", "'", "\t", "\r",
        "\"", "\\", "\n", "\\n", "é", "ß", "日", "本", "😀", "€", "\u00a0"
    };
    private static final String[] SPECIAL_VALUES = {"+Inf", "-Inf", "Inf", "inf", "-inf", "+infinity", "NaN", "nan"};

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void parsesBackWhatWasRendered(Dialect dialect) {
        TextFormatParser parser = new TextFormatParser(dialect);
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + i;
            Generated generated;
            try {
                generated = new Generator(new Random(seed), dialect == Dialect.OPENMETRICS_1_0_0).generate();
            } catch (RuntimeException e) {
                throw new AssertionError("generator failed for seed " + seed, e);
            }
            byte[] body = generated.text.getBytes(StandardCharsets.UTF_8);
            List<MetricFamily> parsed;
            try {
                parsed = parser.parse(body, 0, body.length);
            } catch (PushRejectedException | RuntimeException e) {
                fail("seed " + seed + " (" + dialect + "): " + e + "\n--- body ---\n" + generated.text, e);
                return;
            }
            assertEquals(ModelText.render(generated.expected), ModelText.render(parsed),
                    () -> "seed " + seed + " (" + dialect + ")\n--- body ---\n" + generated.text);
        }
    }

    /**
     * Parsing with grouping labels gives what the engine would make of the parse without them: each
     * series' labels with the grouping labels added, theirs winning. The grouping labels' names are
     * sometimes among the generated ones (the body is then read as pushed), mostly not (they are
     * added while each label set is built).
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void groupingLabelsMeanWhatTheEngineMakesOfThem(Dialect dialect) throws PushRejectedException {
        TextFormatParser parser = new TextFormatParser(dialect);
        String[] names = {"a", "b", "job", "instance", "Z", "zz"};
        int added = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + i;
            Random rnd = new Random(seed);
            Generated generated = new Generator(rnd, dialect == Dialect.OPENMETRICS_1_0_0).generate();
            Labels.Builder builder = new Labels.Builder();
            for (int n = 1 + rnd.nextInt(2); n > 0; n--) {
                builder.add(names[rnd.nextInt(names.length)] + (n == 2 ? "2" : ""), "g" + rnd.nextInt(3));
            }
            Labels grouping = builder.build();
            byte[] body = generated.text.getBytes(StandardCharsets.UTF_8);
            List<MetricFamily> plain = parser.parse(body, 0, body.length);
            List<MetricFamily> grouped = parser.parse(body, 0, body.length, grouping);
            assertEquals(ModelText.render(withOverrides(plain, grouping)), ModelText.render(withOverrides(grouped, grouping)),
                    () -> "seed " + seed + " (" + dialect + "), grouping " + grouping + "\n--- body ---\n" + generated.text);
            if (!ModelText.render(plain).equals(ModelText.render(grouped))) {
                added++;
            }
        }
        assertTrue(added > ITERATIONS / 2, "grouping labels added while parsing in " + added + " of " + ITERATIONS);
    }

    /**
     * Parsing with the label sets of an earlier parse held ({@link HeldLabels}) gives the same model,
     * each series carrying the held label set itself; the lookup is asked by family name, with each
     * encoding's hash.
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void heldLabelSetsAreHandedOverAndMeanTheSame(Dialect dialect) throws PushRejectedException {
        TextFormatParser parser = new TextFormatParser(dialect);
        Labels grouping = Labels.of("job", "j");
        int handedOver = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + i;
            Generated generated = new Generator(new Random(seed), dialect == Dialect.OPENMETRICS_1_0_0).generate();
            byte[] body = generated.text.getBytes(StandardCharsets.UTF_8);
            List<MetricFamily> first = parser.parse(body, 0, body.length, grouping);
            java.util.Map<String, java.util.Map<Labels, Labels>> stored = new java.util.HashMap<>();
            for (MetricFamily f : first) {
                for (Series series : f.series()) {
                    stored.computeIfAbsent(f.name(), name -> new java.util.HashMap<>()).put(series.labels(), series.labels());
                }
            }
            HeldLabels held = family -> {
                java.util.Map<Labels, Labels> ofFamily = stored.get(family);
                return ofFamily == null ? Labels.Known.NONE : (buf, offset, length, hash) -> {
                    Labels asked = Labels.fromEncoding(buf, offset, length);
                    assertEquals(asked.hashCode(), hash, "hash of " + asked);
                    return ofFamily.get(asked);
                };
            };
            List<MetricFamily> again = parser.parse(body, 0, body.length, grouping, held);
            assertEquals(ModelText.render(first), ModelText.render(again), () -> "seed " + seed + " (" + dialect + ")");
            for (MetricFamily f : again) {
                for (Series series : f.series()) {
                    java.util.Map<Labels, Labels> ofFamily = stored.get(f.name());
                    if (ofFamily != null && ofFamily.get(series.labels()) == series.labels()) {
                        handedOver++;
                    }
                }
            }
            // a rejected body is rejected alike
            byte[] broken = (generated.text + "bad{\n").getBytes(StandardCharsets.UTF_8);
            String without = rejection(() -> parser.parse(broken, 0, broken.length, grouping));
            String with = rejection(() -> parser.parse(broken, 0, broken.length, grouping, held));
            assertEquals(without, with, () -> "seed " + seed + " (" + dialect + ")");
        }
        assertTrue(handedOver > ITERATIONS, "held label sets handed over " + handedOver + " times");
    }

    private interface Parse {
        List<MetricFamily> run() throws PushRejectedException;
    }

    private static String rejection(Parse parse) {
        try {
            return "parsed " + ModelText.render(parse.run());
        } catch (PushRejectedException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    private static List<MetricFamily> withOverrides(List<MetricFamily> families, Labels grouping) {
        List<MetricFamily> out = new ArrayList<>();
        for (MetricFamily f : families) {
            List<Series> series = new ArrayList<>();
            for (Series s : f.series()) {
                series.add(s.withLabels(s.labels().withOverrides(grouping)));
            }
            out.add(new MetricFamily(f.name(), f.type(), f.help(), series));
        }
        return out;
    }

    /**
     * A sample named as the one before it is neither scanned nor looked up; with every sample's name
     * quoted inside the braces ({@code {"name",...}}, which is the same name) each one is. Both
     * bodies must parse to the same model.
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void samplesNamedInsideTheBracesParseAsNamedBeforeThem(Dialect dialect) throws PushRejectedException {
        TextFormatParser parser = new TextFormatParser(dialect);
        int rewritten = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + i;
            Generated generated = new Generator(new Random(seed), dialect == Dialect.OPENMETRICS_1_0_0).generate();
            String quoted = SAMPLE_NAMED_BEFORE_BRACES.matcher(generated.text).replaceAll(m ->
                    java.util.regex.Matcher.quoteReplacement("{\"" + m.group(1) + "\"" + (m.group(2) != null ? "," : "} ")));
            byte[] plainBody = generated.text.getBytes(StandardCharsets.UTF_8);
            byte[] quotedBody = quoted.getBytes(StandardCharsets.UTF_8);
            if (!quoted.equals(generated.text)) {
                rewritten++;
            }
            assertEquals(ModelText.render(parser.parse(plainBody, 0, plainBody.length)),
                    ModelText.render(parser.parse(quotedBody, 0, quotedBody.length)),
                    () -> "seed " + seed + " (" + dialect + ")\n--- body ---\n" + generated.text + "\n--- quoted ---\n" + quoted);
        }
        assertTrue(rewritten > ITERATIONS / 2, "names quoted in " + rewritten + " of " + ITERATIONS + " bodies");
    }

    /** A sample line's metric name written before its braces or value, and what follows it; lines end at \n only (values may hold \r). */
    private static final java.util.regex.Pattern SAMPLE_NAMED_BEFORE_BRACES =
            java.util.regex.Pattern.compile("(?md)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]*(\\{)|[ \t])");

    /** The fast decimal path must give exactly what Double.parseDouble gives. */
    @Test
    void numbersAgreeWithDoubleParseDouble() throws PushRejectedException {
        Random rnd = new Random(BASE_SEED);
        List<String> texts = new ArrayList<>(List.of("9007199254740992", "9007199254740993", "9007199254740991.5",
                "1e22", "1e23", "1e-22", "1e-23", "123456789012345678", "0.000000000000000000000001", "4503599627370497.5"));
        while (texts.size() < 10_000) {
            StringBuilder t = new StringBuilder(rnd.nextInt(3) == 0 ? "-" : "");
            int intDigits = rnd.nextInt(21);
            int fracDigits = rnd.nextInt(21);
            if (intDigits + fracDigits == 0) {
                intDigits = 1;
            }
            for (int i = 0; i < intDigits; i++) {
                t.append((char) ('0' + rnd.nextInt(10)));
            }
            if (fracDigits > 0 || rnd.nextInt(4) == 0) {
                t.append('.');
            }
            for (int i = 0; i < fracDigits; i++) {
                t.append((char) ('0' + rnd.nextInt(10)));
            }
            if (rnd.nextBoolean()) {
                t.append('e').append(rnd.nextInt(61) - 30);
            }
            texts.add(t.toString());
        }
        StringBuilder body = new StringBuilder();
        for (String t : texts) {
            body.append("m ").append(t).append('\n');
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        List<Series> series = new TextFormatParser(Dialect.PROMETHEUS_TEXT_0_0_4).parse(bytes, 0, bytes.length)
                .getFirst().series();
        assertEquals(texts.size(), series.size());
        for (int i = 0; i < texts.size(); i++) {
            double expected = Double.parseDouble(texts.get(i));
            double actual = ((ScalarSample) series.get(i)).value();
            int index = i;
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                    () -> "seed " + BASE_SEED + ": " + texts.get(index) + " parsed as " + actual + ", expected " + expected);
        }
    }

    private record Generated(String text, List<MetricFamily> expected) {
    }

    private enum Kind {
        COUNTER, GAUGE, UNTYPED, HISTOGRAM, SUMMARY, GAUGE_HISTOGRAM, INFO, STATESET
    }

    /** A value as written in the text and as parsed. */
    private record Value(String text, double value) {
    }

    private static final class Generator {
        private final Random rnd;
        private final boolean om;
        private final StringBuilder out = new StringBuilder();
        private final StringBuilder later = new StringBuilder(); // samples of split families
        private final String nl;

        Generator(Random rnd, boolean om) {
            this.rnd = rnd;
            this.om = om;
            this.nl = rnd.nextInt(4) == 0 ? "\r\n" : "\n";
        }

        Generated generate() {
            List<MetricFamily> expected = new ArrayList<>();
            int families = 1 + rnd.nextInt(6);
            for (int f = 0; f < families; f++) {
                expected.add(family(f));
            }
            out.append(later);
            if (om) {
                out.append("# EOF");
                if (rnd.nextBoolean()) {
                    out.append(nl);
                }
            } else if (rnd.nextInt(5) == 0 && out.length() > nl.length()) {
                out.setLength(out.length() - nl.length()); // no newline after the last line
            }
            return new Generated(out.toString(), expected);
        }

        private MetricFamily family(int index) {
            Kind[] kinds = om ? Kind.values() : new Kind[] {Kind.COUNTER, Kind.GAUGE, Kind.UNTYPED, Kind.HISTOGRAM, Kind.SUMMARY};
            Kind kind = kinds[rnd.nextInt(kinds.length)];
            String name = "f" + index + "_" + randomName(0, 6, "abcxyzABC019_:");
            if (!om && kind == Kind.COUNTER && rnd.nextBoolean()) {
                name += "_total";
            }
            String help = rnd.nextInt(3) == 0 ? null : help();
            boolean declared = om || kind != Kind.UNTYPED || rnd.nextBoolean();

            comments();
            boolean helpFirst = rnd.nextBoolean();
            if (help != null && helpFirst) {
                line("# HELP " + name + " " + escapeHelp(help));
            }
            if (declared) {
                line("#" + blanks() + "TYPE" + blanks() + name + blanks() + typeText(kind));
            }
            if (help != null && !helpFirst) {
                line("# HELP " + name + " " + escapeHelp(help));
            }
            if (om && rnd.nextInt(4) == 0) {
                line("# UNIT " + name + " seconds");
            }

            int seriesCount = 1 + rnd.nextInt(4);
            List<Series> series = new ArrayList<>();
            Set<Labels> seen = new HashSet<>();
            // a family that no metadata line mentions is first seen at its first sample: keep that in place
            int splitAt = rnd.nextInt(4) == 0 ? rnd.nextInt(seriesCount + 1) : seriesCount;
            if (!declared && help == null) {
                splitAt = Math.max(splitAt, 1);
            }
            for (int s = 0; s < seriesCount; s++) {
                List<String[]> pairs;
                Labels labels;
                do {
                    pairs = labelPairs();
                    Labels.Builder builder = new Labels.Builder();
                    for (String[] pair : pairs) {
                        builder.add(pair[0], pair[1]);
                    }
                    labels = builder.build();
                } while (!seen.add(labels));
                StringBuilder target = s < splitAt ? out : later;
                series.add(series(kind, name, pairs, labels, target));
                comments();
            }
            if (!om && (kind == Kind.COUNTER || kind == Kind.HISTOGRAM || kind == Kind.SUMMARY) && rnd.nextInt(3) == 0) {
                // client_python 0.0.4: a gauge family N_created next to the counter/histogram/summary
                String base = kind == Kind.COUNTER && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
                line("# HELP " + base + "_created " + escapeHelp(help == null ? "created" : help));
                line("# TYPE " + base + "_created gauge");
                line(base + "_created" + labelText(labelPairs(), null, null) + " 1.7e9");
            }
            String outputName = switch (kind) {
                case COUNTER -> om ? name + "_total" : name;
                case INFO -> name + "_info";
                default -> name;
            };
            MetricType type = switch (kind) {
                case COUNTER -> MetricType.COUNTER;
                case GAUGE, INFO, STATESET -> MetricType.GAUGE;
                case UNTYPED -> MetricType.UNTYPED;
                case HISTOGRAM -> MetricType.HISTOGRAM;
                case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
                case SUMMARY -> MetricType.SUMMARY;
            };
            return new MetricFamily(outputName, type, help == null ? "" : help, series);
        }

        private Series series(Kind kind, String name, List<String[]> pairs, Labels labels, StringBuilder target) {
            switch (kind) {
                case HISTOGRAM, GAUGE_HISTOGRAM -> {
                    int buckets = rnd.nextInt(5);
                    Set<Double> boundSet = new HashSet<>();
                    while (boundSet.size() < buckets) {
                        boundSet.add(rnd.nextInt(3) == 0 ? Double.POSITIVE_INFINITY : bound());
                    }
                    List<Double> bounds = new ArrayList<>(boundSet);
                    Collections.sort(bounds);
                    double[] upper = new double[buckets];
                    double[] counts = new double[buckets];
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < buckets; i++) {
                        Value count = value();
                        upper[i] = bounds.get(i);
                        counts[i] = count.value;
                        lines.add(name + "_bucket" + labelText(pairs, "le", boundText(upper[i])) + sep() + count.text
                                + timestamp() + exemplar());
                    }
                    Double count = null;
                    Double sum = null;
                    if (buckets == 0 || rnd.nextBoolean()) {
                        Value v = value();
                        count = v.value;
                        lines.add(name + (kind == Kind.HISTOGRAM ? "_count" : "_gcount") + labelText(pairs, null, null)
                                + sep() + v.text + timestamp());
                    }
                    if (rnd.nextBoolean()) {
                        Value v = value();
                        sum = v.value;
                        lines.add(name + (kind == Kind.HISTOGRAM ? "_sum" : "_gsum") + labelText(pairs, null, null)
                                + sep() + v.text + timestamp());
                    }
                    if (kind == Kind.HISTOGRAM && rnd.nextInt(3) == 0) {
                        lines.add(name + "_created" + labelText(pairs, null, null) + sep() + "1.7e9");
                    }
                    if (rnd.nextBoolean()) {
                        Collections.shuffle(lines, rnd);
                    }
                    lines.forEach(l -> line(target, l));
                    return new ClassicHistogram(labels, upper, counts, count, sum);
                }
                case SUMMARY -> {
                    List<String> lines = new ArrayList<>();
                    int quantiles = rnd.nextInt(3);
                    for (int i = 0; i < quantiles; i++) {
                        lines.add(name + labelText(pairs, "quantile", Double.toString(rnd.nextDouble())) + sep()
                                + value().text + timestamp());
                    }
                    Double count = null;
                    Double sum = null;
                    if (quantiles == 0 || rnd.nextBoolean()) {
                        Value v = value();
                        count = v.value;
                        lines.add(name + "_count" + labelText(pairs, null, null) + sep() + v.text + timestamp());
                    }
                    if (rnd.nextBoolean()) {
                        Value v = value();
                        sum = v.value;
                        lines.add(name + "_sum" + labelText(pairs, null, null) + sep() + v.text + timestamp());
                    }
                    if (rnd.nextInt(3) == 0) {
                        lines.add(name + "_created" + labelText(pairs, null, null) + sep() + "1.7e9");
                    }
                    if (rnd.nextBoolean()) {
                        Collections.shuffle(lines, rnd);
                    }
                    lines.forEach(l -> line(target, l));
                    return new SummarySample(labels, count, sum);
                }
                default -> {
                    String sampleName = switch (kind) {
                        case COUNTER -> om ? name + "_total" : name;
                        case INFO -> name + "_info";
                        default -> name;
                    };
                    Value v = value();
                    line(target, sampleName + labelText(pairs, null, null) + sep() + v.text + timestamp()
                            + (kind == Kind.COUNTER ? exemplar() : ""));
                    if (kind == Kind.COUNTER && rnd.nextInt(3) == 0) {
                        String base = om || !name.endsWith("_total") ? name : name.substring(0, name.length() - 6);
                        line(target, base + "_created" + labelText(pairs, null, null) + sep() + "1.7e9");
                    }
                    return new ScalarSample(labels, v.value);
                }
            }
        }

        // ---------------------------------------------------------------- pieces

        private List<String[]> labelPairs() {
            int n = rnd.nextInt(4);
            List<String[]> pairs = new ArrayList<>();
            Set<String> names = new HashSet<>();
            while (pairs.size() < n) {
                String name = randomName(1, 8, "abcdefghijXYZ_0123456789").replaceFirst("^[0-9]", "l");
                if (name.equals("le") || name.equals("quantile") || !names.add(name)) {
                    continue;
                }
                pairs.add(new String[] {name, labelValue()});
            }
            return pairs;
        }

        private String labelValue() {
            if (rnd.nextInt(8) == 0) {
                return "";
            }
            StringBuilder v = new StringBuilder();
            int n = rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                v.append(VALUE_CHARS[rnd.nextInt(VALUE_CHARS.length)]);
            }
            return v.toString();
        }

        /** {a="1",le="0.5"}: the pairs in random order with the special label somewhere, random blanks. */
        private String labelText(List<String[]> pairs, String specialName, String specialValue) {
            List<String[]> all = new ArrayList<>(pairs);
            if (specialName != null) {
                all.add(rnd.nextInt(all.size() + 1), new String[] {specialName, specialValue});
            }
            if (all.isEmpty() && rnd.nextBoolean()) {
                return "";
            }
            Collections.shuffle(all.subList(0, all.size()), rnd);
            StringBuilder s = new StringBuilder(rnd.nextInt(4) == 0 ? " {" : "{");
            for (int i = 0; i < all.size(); i++) {
                if (i > 0) {
                    s.append(',').append(rnd.nextInt(4) == 0 ? " " : "");
                }
                String blank = rnd.nextInt(6) == 0 ? " " : "";
                s.append(blank).append(all.get(i)[0]).append(blank).append('=').append(blank)
                        .append('"').append(escapeLabelValue(all.get(i)[1])).append('"');
            }
            if (!all.isEmpty() && rnd.nextInt(5) == 0) {
                s.append(',');
            }
            return s.append('}').toString();
        }

        private Value value() {
            switch (rnd.nextInt(10)) {
                case 0 -> {
                    long v = rnd.nextInt(2001) - 1000;
                    return new Value(Long.toString(v), v);
                }
                case 1 -> {
                    long v = rnd.nextLong() >> rnd.nextInt(64);
                    return new Value(Long.toString(v), (double) v);
                }
                case 2 -> {
                    String s = SPECIAL_VALUES[rnd.nextInt(SPECIAL_VALUES.length)];
                    double v = s.toLowerCase(Locale.ROOT).contains("nan") ? Double.NaN
                            : s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                    return new Value(s, v);
                }
                case 3 -> {
                    String s = (rnd.nextBoolean() ? "-" : "") + digits(1 + rnd.nextInt(25)) + "." + digits(rnd.nextInt(25));
                    return new Value(s, Double.parseDouble(s));
                }
                case 4 -> {
                    String s = (rnd.nextBoolean() ? "" : "+") + digits(1 + rnd.nextInt(4)) + "." + digits(rnd.nextInt(4))
                            + (rnd.nextBoolean() ? "e" : "E") + (rnd.nextBoolean() ? "-" : rnd.nextBoolean() ? "+" : "")
                            + (rnd.nextInt(300));
                    return new Value(s, Double.parseDouble(s));
                }
                case 5 -> {
                    double v = Double.longBitsToDouble(rnd.nextLong());
                    if (Double.isNaN(v) || Double.isInfinite(v)) {
                        v = 1.5;
                    }
                    return new Value(Double.toString(v), v);
                }
                case 6 -> {
                    String s = rnd.nextBoolean() ? "-0" : "0.0";
                    return new Value(s, Double.parseDouble(s));
                }
                case 7 -> {
                    String s = String.format(Locale.ROOT, "%.3f", rnd.nextDouble() * 1000);
                    return new Value(s, Double.parseDouble(s));
                }
                default -> {
                    double v = rnd.nextDouble() * Math.pow(10, rnd.nextInt(20) - 10);
                    return new Value(Double.toString(v), v);
                }
            }
        }

        private double bound() {
            return switch (rnd.nextInt(3)) {
                case 0 -> rnd.nextInt(100) / 4.0;
                case 1 -> -rnd.nextInt(10);
                default -> rnd.nextDouble() * Math.pow(10, rnd.nextInt(10) - 5);
            };
        }

        private String boundText(double bound) {
            if (bound == Double.POSITIVE_INFINITY) {
                return rnd.nextBoolean() ? "+Inf" : "Inf";
            }
            if (bound == Math.rint(bound) && rnd.nextBoolean()) {
                return Long.toString((long) bound);
            }
            return Double.toString(bound);
        }

        private String timestamp() {
            if (rnd.nextInt(4) != 0) {
                return "";
            }
            if (om && rnd.nextBoolean()) {
                return sep() + (1_700_000_000 + rnd.nextInt(1_000_000)) + "." + rnd.nextInt(1000);
            }
            return sep() + (rnd.nextInt(5) == 0 ? "-" : "") + (rnd.nextLong() >>> 20);
        }

        private String exemplar() {
            if (!om || rnd.nextInt(4) != 0) {
                return "";
            }
            return " # " + labelText(labelPairs(), null, null).strip().replaceFirst("^$", "{}") + " "
                    + value().text + (rnd.nextBoolean() ? " " + (1_700_000_000 + rnd.nextInt(1000)) + ".5" : "");
        }

        private String help() {
            StringBuilder s = new StringBuilder();
            int n = rnd.nextInt(12);
            for (int i = 0; i < n; i++) {
                s.append(VALUE_CHARS[rnd.nextInt(VALUE_CHARS.length)]);
            }
            // the parser skips blanks before the text, and a '\r' before the newline ends the line
            return s.toString().replace("\r", "r").replaceFirst("^[ \t]+", "");
        }

        private String escapeHelp(String help) {
            String s = help.replace("\\", "\\\\").replace("\n", "\\n");
            return om ? s.replace("\"", "\\\"") : s;
        }

        private static String escapeLabelValue(String value) {
            return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }

        private String typeText(Kind kind) {
            String text = switch (kind) {
                case COUNTER -> "counter";
                case GAUGE -> "gauge";
                case UNTYPED -> om ? "unknown" : "untyped";
                case HISTOGRAM -> "histogram";
                case SUMMARY -> "summary";
                case GAUGE_HISTOGRAM -> "gaugehistogram";
                case INFO -> "info";
                case STATESET -> "stateset";
            };
            return rnd.nextInt(8) == 0 ? text.toUpperCase(Locale.ROOT) : text;
        }

        private void comments() {
            if (om) {
                return;
            }
            switch (rnd.nextInt(8)) {
                case 0 -> line("# just a comment with \"quotes\" and \\ backslash");
                case 1 -> line("");
                case 2 -> line("  \t");
                default -> {
                }
            }
        }

        private String sep() {
            return switch (rnd.nextInt(6)) {
                case 0 -> "\t";
                case 1 -> "  ";
                default -> " ";
            };
        }

        private String blanks() {
            return rnd.nextInt(6) == 0 ? " \t " : " ";
        }

        private String randomName(int min, int max, String alphabet) {
            int n = min + rnd.nextInt(max - min + 1);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            return s.toString();
        }

        private String digits(int n) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append((char) ('0' + rnd.nextInt(10)));
            }
            return s.toString();
        }

        private void line(String text) {
            line(out, text);
        }

        private void line(StringBuilder target, String text) {
            target.append(text).append(nl);
        }
    }
}
