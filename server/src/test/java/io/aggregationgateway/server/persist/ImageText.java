package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.FamilyImage;
import io.aggregationgateway.server.aggregate.SeriesImage;
import io.aggregationgateway.server.aggregate.SourceImage;
import io.aggregationgateway.server.aggregate.StoreImage;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.HistogramValues;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;

import java.util.Arrays;

/**
 * A canonical text of a {@link StoreImage}, every field of it: records holding arrays do not compare
 * by content, and a diff of this text shows where two images part. Doubles appear with their raw bits
 * when those are not what {@link Double#toString} implies (-0.0, NaN payloads).
 */
final class ImageText {
    private ImageText() {
    }

    static String of(StoreImage image) {
        StringBuilder out = new StringBuilder();
        out.append("taken ").append(image.takenAtMillis()).append(" labels ").append(image.sourceLabels())
                .append(" next source ").append(image.nextSourceId()).append('\n');
        for (FamilyImage family : image.families()) {
            out.append("family ").append(family.name()).append(' ').append(family.type()).append(" mode ")
                    .append(family.gaugeMode()).append(" help ").append(quoted(family.help())).append('\n');
            for (SeriesImage s : family.series()) {
                out.append("  ").append(series(s)).append('\n');
            }
        }
        for (SourceImage source : image.sources()) {
            out.append("source ").append(source.key()).append(" id ").append(source.id()).append(" pushed ")
                    .append(source.lastPushMillis()).append('\n');
            for (SourceImage.Table table : source.tables()) {
                out.append("  table ").append(table.family()).append(' ').append(table.type()).append('\n');
                for (SeriesImage s : table.baselines()) {
                    out.append("    ").append(series(s)).append('\n');
                }
            }
        }
        return out.toString();
    }

    static String series(SeriesImage s) {
        String head = s.labels() + " @" + s.lastPushMillis() + " from " + s.startMillis() + " ";
        return head + switch (s) {
            case SeriesImage.Scalar x -> "scalar " + d(x.value());
            case SeriesImage.Classic x -> "classic " + classic(x.values());
            case SeriesImage.Native x -> "native " + nativeHistogram(x.value());
            case SeriesImage.Gauge g -> "gauge delta " + g.hasDelta() + " " + d(g.delta()) + " pushes " + g.deltaPushes()
                    + " order " + g.deltaOrder() + " sources " + Arrays.toString(g.sources()) + " values " + ds(g.values())
                    + " orders " + (g.orders() == null ? "none" : Arrays.toString(g.orders())) + " updates " + g.updates();
        };
    }

    private static String classic(HistogramValues h) {
        return "count " + d(h.count()) + " sum " + d(h.sum()) + " bounds " + ds(h.bounds()) + " cumulative " + ds(h.cumulative());
    }

    private static String nativeHistogram(NativeHistogram h) {
        ClassicHistogram c = h.classic();
        return (h.floatCounts() ? "float" : "integer") + " schema " + h.schema() + " zt " + d(h.zeroThreshold())
                + " zc " + d(h.zeroCount()) + " count " + d(h.count()) + " sum " + d(h.sum())
                + " pos " + buckets(h.positive()) + " neg " + buckets(h.negative())
                + (c == null ? " no classic" : " classic " + ds(c.upperBounds()) + ds(c.cumulativeCounts())
                + " count " + c.count() + " sum " + c.sum());
    }

    private static String buckets(NativeBuckets b) {
        return Arrays.toString(b.indices()) + ds(b.counts());
    }

    private static String ds(double[] values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ", ").append(d(values[i]));
        }
        return out.append(']').toString();
    }

    private static String d(double v) {
        long bits = Double.doubleToRawLongBits(v);
        boolean plain = Double.doubleToRawLongBits(Double.parseDouble(Double.toString(v))) == bits;
        return plain ? Double.toString(v) : Double.toString(v) + "#" + Long.toHexString(bits);
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + '"';
    }
}
