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
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the Prometheus text exposition format: 0.0.4, whose names are legacy names (others
 * escaped), and 1.0.0, which also carries UTF-8 names as they are, quoted
 * ({@code {"my.metric","http.method"="GET"} 1}, {@code # TYPE "my.metric" counter}), or escaped as
 * the scrape asked. The format has no start times.
 */
public final class TextFormatRenderer {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Text 0.0.4. */
    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Text 0.0.4; renders slices of the families on {@code workers} and this thread at once, writes them in order. */
    public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
        render(families, out, workers, NameEscaping.UNDERSCORES);
    }

    /**
     * Text with names written as {@code escaping} says ({@link NameEscaping#ALLOW_UTF8}: text 1.0.0).
     *
     * @return what {@link ScrapeFormat#render} returns
     */
    public List<String> render(List<FamilyView> families, OutputStream out, RenderWorkers workers, NameEscaping escaping)
            throws IOException {
        List<String> leftOut = new ArrayList<>();
        workers.writer().write(FamilySlice.split(families, escaping, leftOut), SliceBuffers.TEXT,
                (slice, sink) -> renderSlice(slice, sink, escaping), out);
        out.flush();
        return leftOut;
    }

    private static void renderSlice(FamilySlice slice, ByteSink sink, NameEscaping escaping) throws IOException {
        FamilyView family = slice.family();
        String name = escaping.metricName(family.name());
        SampleName sample = SampleName.of(name);
        if (slice.startsFamily()) {
            if (!family.help().isEmpty()) {
                sink.ascii("# HELP ").name(sample).put(' ').help(family.help()).put('\n');
            }
            // gauge histograms have no type of their own in 0.0.4; Prometheus's clients write "histogram"
            MetricType type = family.type() == MetricType.GAUGE_HISTOGRAM ? MetricType.HISTOGRAM : family.type();
            sink.ascii("# TYPE ").name(sample).put(' ').ascii(type.textName()).put('\n');
        }
        NameEscaping labelNames = family.utf8LabelNames() ? escaping : null;
        HistogramNames histogram = family.type().isHistogram() ? new HistogramNames(name) : null;
        List<SeriesView> series = family.series();
        for (int block = slice.from(); block < slice.to(); block = slice.blockEnd(block)) {
            int blockEnd = slice.blockEnd(block);
            sink.reserve(slice.labelBytes(block, blockEnd, false) + (blockEnd - block) * (sample.bytes().length + 24L));
            for (int i = block; i < blockEnd; i++) {
                if (!slice.writes(i)) {
                    continue;
                }
                switch (series.get(i)) {
                    case ScalarView scalar -> sink.series(sample, scalar.labels(), labelNames, null, null)
                            .put(' ').number(scalar.value()).put('\n');
                    case ClassicHistogramView h -> writeHistogram(sink, histogram, h.labels(), labelNames, h.read());
                    // 0.0.4 cannot carry native buckets: classic buckets if pushed, else only _sum and _count
                    case NativeHistogramView h -> writeHistogram(sink, histogram, h.labels(), labelNames, h.readClassic());
                }
            }
        }
    }

    /** The sample names of a histogram family. */
    private record HistogramNames(SampleName bucket, SampleName sum, SampleName count) {
        HistogramNames(String name) {
            this(SampleName.of(name, "_bucket"), SampleName.of(name, "_sum"), SampleName.of(name, "_count"));
        }
    }

    private static void writeHistogram(ByteSink sink, HistogramNames names, Labels labels, NameEscaping labelNames,
                                       HistogramValues h) throws IOException {
        for (int i = 0; i < h.bounds().length; i++) {
            sink.series(names.bucket(), labels, labelNames, "le", TextFormatting.canonicalBound(h.bounds()[i]))
                    .put(' ').number(h.cumulative()[i]).put('\n');
        }
        sink.series(names.sum(), labels, labelNames, null, null).put(' ').number(h.sum()).put('\n');
        sink.series(names.count(), labels, labelNames, null, null).put(' ').number(h.count()).put('\n');
    }
}
