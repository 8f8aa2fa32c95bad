package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeHistogramView;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;
import io.aggregationgateway.server.model.TextFormatting;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders OpenMetrics 1.0.0 text.
 *
 * <p>The store keeps series names as Prometheus does, so a counter family is named {@code x_total};
 * OpenMetrics names the family {@code x} and its sample {@code x_total}. A counter pushed without
 * {@code _total} ({@code x}, as promjs sends it) is written as OpenMetrics counter {@code x} with
 * samples {@code x_total}, as client libraries expose such a counter. Where that would collide with
 * another family's names, the counter is written as {@code unknown} with its sample name unchanged,
 * as Prometheus's Go expfmt does. Numbers are written as Go writes them
 * ({@link TextFormatting#goFloat}, {@link TextFormatting#canonicalBound}).
 * Renderers hold no state, so one instance may serve concurrent scrapes.
 */
public final class OpenMetricsRenderer {
    public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private static final String TOTAL_SUFFIX = "_total";
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Renders slices of the families on {@code workers} and this thread at once; writes them in order. */
    public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
        Set<String> storedNames = new HashSet<>(families.size() * 2);
        for (FamilyView family : families) {
            storedNames.add(family.name());
        }
        // read-only from here on: the slices' threads share it
        Set<String> names = Collections.unmodifiableSet(storedNames);
        workers.writer().write(FamilySlice.split(families), (slice, sink) -> renderSlice(slice, sink, names), out);
        out.write(EOF);
        out.flush();
    }

    private static void renderSlice(FamilySlice slice, ByteSink sink, Set<String> storedNames) throws IOException {
        FamilyView family = slice.family();
        String name = family.type() == MetricType.COUNTER ? counterNames(family.name(), storedNames).sample() : family.name();
        if (slice.startsFamily()) {
            writeMetadata(sink, family, storedNames);
        }
        sink.reserve(slice.labelBytes() + slice.size() * (name.length() + 24L));
        boolean gauge = family.type() == MetricType.GAUGE_HISTOGRAM;
        BoundCache bounds = new BoundCache(); // one per slice: slices render on different threads
        List<SeriesView> series = family.series();
        for (int i = slice.from(); i < slice.to(); i++) {
            switch (series.get(i)) {
                case ScalarView scalar -> {
                    sink.ascii(name).labels(scalar.labels(), null, null).put(' ');
                    writeValue(sink, scalar.value()).put('\n');
                }
                case ClassicHistogramView histogram ->
                        writeHistogram(sink, name, histogram.labels(), histogram.read(), gauge, bounds);
                // OpenMetrics 1.0 cannot carry native buckets: classic buckets if pushed, else only count and sum
                case NativeHistogramView histogram ->
                        writeHistogram(sink, name, histogram.labels(), histogram.readClassic(), gauge, bounds);
            }
        }
    }

    private static void writeMetadata(ByteSink sink, FamilyView family, Set<String> storedNames) throws IOException {
        String name = family.name();
        String metadataName = name;
        String type;
        switch (family.type()) {
            case COUNTER -> {
                CounterNames names = counterNames(name, storedNames);
                metadataName = names.family();
                type = names.type();
            }
            case GAUGE -> type = "gauge";
            case UNTYPED -> type = "unknown";
            case HISTOGRAM -> type = "histogram";
            case GAUGE_HISTOGRAM -> type = "gaugehistogram";
            case SUMMARY -> type = "summary"; // never stored; a summary family would have no cells to write
            default -> throw new IllegalStateException("unknown type " + family.type());
        }
        if (!family.help().isEmpty()) {
            byte[] help = family.help().getBytes(StandardCharsets.UTF_8);
            // OpenMetrics escapes HELP as it escapes label values: backslash, double quote, newline
            sink.ascii("# HELP ").ascii(metadataName).put(' ').labelValue(help, 0, help.length).put('\n');
        }
        sink.ascii("# TYPE ").ascii(metadataName).put(' ').ascii(type).put('\n');
    }

    /** How a stored counter appears in OpenMetrics: its family name, type and sample name. */
    private record CounterNames(String family, String type, String sample) {
    }

    private static CounterNames counterNames(String stored, Set<String> storedNames) {
        String base = counterBaseName(stored);
        if (base != null && !storedNames.contains(base)) {
            return new CounterNames(base, "counter", stored);
        }
        String withTotal = stored + TOTAL_SUFFIX;
        if (!stored.endsWith(TOTAL_SUFFIX) && !storedNames.contains(withTotal)) {
            return new CounterNames(stored, "counter", withTotal);
        }
        return new CounterNames(stored, "unknown", stored);
    }

    /** {@code x} for {@code x_total}, or {@code null} when the name does not end in {@code _total} after something. */
    static String counterBaseName(String name) {
        if (name.length() > TOTAL_SUFFIX.length() && name.endsWith(TOTAL_SUFFIX)) {
            return name.substring(0, name.length() - TOTAL_SUFFIX.length());
        }
        return null;
    }

    private static void writeHistogram(ByteSink sink, String name, Labels labels, HistogramValues h,
                                       boolean gauge, BoundCache boundCache) throws IOException {
        String[] les = boundCache.format(h.bounds());
        for (int i = 0; i < les.length; i++) {
            sink.ascii(name).ascii("_bucket").labels(labels, "le", les[i]).put(' ');
            writeValue(sink, h.cumulative()[i]).put('\n');
        }
        sink.ascii(name).ascii(gauge ? "_gcount" : "_count").labels(labels, null, null).put(' ');
        writeValue(sink, h.count()).put('\n');
        sink.ascii(name).ascii(gauge ? "_gsum" : "_sum").labels(labels, null, null).put(' ');
        writeValue(sink, h.sum()).put('\n');
    }

    /** A sample value: plain integers without a fraction, anything else as Go's {@code %g}-shortest. */
    private static ByteSink writeValue(ByteSink sink, double v) throws IOException {
        return TextFormatting.isPlainInteger(v) ? sink.number(v) : sink.ascii(TextFormatting.goFloat(v));
    }

    /** The formatted {@code le} values of the previous histogram: the series of a family mostly share bounds. */
    private static final class BoundCache {
        private double[] bounds = new double[0];
        private String[] formatted = new String[0];

        String[] format(double[] current) {
            if (!Arrays.equals(current, bounds)) {
                String[] les = new String[current.length];
                for (int i = 0; i < current.length; i++) {
                    les[i] = TextFormatting.canonicalBound(current[i]);
                }
                bounds = current;
                formatted = les;
            }
            return formatted;
        }
    }
}
