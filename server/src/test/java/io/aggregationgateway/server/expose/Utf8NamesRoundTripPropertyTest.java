package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.ProtobufDecoder;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random stores with UTF-8 metric and label names (dots, spaces, quotes, backslashes, newlines,
 * non-ASCII, emoji) scraped and read back: text 1.0.0 and OpenMetrics with names as they are, and
 * protobuf, parse back to the same store; text with {@code escaping=values}, its names decoded,
 * too. Run one seed with {@code -Dnames.seed=N}.
 */
class Utf8NamesRoundTripPropertyTest {
    private static final int STORES = 150;
    private static final long BASE_SEED = Long.getLong("names.seed", 0x5eed_0a1eL);
    private static final String[] PIECES = {
        "a", "z", "Q", "_", "1", ":", ".", "-", " ", "\"", "\\", "\n", "{", "}", ",", "=", "é", "日本", "😀", "°"
    };

    /** A name that starts with a letter (so a legacy one never starts with U__, which values escaping would decode). */
    private static String name(Random random) {
        StringBuilder name = new StringBuilder(random.nextBoolean() ? "m" : "ü");
        int pieces = random.nextInt(5);
        for (int i = 0; i < pieces; i++) {
            name.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return name.toString();
    }

    private static Labels labels(Random random, MetricType type) {
        Labels.Builder builder = new Labels.Builder();
        List<String> used = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            String name = "l" + name(random);
            if (!used.contains(name)) {
                used.add(name);
                builder.add(name, PIECES[random.nextInt(PIECES.length)] + i);
            }
        }
        return builder.build();
    }

    private static Aggregator randomStore(Random random) {
        Aggregator store = new Aggregator();
        int families = 1 + random.nextInt(6);
        for (int f = 0; f < families; f++) {
            MetricType type = List.of(MetricType.COUNTER, MetricType.GAUGE, MetricType.UNTYPED, MetricType.HISTOGRAM)
                    .get(random.nextInt(4));
            String name = name(random) + (type == MetricType.COUNTER ? "_total" : "");
            List<Series> series = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            for (int s = 0; s < count; s++) {
                Labels labels = labels(random, type);
                if (type == MetricType.HISTOGRAM) {
                    double below = random.nextInt(5);
                    series.add(new ClassicHistogram(labels, new double[] {0.5, Double.POSITIVE_INFINITY},
                            new double[] {below, below + random.nextInt(5)}, null, random.nextInt(100) / 4.0));
                } else {
                    series.add(new ScalarSample(labels, random.nextInt(1000) / 8.0));
                }
            }
            try {
                store.push(new Push(Labels.EMPTY, List.of(new MetricFamily(name, type, random.nextBoolean() ? "" : "Help " + name,
                        series))));
            } catch (PushRejectedException refused) {
                // names alike once escaped, the same series twice: the store refuses them, the property is about the rest
            }
        }
        return store;
    }

    private static byte[] scrape(List<FamilyView> families, String accept) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScrapeFormat.negotiate(accept).render(families, out, RenderWorkers.NONE);
        return out.toByteArray();
    }

    private static String text(List<FamilyView> families) throws Exception {
        return new String(scrape(families, "text/plain;version=1.0.0;escaping=allow-utf-8"), StandardCharsets.UTF_8);
    }

    /** The families pushed into an empty store, as text 1.0.0 shows them. */
    private static String stored(List<MetricFamily> families) throws Exception {
        Aggregator store = new Aggregator();
        store.push(new Push(Labels.EMPTY, families));
        return text(store.families());
    }

    private static List<MetricFamily> parse(TextFormatParser.Dialect dialect, byte[] body) throws PushRejectedException {
        return new TextFormatParser(dialect).parse(body, 0, body.length);
    }

    @Test
    void scrapesParseBackToTheSameStore() throws Exception {
        int utf8Families = 0;
        int utf8Labels = 0;
        for (int i = 0; i < STORES; i++) {
            long seed = BASE_SEED + i;
            List<FamilyView> families = randomStore(new Random(seed)).families();
            for (FamilyView family : families) {
                utf8Families += MetricNames.isLegacyMetricName(family.name()) ? 0 : 1;
                utf8Labels += family.utf8LabelNames() ? 1 : 0;
            }
            String expected = text(families);
            String context = "seed " + seed + ":\n" + expected;

            assertEquals(expected, stored(parse(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4,
                    expected.getBytes(StandardCharsets.UTF_8))), context);
            assertEquals(expected, stored(parse(TextFormatParser.Dialect.OPENMETRICS_1_0_0,
                    scrape(families, "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8"))), context);
            byte[] protobuf = scrape(families, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                    + "encoding=delimited;escaping=allow-utf-8");
            assertEquals(expected, stored(new ProtobufDecoder().decodeDelimited(protobuf, 0, protobuf.length)), context);
            assertEquals(expected, stored(unescaped(parse(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4,
                    scrape(families, "text/plain;version=1.0.0;escaping=values")))), context);
        }
        // the stores are made of what the engine accepts: enough of it must be UTF-8 for the property to say something
        assertTrue(utf8Families > STORES && utf8Labels > STORES, utf8Families + " UTF-8 families, " + utf8Labels
                + " families with UTF-8 label names");
    }

    /** Families read from a scrape with {@code escaping=values}, their names decoded. */
    private static List<MetricFamily> unescaped(List<MetricFamily> families) {
        List<MetricFamily> out = new ArrayList<>();
        for (MetricFamily family : families) {
            List<Series> series = new ArrayList<>();
            for (Series s : family.series()) {
                Labels.Builder labels = new Labels.Builder();
                s.labels().forEach((name, value) -> labels.add(NameEscaping.unescapeValues(name), value));
                series.add(s.withLabels(labels.build()));
            }
            String name = family.name();
            out.add(new MetricFamily(MetricNames.isLegacyMetricName(name) ? NameEscaping.unescapeValues(name) : name,
                    family.type(), family.help(), series));
        }
        return out;
    }
}
