package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.FamilySnapshot;
import io.aggregationgateway.server.aggregate.HistogramCell;
import io.aggregationgateway.server.aggregate.NativeHistogramCell;
import io.aggregationgateway.server.aggregate.ScalarCell;
import io.aggregationgateway.server.aggregate.SeriesCell;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.TextFormatting;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** Renders the Prometheus text exposition format 0.0.4. */
public final class TextFormatRenderer {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public void render(List<FamilySnapshot> families, OutputStream out) throws IOException {
        render(families, out, RenderWorkers.NONE);
    }

    /** Renders slices of the families on {@code workers} and this thread at once; writes them in order. */
    public void render(List<FamilySnapshot> families, OutputStream out, RenderWorkers workers) throws IOException {
        workers.writer().write(FamilySlice.split(families), TextFormatRenderer::renderSlice, out);
        out.flush();
    }

    private static void renderSlice(FamilySlice slice, ByteSink sink) throws IOException {
        FamilySnapshot family = slice.family();
        if (slice.startsFamily()) {
            if (!family.help().isEmpty()) {
                sink.ascii("# HELP ").ascii(family.name()).put(' ').help(family.help()).put('\n');
            }
            // gauge histograms have no type of their own in 0.0.4; Prometheus's clients write "histogram"
            MetricType type = family.type() == MetricType.GAUGE_HISTOGRAM ? MetricType.HISTOGRAM : family.type();
            sink.ascii("# TYPE ").ascii(family.name()).put(' ').ascii(type.textName()).put('\n');
        }
        List<SeriesCell> series = family.series();
        sink.reserve(slice.labelBytes() + slice.size() * (family.name().length() + 24L));
        for (int i = slice.from(); i < slice.to(); i++) {
            switch (series.get(i)) {
                case ScalarCell scalar -> sink.ascii(family.name()).labels(scalar.labels(), null, null)
                        .put(' ').number(scalar.value()).put('\n');
                case HistogramCell histogram -> writeHistogram(sink, family.name(), histogram.labels(), histogram.read());
                // 0.0.4 cannot carry native buckets: classic buckets if pushed, else only _sum and _count
                case NativeHistogramCell histogram ->
                        writeHistogram(sink, family.name(), histogram.labels(), histogram.readClassic());
            }
        }
    }

    private static void writeHistogram(ByteSink sink, String name, Labels labels, HistogramCell.HistogramValues h)
            throws IOException {
        for (int i = 0; i < h.bounds().length; i++) {
            sink.ascii(name).ascii("_bucket").labels(labels, "le", TextFormatting.canonicalBound(h.bounds()[i]))
                    .put(' ').number(h.cumulative()[i]).put('\n');
        }
        sink.ascii(name).ascii("_sum").labels(labels, null, null).put(' ').number(h.sum()).put('\n');
        sink.ascii(name).ascii("_count").labels(labels, null, null).put(' ').number(h.count()).put('\n');
    }
}
