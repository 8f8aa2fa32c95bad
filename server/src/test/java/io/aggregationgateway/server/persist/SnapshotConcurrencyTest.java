package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.FamilyImage;
import io.aggregationgateway.server.aggregate.SeriesImage;
import io.aggregationgateway.server.aggregate.SourceImage;
import io.aggregationgateway.server.aggregate.StoreImage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots taken while pushes run: every image, read back from its file, holds whole pushes only
 * (two counters one push raises together are equal, a histogram's count matches its buckets), and
 * the sources' states agree with the sums they went into. Bounded in count and time.
 */
class SnapshotConcurrencyTest {
    private static final int PUSHES_PER_THREAD = 3_000;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Test
    void everySnapshotHoldsWholePushesAndStatesThatAgreeWithTheSums() throws Exception {
        EngineFixture engine = new EngineFixture();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> pushers = new ArrayList<>();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            pushers.add(pool.submit(() -> {
                for (int i = 0; i < PUSHES_PER_THREAD && System.nanoTime() < deadline; i++) {
                    engine.delta("/job/d" + thread, """
                            # TYPE pair_a_total counter
                            pair_a_total 1
                            # TYPE pair_b_total counter
                            pair_b_total 1
                            # TYPE h histogram
                            h_bucket{le="1"} 1
                            h_bucket{le="+Inf"} 2
                            h_sum 3
                            h_count 2
                            """);
                }
                return null;
            }));
            pushers.add(pool.submit(() -> {
                for (int i = 1; i <= PUSHES_PER_THREAD && System.nanoTime() < deadline; i++) {
                    engine.source("s" + thread, "# TYPE src_total counter\nsrc_total " + i + "\n");
                }
                return null;
            }));
        }
        int snapshots = 0;
        while (pushers.stream().anyMatch(f -> !f.isDone()) && System.nanoTime() < deadline) {
            check(readBack(engine.aggregator.image()));
            snapshots++;
        }
        for (Future<?> pusher : pushers) {
            pusher.get();
        }
        pool.shutdown();
        check(readBack(engine.aggregator.image()));
        assertTrue(snapshots >= 5, "only " + snapshots + " snapshots while pushing");
    }

    private static StoreImage readBack(StoreImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotEncoder.write(new Snapshot(image, Optional.empty(), ""), out);
        StoreImage read = SnapshotDecoder.read(new ByteArrayInputStream(out.toByteArray())).store();
        assertEquals(ImageText.of(image), ImageText.of(read));
        return read;
    }

    private static void check(StoreImage image) {
        for (int thread = 0; thread < 2; thread++) {
            String job = "{job=\"d" + thread + "\"}";
            Double a = scalar(image, "pair_a_total", job);
            Double b = scalar(image, "pair_b_total", job);
            assertEquals(a, b, "one push raises both");
            SeriesImage.Classic h = (SeriesImage.Classic) series(image, "h", job);
            if (h != null) {
                double[] cumulative = h.values().cumulative();
                assertEquals(h.values().count(), cumulative[cumulative.length - 1]);
                assertEquals(2 * cumulative[0], h.values().count());
                assertEquals(a, h.values().count() / 2);
            }
        }
        double statesTotal = 0;
        for (SourceImage source : image.sources()) {
            for (SourceImage.Table table : source.tables()) {
                if (table.family().equals("src_total")) {
                    statesTotal += ((SeriesImage.Scalar) table.baselines().get(0)).value();
                }
            }
        }
        Double sum = scalar(image, "src_total", "{job=\"api\"}");
        assertEquals(statesTotal, sum == null ? 0 : sum, "the sum is what the sources' last totals add up to");
    }

    private static Double scalar(StoreImage image, String family, String labels) {
        SeriesImage s = series(image, family, labels);
        return s == null ? null : ((SeriesImage.Scalar) s).value();
    }

    private static SeriesImage series(StoreImage image, String family, String labels) {
        for (FamilyImage f : image.families()) {
            if (f.name().equals(family)) {
                for (SeriesImage s : f.series()) {
                    if (s.labels().toString().equals(labels)) {
                        return s;
                    }
                }
            }
        }
        return null;
    }
}
