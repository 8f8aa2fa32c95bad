package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text pushes that hand over the store's label sets for the series it holds
 * ({@link Aggregator#heldLabels()}), and that say their series hold the grouping labels already
 * ({@link Push#groupingInSeries()}, so the validator does not look for them), do what pushes of
 * series as pushed do: three engines get the same random pushes (series they hold and new ones,
 * under a few groups, with bad ones among them: a label value over the limit, a reserved or a
 * quoted UTF-8 label name, {@code le} on a counter, a series twice, a series carrying the grouping
 * label, a series limit reached), and must answer each alike (result or rejection, reason and
 * message) and expose the same store after each. One engine gets the series as pushed (the engine
 * adds the grouping labels), one gets them built with the grouping labels and held label sets
 * handed over, one gets that and the push's word that every series holds the grouping labels;
 * with and without a source label, so that a source's push strips it from both.
 */
class HeldLabelsPushPropertyTest {
    private static final int PUSHES = 400;
    private static final String[] GROUPS = {"", "/job/a", "/job/b/instance/x", "/job/a/zone/eu", "/job/a/instance/y/zone/eu"};
    private static final String[] NAMES = {"method", "path", "zone"};
    private static final String[] VALUES = {"GET", "é", "a\\\"b", ""};

    enum Way { AS_PUSHED, HELD, HELD_AND_GROUPING_IN_SERIES }

    @ParameterizedTest
    @CsvSource({"PROMETHEUS_TEXT_0_0_4, false", "OPENMETRICS_1_0_0, false", "PROMETHEUS_TEXT_0_0_4, true", "OPENMETRICS_1_0_0, true"})
    void pushesAnswerAndStoreAlikeWithAndWithoutHeldLabels(TextFormatParser.Dialect dialect, boolean sources)
            throws IOException, PushRejectedException {
        boolean openMetrics = dialect == TextFormatParser.Dialect.OPENMETRICS_1_0_0;
        EngineSettings settings = new EngineSettings("aggregation_gateway_", 400, 6, 40, Duration.ZERO);
        SourceSettings sourceSettings = sources ? new SourceSettings(List.of("instance"), Duration.ofMinutes(10), 1_000)
                : SourceSettings.NONE;
        Map<Way, Aggregator> engines = new EnumMap<>(Way.class);
        for (Way way : Way.values()) {
            engines.put(way, new Aggregator(settings, GaugeModes.ALL_SUM, sourceSettings, () -> 1_000L));
        }
        Aggregator general = engines.get(Way.AS_PUSHED);
        TextFormatParser parser = new TextFormatParser(dialect);
        Random rnd = new Random(0x4e1dL + dialect.ordinal() + (sources ? 7 : 0));
        int accepted = 0;
        int rejected = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (int p = 0; p < PUSHES; p++) {
            String body = body(rnd, openMetrics);
            Labels grouping = GroupingPath.parse(GROUPS[rnd.nextInt(GROUPS.length)], false);
            String viaGeneral = push(Way.AS_PUSHED, general, parser, grouping, body);
            int push = p;
            for (Way way : List.of(Way.HELD, Way.HELD_AND_GROUPING_IN_SERIES)) {
                Aggregator engine = engines.get(way);
                assertEquals(viaGeneral, push(way, engine, parser, grouping, body), () -> way + ", push " + push + " to " + grouping + ":\n" + body);
                assertEquals(exposition(general), exposition(engine), () -> way + ", after push " + push + " to " + grouping + ":\n" + body);
            }
            if (viaGeneral.startsWith("rejected")) {
                reasons.merge(viaGeneral.substring(0, Math.min(viaGeneral.length(), 40)), 1, Integer::sum);
                rejected++;
            } else {
                accepted++;
            }
        }
        assertTrue(accepted > PUSHES / 4 && rejected > PUSHES / 10, accepted + " accepted, " + rejected + " rejected: " + reasons);
        assertTrue(handedOver[0] > PUSHES / 5, "stored label sets handed over " + handedOver[0] + " times");
        assertTrue(groupingInSeries[0] > PUSHES / 3, "pushes whose series held the grouping labels: " + groupingInSeries[0]);
    }

    /** How many pushed series carried a stored series as their label set. */
    private final int[] handedOver = new int[1];
    /** How many pushes said their series held their (non-empty) grouping labels. */
    private final int[] groupingInSeries = new int[1];

    private String push(Way way, Aggregator aggregator, TextFormatParser parser, Labels grouping, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            Push push = switch (way) {
                case AS_PUSHED -> new Push(grouping, parser.parse(bytes, 0, bytes.length));
                case HELD -> new Push(grouping, parser.parse(bytes, 0, bytes.length, aggregator.seriesGrouping(grouping),
                        aggregator.heldLabels()));
                case HELD_AND_GROUPING_IN_SERIES -> new Push(grouping, parser.decode(bytes, 0, bytes.length,
                        aggregator.seriesGrouping(grouping), aggregator.heldLabels()), false);
            };
            for (MetricFamily family : push.families()) {
                for (Series series : family.series()) {
                    handedOver[0] += series.labels() instanceof SeriesCell ? 1 : 0;
                }
            }
            groupingInSeries[0] += !push.groupingInSeries().isEmpty() ? 1 : 0;
            PushResult result = aggregator.push(push);
            return "accepted " + result;
        } catch (PushRejectedException e) {
            return "rejected " + e.reason() + ": " + e.getMessage();
        }
    }

    private static String body(Random rnd, boolean openMetrics) {
        StringBuilder out = new StringBuilder();
        int families = 1 + rnd.nextInt(3);
        int first = rnd.nextInt(4);
        for (int f = 0; f < families; f++) {
            int kind = rnd.nextInt(3);
            String name = "m" + (first + f) % 4; // no family twice in a body
            switch (kind) {
                case 0 -> {
                    out.append("# TYPE ").append(name).append("_c counter\n");
                    for (int s = rnd.nextInt(3); s >= 0; s--) {
                        out.append(name).append(openMetrics ? "_c_total" : "_c").append(labels(rnd, null))
                                .append(' ').append(rnd.nextInt(5)).append('\n');
                    }
                }
                case 1 -> {
                    out.append("# TYPE ").append(name).append("_g gauge\n");
                    for (int s = rnd.nextInt(3); s >= 0; s--) {
                        out.append(name).append("_g").append(labels(rnd, null)).append(' ').append(rnd.nextInt(9) - 4).append('\n');
                    }
                }
                default -> {
                    out.append("# TYPE ").append(name).append("_h histogram\n");
                    String labels = labels(rnd, "le");
                    int inOne = rnd.nextInt(3);
                    String inf = labels.isEmpty() ? "{le=\"+Inf\"}" : labels.substring(0, labels.length() - 1) + ",le=\"+Inf\"}";
                    String one = labels.isEmpty() ? "{le=\"1\"}" : labels.substring(0, labels.length() - 1) + ",le=\"1\"}";
                    int total = inOne + rnd.nextInt(3);
                    out.append(name).append("_h_bucket").append(one).append(' ').append(inOne).append('\n');
                    out.append(name).append("_h_bucket").append(inf).append(' ').append(total).append('\n');
                    out.append(name).append("_h_sum").append(labels).append(' ').append(total).append('\n');
                    out.append(name).append("_h_count").append(labels).append(' ').append(total).append('\n');
                }
            }
        }
        if (openMetrics) {
            out.append("# EOF\n");
        }
        return out.toString();
    }

    /** A label set from a small pool, so that pushes mostly meet series held already; now and then a bad one. */
    private static String labels(Random rnd, String notThisName) {
        StringBuilder out = new StringBuilder();
        int count = rnd.nextInt(NAMES.length + 1);
        int firstName = rnd.nextInt(NAMES.length);
        for (int i = 0; i < count; i++) {
            String name = NAMES[(firstName + i) % NAMES.length]; // each name once, in changing orders
            String value = VALUES[rnd.nextInt(VALUES.length)];
            int odd = rnd.nextInt(250);
            if (odd == 0) {
                name = "__reserved";
            } else if (odd == 1) {
                name = "\"näme\"";
            } else if (odd == 2 && notThisName == null) {
                name = "le";
            } else if (odd == 3) {
                name = "job"; // the grouping label's name: the body is then read as pushed
            } else if (odd == 5) {
                name = "instance"; // the source label: a source's push strips it from its series
            } else if (odd == 4) {
                value = "x".repeat(41); // over --max-label-value-bytes
            }
            if (name.equals(notThisName)) {
                continue;
            }
            out.append(out.isEmpty() ? "{" : ",").append(name).append("=\"").append(value).append('"');
        }
        return out.isEmpty() ? "" : out.append('}').toString();
    }

    private static String exposition(Aggregator aggregator) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(aggregator.families(), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
