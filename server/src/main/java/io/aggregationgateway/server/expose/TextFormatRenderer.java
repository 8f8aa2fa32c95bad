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
import java.util.List;

/** Renders the Prometheus text exposition format 0.0.4. */
public final class TextFormatRenderer {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public void render(List<FamilyView> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Renders slices of the families on {@code workers} and this thread at once; writes them in order. */
    public void render(List<FamilyView> families, OutputStream out, RenderWorkers workers) throws IOException {
        workers.writer().write(FamilySlice.split(families), TextFormatRenderer::renderSlice, out);
        out.flush();
    }

    private static void renderSlice(FamilySlice slice, ByteSink sink) throws IOException {
        FamilyView family = slice.family();
        if (slice.startsFamily()) {
            if (!family.help().isEmpty()) {
                sink.ascii("# HELP ").ascii(family.name()).put(' ').help(family.help()).put('\n');
            }
            // gauge histograms have no type of their own in 0.0.4; Prometheus's clients write "histogram"
            MetricType type = family.type() == MetricType.GAUGE_HISTOGRAM ? MetricType.HISTOGRAM : family.type();
            sink.ascii("# TYPE ").ascii(family.name()).put(' ').ascii(type.textName()).put('\n');
        }
        List<SeriesView> series = family.series();
        sink.reserve(slice.labelBytes() + slice.size() * (family.name().length() + 24L));
        for (int i = slice.from(); i < slice.to(); i++) {
            switch (series.get(i)) {
                case ScalarView scalar -> sink.ascii(family.name()).labels(scalar.labels(), null, null)
                        .put(' ').number(scalar.value()).put('\n');
                case ClassicHistogramView histogram -> writeHistogram(sink, family.name(), histogram.labels(), histogram.read());
                // 0.0.4 cannot carry native buckets: classic buckets if pushed, else only _sum and _count
                case NativeHistogramView histogram ->
                        writeHistogram(sink, family.name(), histogram.labels(), histogram.readClassic());
            }
        }
    }

    private static void writeHistogram(ByteSink sink, String name, Labels labels, HistogramValues h)
            throws IOException {
        for (int i = 0; i < h.bounds().length; i++) {
            sink.ascii(name).ascii("_bucket").labels(labels, "le", TextFormatting.canonicalBound(h.bounds()[i]))
                    .put(' ').number(h.cumulative()[i]).put('\n');
        }
        sink.ascii(name).ascii("_sum").labels(labels, null, null).put(' ').number(h.sum()).put('\n');
        sink.ascii(name).ascii("_count").labels(labels, null, null).put(' ').number(h.count()).put('\n');
    }
}
