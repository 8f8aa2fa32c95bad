package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.KnownSizes;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protobuf keeps each scalar family's size between scrapes of the same series ({@link KnownSizes}),
 * instead of reading every series to size it again: the bytes are those of a scrape that sizes anew.
 */
class KnownSizesRenderingTest {
    private static final RenderWorkers WORKERS = RenderWorkers.start(2);
    private static final Duration TTL = Duration.ofSeconds(60);

    private final AtomicLong now = new AtomicLong(1_700_000_000_123L);

    @AfterAll
    static void stopWorkers() {
        WORKERS.close();
    }

    private Aggregator store() {
        return new Aggregator(new EngineSettings("aggregation_gateway_", 1_000_000, 8, 1024, TTL), now::get);
    }

    private static void push(Aggregator aggregator, String job, MetricFamily... families) throws Exception {
        aggregator.push(new Push(Labels.of("job", job), List.of(families)));
    }

    private static MetricFamily counters(String name, int from, int to) {
        List<Series> series = new ArrayList<>();
        for (int i = from; i < to; i++) {
            series.add(new ScalarSample(Labels.of("i", Integer.toString(i)), i));
        }
        return new MetricFamily(name, MetricType.COUNTER, "", series);
    }

    private static byte[] protobuf(List<FamilyView> families, NameEscaping escaping, RenderWorkers workers) throws IOException {
        PreparedScrape scrape = new ScrapeFormat(ExpositionFormat.PROTOBUF, null, escaping).prepare(families, workers);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        scrape.writeTo(out);
        assertEquals(out.size(), scrape.length());
        return out.toByteArray();
    }

    /** The same views with nothing kept: sized series by series. */
    private static List<FamilyView> sizedAnew(List<FamilyView> families) {
        return families.stream().map(f -> new FamilyView(f.name(), f.type(), f.help(), f.series(), f.largestLabelBytes(),
                f.utf8LabelNames(), KnownSizes.NONE)).toList();
    }

    @Test
    void viewsOfTheSameSeriesShareTheirSizesUntilTheSetChanges() throws Exception {
        Aggregator aggregator = store();
        push(aggregator, "a", counters("c_total", 0, 10));
        KnownSizes first = aggregator.families().get(0).sizes();
        assertNotSame(KnownSizes.NONE, first);
        push(aggregator, "a", counters("c_total", 0, 10)); // values change, the series do not
        assertSame(first, aggregator.families().get(0).sizes());

        push(aggregator, "a", counters("c_total", 10, 11));
        KnownSizes grown = aggregator.families().get(0).sizes();
        assertNotSame(first, grown);

        now.addAndGet(TTL.toMillis() / 2);
        push(aggregator, "b", counters("c_total", 0, 1));
        now.addAndGet(TTL.toMillis() / 2 + 1); // job a's series expire, job b's do not
        FamilyView live = aggregator.families().get(0);
        assertEquals(1, live.series().size());
        assertSame(KnownSizes.NONE, live.sizes(), "a view leaving out expired series keeps nothing");
    }

    @Test
    void theSecondScrapeIsTheFirstsByteForByte() throws Exception {
        Aggregator aggregator = store();
        push(aggregator, "a", counters("c_total", 0, 3 * FamilySlice.SCALAR_SERIES_PER_SLICE + 5),
                counters("d_total", 0, 7));
        for (NameEscaping escaping : NameEscaping.values()) {
            for (RenderWorkers workers : List.of(RenderWorkers.NONE, WORKERS)) {
                byte[] anew = protobuf(sizedAnew(aggregator.families()), escaping, RenderWorkers.NONE);
                assertArrayEquals(anew, protobuf(aggregator.families(), escaping, workers), "sizing, then keeping");
                assertArrayEquals(anew, protobuf(aggregator.families(), escaping, workers), "with the kept sizes");
            }
        }
    }

    /** A size kept for other series than the view's is caught when the family is written, not sent. */
    @Test
    void aSizeKeptForOtherSeriesCutsTheScrapeShort() throws Exception {
        Aggregator aggregator = store();
        push(aggregator, "a", counters("c_total", 0, 10));
        FamilyView all = aggregator.families().get(0);
        protobuf(List.of(all), NameEscaping.ALLOW_UTF8, RenderWorkers.NONE); // keeps the size of ten series
        FamilyView fewer = new FamilyView(all.name(), all.type(), all.help(), all.series().subList(1, 10),
                all.largestLabelBytes(), all.utf8LabelNames(), all.sizes());

        IOException wrong = assertThrows(IOException.class,
                () -> protobuf(List.of(fewer), NameEscaping.ALLOW_UTF8, RenderWorkers.NONE));
        assertTrue(wrong.getMessage().contains("c_total"), wrong.getMessage());
    }

    /**
     * Pushes of old and new series (short and long label sets, UTF-8 names and their escaped twins),
     * deletions and expiry, each followed by a protobuf scrape with some escaping: every scrape is
     * byte for byte the one that sizes every family anew.
     */
    @Test
    void scrapesOfAChangingStoreAreThoseThatSizeAnew() throws Exception {
        for (int seed = 0; seed < 25; seed++) {
            Random random = new Random(seed);
            Aggregator aggregator = store();
            for (int step = 0; step < 30; step++) {
                String job = "j" + random.nextInt(3);
                switch (random.nextInt(6)) {
                    case 0, 1, 2 -> push(aggregator, job, randomFamily(random));
                    case 3 -> now.addAndGet(random.nextInt((int) TTL.toMillis()));
                    case 4 -> aggregator.delete(Labels.of("job", job));
                    default -> {
                        // scrape the same store again
                    }
                }
                NameEscaping escaping = NameEscaping.values()[random.nextInt(NameEscaping.values().length)];
                RenderWorkers workers = random.nextBoolean() ? WORKERS : RenderWorkers.NONE;
                List<FamilyView> families = aggregator.families();
                assertArrayEquals(protobuf(sizedAnew(families), escaping, RenderWorkers.NONE),
                        protobuf(families, escaping, workers), "seed " + seed + ", step " + step + ", " + escaping);
            }
        }
    }

    private static MetricFamily randomFamily(Random random) {
        int kind = random.nextInt(4);
        String name = switch (kind) {
            case 0 -> "c_total";
            case 1 -> "g";
            case 2 -> "u";
            default -> "my.requests_total";
        };
        MetricType type = switch (kind) {
            case 1 -> MetricType.GAUGE;
            case 2 -> MetricType.UNTYPED;
            default -> MetricType.COUNTER;
        };
        Map<Labels, Series> series = new LinkedHashMap<>(); // a push holds each series once
        int count = 1 + random.nextInt(random.nextBoolean() ? 20 : 3 * FamilySlice.SCALAR_SERIES_PER_SLICE);
        for (int i = 0; i < count; i++) {
            String value = Integer.toString(random.nextInt(5_000)) + "x".repeat(random.nextInt(4) == 0 ? 200 : 0);
            String labelName = kind == 3 && random.nextBoolean() ? "http.method" : "http_method";
            Labels labels = Labels.of(labelName, value);
            series.put(labels, new ScalarSample(labels, random.nextInt(100)));
        }
        return new MetricFamily(name, type, "", List.copyOf(series.values()));
    }
}
