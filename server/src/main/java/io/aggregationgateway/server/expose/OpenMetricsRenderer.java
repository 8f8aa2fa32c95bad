package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.ClassicHistogramView;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.NativeHistogramView;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;
import io.aggregationgateway.server.model.TextFormatting;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 *
 * <p>Names outside the legacy character set are written as the scrape asked ({@link NameEscaping}):
 * quoted, or escaped, the escaped name then named as above, as Prometheus's libraries do.
 * With {@link #WITH_CREATED}, each counter (written as one) and histogram series is followed by its
 * start, {@code x_created}, in seconds ({@link TextFormatting#epochSeconds}); gauge histograms have none.
 * Renderers hold no state, so one instance may serve concurrent scrapes.
 */
public final class OpenMetricsRenderer {
    public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** A renderer that writes {@code _created} samples, as scrapes get them. */
    public static final OpenMetricsRenderer WITH_CREATED = new OpenMetricsRenderer(true);

    private static final String TOTAL_SUFFIX = "_total";
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);

    private final boolean created;

    /** A renderer without {@code _created} samples. */
    public OpenMetricsRenderer() {
        this(false);
    }

    private OpenMetricsRenderer(boolean created) {
        this.created = created;
    }

    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Renders slices of the families on {@code workers} and this thread at once; writes them in order. */
    public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
        render(families, out, workers, NameEscaping.UNDERSCORES);
    }

    /**
     * Renders with names written as {@code escaping} says.
     *
     * @return what {@link ScrapeFormat#render} returns
     */
    public List<String> render(List<FamilyView> families, OutputStream out, RenderWorkers workers, NameEscaping escaping)
            throws IOException {
        Set<String> exposedNames = new HashSet<>(families.size() * 2);
        for (FamilyView family : families) {
            exposedNames.add(escaping.metricName(family.name()));
        }
        // read-only from here on: the slices' threads share it
        Set<String> names = Collections.unmodifiableSet(exposedNames);
        List<String> leftOut = new ArrayList<>();
        workers.writer().write(FamilySlice.split(families, escaping, leftOut), SliceBuffers.TEXT,
                (slice, sink) -> renderSlice(slice, sink, names, escaping), out);
        out.write(EOF);
        out.flush();
        return leftOut;
    }

    private void renderSlice(FamilySlice slice, ByteSink sink, Set<String> exposedNames, NameEscaping escaping)
            throws IOException {
        FamilyView family = slice.family();
        String exposed = escaping.metricName(family.name());
        CounterNames counter = family.type() == MetricType.COUNTER ? counterNames(exposed, exposedNames) : null;
        String name = counter != null ? counter.sample() : exposed;
        if (slice.startsFamily()) {
            writeMetadata(sink, family, exposed, counter);
        }
        SampleName sample = SampleName.of(name);
        // a start for counters written as such and for histograms (a gauge histogram has none)
        SampleName createdName = !created ? null
                : counter != null ? (counter.type().equals("counter") ? SampleName.of(counter.family(), "_created") : null)
                : family.type() == MetricType.HISTOGRAM ? SampleName.of(exposed, "_created") : null;
        NameEscaping labelNames = family.utf8LabelNames() ? escaping : null;
        boolean gauge = family.type() == MetricType.GAUGE_HISTOGRAM;
        HistogramNames histogram = family.type().isHistogram() ? new HistogramNames(name, gauge, createdName) : null;
        BoundCache bounds = new BoundCache(); // one per slice: slices render on different threads
        List<SeriesView> series = family.series();
        for (int block = slice.from(); block < slice.to(); block = slice.blockEnd(block)) {
            int blockEnd = slice.blockEnd(block);
            sink.reserve(slice.labelBytes(block, blockEnd, createdName != null) * (createdName == null ? 1 : 2)
                    + (blockEnd - block) * (sample.bytes().length + 24L) * (createdName == null ? 1 : 2));
            for (int i = block; i < blockEnd; i++) {
                if (!slice.writes(i)) {
                    continue;
                }
                switch (series.get(i)) {
                    case ScalarView scalar -> {
                        sink.series(sample, scalar.labels(), labelNames, null, null).put(' ');
                        writeValue(sink, scalar.value()).put('\n');
                        writeCreated(sink, createdName, scalar.startMillis());
                    }
                    case ClassicHistogramView h -> {
                        writeHistogram(sink, histogram, h.labels(), labelNames, h.read(), bounds);
                        writeCreated(sink, histogram.created(), h.startMillis());
                    }
                    // OpenMetrics 1.0 cannot carry native buckets: classic buckets if pushed, else only count and sum
                    case NativeHistogramView h -> {
                        writeHistogram(sink, histogram, h.labels(), labelNames, h.readClassic(), bounds);
                        writeCreated(sink, histogram.created(), h.startMillis());
                    }
                }
            }
        }
    }

    /**
     * The series' {@code _created} sample, after the sample whose labels it shares (the last one
     * written). It takes the start rather than the series' view, so that the view, made for the
     * read, need not outlive the loop: passed to a call the JIT does not inline, it is allocated
     * (48 B a series, JMH {@code -prof gc}).
     */
    private static void writeCreated(ByteSink sink, SampleName createdName, long startMillis) {
        if (createdName != null && startMillis != SeriesView.NO_START) {
            sink.seriesLike(createdName).put(' ').epochSeconds(startMillis).put('\n');
        }
    }

    /** The sample names of a histogram family; {@code created} is null when none are written. */
    private record HistogramNames(SampleName bucket, SampleName count, SampleName sum, SampleName created) {
        HistogramNames(String name, boolean gauge, SampleName created) {
            this(SampleName.of(name, "_bucket"), SampleName.of(name, gauge ? "_gcount" : "_count"),
                    SampleName.of(name, gauge ? "_gsum" : "_sum"), created);
        }
    }

    private static void writeMetadata(ByteSink sink, FamilyView family, String name, CounterNames counter) throws IOException {
        String metadataName = name;
        String type;
        switch (family.type()) {
            case COUNTER -> {
                metadataName = counter.family();
                type = counter.type();
            }
            case GAUGE -> type = "gauge";
            case UNTYPED -> type = "unknown";
            case HISTOGRAM -> type = "histogram";
            case GAUGE_HISTOGRAM -> type = "gaugehistogram";
            case SUMMARY -> type = "summary"; // never stored; a summary family would have no cells to write
            default -> throw new IllegalStateException("unknown type " + family.type());
        }
        SampleName metadata = SampleName.of(metadataName);
        if (!family.help().isEmpty()) {
            byte[] help = family.help().getBytes(StandardCharsets.UTF_8);
            // OpenMetrics escapes HELP as it escapes label values: backslash, double quote, newline
            sink.ascii("# HELP ").name(metadata).put(' ').labelValue(help, 0, help.length).put('\n');
        }
        sink.ascii("# TYPE ").name(metadata).put(' ').ascii(type).put('\n');
    }

    /** How a stored counter appears in OpenMetrics: its family name, type and sample name. */
    private record CounterNames(String family, String type, String sample) {
    }

    /** @param stored the family's name as the scrape writes it; {@code exposedNames} all of those */
    private static CounterNames counterNames(String stored, Set<String> exposedNames) {
        String base = counterBaseName(stored);
        if (base != null && !exposedNames.contains(base)) {
            return new CounterNames(base, "counter", stored);
        }
        String withTotal = stored + TOTAL_SUFFIX;
        if (!stored.endsWith(TOTAL_SUFFIX) && !exposedNames.contains(withTotal)) {
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

    private static void writeHistogram(ByteSink sink, HistogramNames names, Labels labels, NameEscaping labelNames,
                                       HistogramValues h, BoundCache boundCache) throws IOException {
        String[] les = boundCache.format(h.bounds());
        for (int i = 0; i < les.length; i++) {
            sink.series(names.bucket(), labels, labelNames, "le", les[i]).put(' ');
            writeValue(sink, h.cumulative()[i]).put('\n');
        }
        sink.series(names.count(), labels, labelNames, null, null).put(' ');
        writeValue(sink, h.count()).put('\n');
        sink.series(names.sum(), labels, labelNames, null, null).put(' ');
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
