package io.aggregationgateway.bench;

import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;

import java.util.ArrayList;
import java.util.List;

/**
 * The body that fills the store for the scrape and memory runs: {@value #SERIES_PER_PUSH}
 * distinct counter series. bench/run pushes it to {@code /metrics/job/fill/shard/<n>}, and the
 * grouping label {@code shard} makes every push's series distinct from the others', so
 * {@code n} pushes hold {@code n * 10,000} series.
 *
 * <p>Each stored series then has 5 labels, about 60 bytes of label text, e.g.
 * {@code fill_requests_3_total{job="fill",method="GET",path="/api/v1/items/417",shard="42",status="200"}}:
 * label sets of the size real request counters have, so bytes per series mean something.
 */
public final class StoreFill {
    public static final int SERIES_PER_PUSH = 10_000;
    private static final int FAMILIES = 10;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
    private static final String[] STATUSES = {"200", "201", "404", "500", "503"};

    private StoreFill() {
    }

    public static List<MetricFamily> families() {
        int perFamily = SERIES_PER_PUSH / FAMILIES;
        List<MetricFamily> families = new ArrayList<>(FAMILIES);
        for (int f = 0; f < FAMILIES; f++) {
            List<Metric> metrics = new ArrayList<>(perFamily);
            for (int i = 0; i < perFamily; i++) {
                // path alone makes each series distinct; method and status vary as they would
                metrics.add(Workload.counter(i + 1,
                        "method", METHODS[i % METHODS.length],
                        "path", "/api/v1/items/" + i,
                        "status", STATUSES[i % STATUSES.length]));
            }
            families.add(Workload.counterFamily("fill_requests_" + f + "_total", metrics));
        }
        return families;
    }
}
