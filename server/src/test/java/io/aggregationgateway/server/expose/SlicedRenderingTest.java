package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Families cut into slices and rendered on several threads come out as one thread writes them. */
class SlicedRenderingTest {
    private static final RenderWorkers WORKERS = RenderWorkers.start(3);

    @AfterAll
    static void stopWorkers() {
        WORKERS.close();
    }

    /** Counters with sizes around the slice size, a small gauge with help, histograms over several slices. */
    private static Aggregator store() throws Exception {
        Aggregator aggregator = new Aggregator();
        List<MetricFamily> families = new ArrayList<>();
        for (int size : new int[]{1, FamilySlice.SCALAR_SERIES_PER_SLICE - 1, FamilySlice.SCALAR_SERIES_PER_SLICE,
                FamilySlice.SCALAR_SERIES_PER_SLICE + 1, 5 * FamilySlice.SCALAR_SERIES_PER_SLICE + 7}) {
            families.add(counters("c" + size + "_total", size));
        }
        families.add(new MetricFamily("g", MetricType.GAUGE, "a gauge\\with help", List.of(
                new ScalarSample(Labels.of("x", "quote\"d"), 2.5))));
        List<Series> histograms = new ArrayList<>();
        for (int i = 0; i < 3 * FamilySlice.HISTOGRAM_SERIES_PER_SLICE + 5; i++) {
            histograms.add(new ClassicHistogram(Labels.of("i", String.format("%05d", i)),
                    new double[]{0.1, 1, Double.POSITIVE_INFINITY}, new double[]{i, i + 1, i + 2}, (double) i + 2, i * 0.5));
        }
        families.add(new MetricFamily("h", MetricType.HISTOGRAM, "", histograms));
        aggregator.push(new Push(Labels.of("job", "slices"), families));
        return aggregator;
    }

    private static MetricFamily counters(String name, int size) {
        List<Series> series = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            series.add(new ScalarSample(Labels.of("i", String.format("%05d", i)), i));
        }
        return new MetricFamily(name, MetricType.COUNTER, "", series);
    }

    private static byte[] render(Aggregator aggregator, RenderWorkers workers) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(aggregator.families(), out, workers);
        return out.toByteArray();
    }

    @Test
    void helpersChangeNothingInTheOutput() throws Exception {
        Aggregator aggregator = store();
        byte[] alone = render(aggregator, RenderWorkers.NONE);
        for (int run = 0; run < 5; run++) {
            assertArrayEquals(alone, render(aggregator, WORKERS));
        }
    }

    @Test
    void helpersChangeNothingInOpenMetrics() throws Exception {
        Aggregator aggregator = store();
        ByteArrayOutputStream alone = new ByteArrayOutputStream();
        new OpenMetricsRenderer().render(aggregator.families(), alone, RenderWorkers.NONE);
        ByteArrayOutputStream helped = new ByteArrayOutputStream();
        new OpenMetricsRenderer().render(aggregator.families(), helped, WORKERS);
        assertArrayEquals(alone.toByteArray(), helped.toByteArray());
        assertTrue(helped.toString(StandardCharsets.UTF_8).endsWith("\n# EOF\n"));
    }

    @Test
    void helpersChangeNothingInOpenMetricsWithStartsAndUtf8Names() throws Exception {
        Aggregator aggregator = store();
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            series.add(new ScalarSample(Labels.of("http.method", "m" + i), i));
        }
        aggregator.push(new Push(Labels.EMPTY, List.of(new MetricFamily("my.requests_total", MetricType.COUNTER, "", series))));
        for (NameEscaping escaping : NameEscaping.values()) {
            ByteArrayOutputStream alone = new ByteArrayOutputStream();
            OpenMetricsRenderer.WITH_CREATED.render(aggregator.families(), alone, RenderWorkers.NONE, escaping);
            ByteArrayOutputStream helped = new ByteArrayOutputStream();
            OpenMetricsRenderer.WITH_CREATED.render(aggregator.families(), helped, WORKERS, escaping);
            assertArrayEquals(alone.toByteArray(), helped.toByteArray(), escaping.toString());
            assertTrue(helped.toString(StandardCharsets.UTF_8).contains("_created{"), escaping.toString());
        }
    }

    /**
     * Protobuf sizes each family's slices before it renders them: label sets short and long (one-
     * and two-byte lengths), UTF-8 label names escaped or not, left-out series, starts, histograms.
     * Whatever the helpers do, the bytes are those protobuf-java writes for the messages they hold.
     */
    @Test
    void helpersChangeNothingInProtobufAndTheSizesAreProtobufJavas() throws Exception {
        Aggregator aggregator = store();
        List<Series> utf8 = new ArrayList<>();
        List<Series> longLabels = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            utf8.add(new ScalarSample(Labels.of("http.method", "m" + i), i));
            // the escaped twin of series 7: left out with escaped names
            longLabels.add(new ScalarSample(Labels.of("i", String.format("%05d", i), "long", "x".repeat(i % 300)), i * 0.25));
        }
        utf8.add(new ScalarSample(Labels.of("http_method", "m7"), 7));
        aggregator.push(new Push(Labels.EMPTY, List.of(new MetricFamily("my.requests_total", MetricType.COUNTER, "", utf8),
                new MetricFamily("long_total", MetricType.COUNTER, "long labels", longLabels))));
        for (NameEscaping escaping : NameEscaping.values()) {
            ByteArrayOutputStream alone = new ByteArrayOutputStream();
            List<String> leftOut = ProtobufRenderer.WITH_CREATED.render(aggregator.families(), alone, RenderWorkers.NONE, escaping);
            assertEquals(escaping == NameEscaping.UNDERSCORES ? 1 : 0, leftOut.size(), escaping + ": " + leftOut);
            for (int run = 0; run < 3; run++) {
                ByteArrayOutputStream helped = new ByteArrayOutputStream();
                assertEquals(leftOut, ProtobufRenderer.WITH_CREATED.render(aggregator.families(), helped, WORKERS, escaping));
                assertArrayEquals(alone.toByteArray(), helped.toByteArray(), escaping.toString());
            }
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(alone.toByteArray());
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            int metrics = 0;
            io.aggregationgateway.proto.metrics.MetricFamily family;
            while ((family = io.aggregationgateway.proto.metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                family.writeDelimitedTo(again);
                metrics += family.getMetricCount();
            }
            assertArrayEquals(again.toByteArray(), alone.toByteArray(), escaping.toString());
            int stored = aggregator.families().stream().mapToInt(f -> f.series().size()).sum();
            assertEquals(stored - leftOut.size(), metrics, escaping.toString());
        }
    }

    /**
     * A protobuf scrape of counters, gauges and untyped series knows its length before it writes:
     * exactly the bytes written, with names escaped or not, series left out, long label sets; a
     * scrape holding a histogram does not know it.
     */
    @Test
    void protobufKnowsItsLengthAheadUnlessItHoldsAHistogram() throws Exception {
        Aggregator aggregator = new Aggregator();
        List<Series> utf8 = new ArrayList<>();
        List<Series> plain = new ArrayList<>();
        for (int i = 0; i < 3 * FamilySlice.SCALAR_SERIES_PER_SLICE + 11; i++) {
            utf8.add(new ScalarSample(Labels.of("http.method", "m" + i), i));
            plain.add(new ScalarSample(Labels.of("i", String.format("%05d", i), "long", "x".repeat(i % 300)), i * 0.5));
        }
        utf8.add(new ScalarSample(Labels.of("http_method", "m7"), 7)); // left out with escaped names
        aggregator.push(new Push(Labels.of("job", "len"), List.of(new MetricFamily("my.requests_total", MetricType.COUNTER, "", utf8),
                new MetricFamily("g", MetricType.GAUGE, "help", plain), new MetricFamily("u", MetricType.UNTYPED, "", plain))));
        for (ScrapeFormat format : List.of(ScrapeFormat.of(ExpositionFormat.PROTOBUF),
                new ScrapeFormat(ExpositionFormat.PROTOBUF, null, NameEscaping.ALLOW_UTF8))) {
            for (RenderWorkers workers : List.of(RenderWorkers.NONE, WORKERS)) {
                PreparedScrape scrape = format.prepare(aggregator.families(), workers);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                scrape.writeTo(out);
                assertEquals(out.size(), scrape.length(), format.toString());
            }
        }
        Aggregator withHistograms = store();
        assertEquals(PreparedScrape.UNKNOWN_LENGTH,
                ScrapeFormat.of(ExpositionFormat.PROTOBUF).prepare(withHistograms.families(), WORKERS).length());
        assertEquals(PreparedScrape.UNKNOWN_LENGTH,
                ScrapeFormat.of(ExpositionFormat.TEXT).prepare(aggregator.families(), WORKERS).length());
    }

    /** Each family's size is its own: a view listed twice is written twice, each with its size. */
    @Test
    void protobufSizesEachListedFamilyOnItsOwn() throws Exception {
        List<io.aggregationgateway.server.model.FamilyView> families = store().families();
        ByteArrayOutputStream once = new ByteArrayOutputStream();
        ProtobufRenderer.WITH_CREATED.render(families, once, WORKERS, NameEscaping.ALLOW_UTF8);
        List<io.aggregationgateway.server.model.FamilyView> twice = new ArrayList<>(families);
        twice.addAll(families);
        ByteArrayOutputStream helped = new ByteArrayOutputStream();
        ProtobufRenderer.WITH_CREATED.render(twice, helped, WORKERS, NameEscaping.ALLOW_UTF8);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        once.writeTo(expected);
        once.writeTo(expected);
        assertArrayEquals(expected.toByteArray(), helped.toByteArray());
    }

    @Test
    void everySeriesOnceInOrderWithOneHeaderPerFamily() throws Exception {
        String text = new String(render(store(), WORKERS), StandardCharsets.UTF_8);
        int size = 5 * FamilySlice.SCALAR_SERIES_PER_SLICE + 7;
        StringBuilder expected = new StringBuilder("# TYPE c" + size + "_total counter\n");
        for (int i = 0; i < size; i++) {
            expected.append("c").append(size).append("_total{i=\"").append(String.format("%05d", i))
                    .append("\",job=\"slices\"} ").append(i).append('\n');
        }
        int start = text.indexOf("# TYPE c" + size + "_total");
        assertEquals(expected.toString(), text.substring(start, start + expected.length()));
        assertEquals(7, text.split("# TYPE ", -1).length - 1, "one TYPE line per family");
        assertTrue(text.contains("# HELP g a gauge\\\\with help\n# TYPE g gauge\ng{job=\"slices\",x=\"quote\\\"d\"} 2.5\n"));
        assertEquals(3 * FamilySlice.HISTOGRAM_SERIES_PER_SLICE + 5, text.split("h_count\\{", -1).length - 1);
    }

    @Test
    void aFailingStreamEndsTheScrapeWithItsError() throws Exception {
        Aggregator aggregator = store();
        OutputStream broken = new OutputStream() {
            private int writes;

            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++writes == 3) {
                    throw new IOException("client went away");
                }
            }
        };
        IOException e = assertThrows(IOException.class,
                () -> new TextFormatRenderer().render(aggregator.families(), broken, WORKERS));
        assertEquals("client went away", e.getMessage());
        // the helpers are free again: the next scrape renders completely
        assertArrayEquals(render(aggregator, RenderWorkers.NONE), render(aggregator, WORKERS));
    }
}
