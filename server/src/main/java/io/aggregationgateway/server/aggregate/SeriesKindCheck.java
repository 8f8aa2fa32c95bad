package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.Series;

import java.util.List;
import java.util.function.Function;

/**
 * A histogram series is classic or native, fixed by its first push, as a family's type is.
 * Adding a classic-only push to a native series would raise its count without placing the
 * observations in any native bucket (and a native push to a classic series would lose its
 * buckets), so such a push is refused before anything of it is applied.
 *
 * <p>Two pushes of different kinds that create the same series at the same moment can both
 * pass this check; the cells then take the loser by its classic view (see
 * {@link NativeHistogramMerger#addClassicOnly} and {@link HistogramCell}) rather than fail.
 */
final class SeriesKindCheck {
    private SeriesKindCheck() {
    }

    /** @param storedFamilies the store's family by name, {@code null} for none */
    static void check(List<MetricFamily> toApply, Function<String, StoredFamily> storedFamilies)
            throws PushRejectedException {
        for (MetricFamily family : toApply) {
            StoredFamily target = family.type().isHistogram() ? storedFamilies.apply(family.name()) : null;
            if (target == null) {
                continue;
            }
            for (Series series : family.series()) {
                SeriesCell stored = target.cell(series.labels());
                if (stored instanceof HistogramCell && series instanceof NativeHistogram) {
                    throw conflict(family, series, "native", "classic");
                }
                if (stored instanceof NativeHistogramCell && series instanceof ClassicHistogram) {
                    throw conflict(family, series, "classic", "native");
                }
            }
        }
    }

    private static PushRejectedException conflict(MetricFamily family, Series series, String pushed, String held) {
        return PushValidator.reject(RejectionReason.TYPE_CONFLICT, family, series.labels(), "pushed as a " + pushed
                + " histogram but the gateway holds it as a " + held + " histogram"
                + ("native".equals(held) ? " (send its native buckets; classic buckets may come along)" : ""));
    }
}
