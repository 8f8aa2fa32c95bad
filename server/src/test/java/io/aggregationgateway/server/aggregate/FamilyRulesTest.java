package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --allow-metric and --max-series-per-family: named refusals, and a store exactly as it was after each. */
class FamilyRulesTest {
    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);

    private static Aggregator engine(List<String> allow, long maxSeries, long maxPerFamily) {
        return new Aggregator(new EngineSettings("aggregation_gateway_", maxSeries, 64, 4096, Duration.ZERO),
                GaugeModes.ALL_SUM, SourceSettings.NONE,
                new FamilyRules(MetricAllowRules.of(allow.stream().map(Pattern::compile).toList()), maxPerFamily),
                () -> 0);
    }

    private PushResult push(Aggregator aggregator, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return aggregator.push(new Push(GroupingPath.parse("/job/t", false), parser.parse(bytes, 0, bytes.length)));
    }

    private static String exposition(Aggregator aggregator) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextFormatRenderer().render(aggregator.families(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String series(String family, int from, int to) {
        StringBuilder body = new StringBuilder("# TYPE " + family + " counter\n");
        for (int i = from; i < to; i++) {
            body.append(family).append("{n=\"").append(i).append("\"} 1\n");
        }
        return body.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a name matching no rule   | other_total 1\\n",
            "one family of several     | app_requests_total 1\\nsecret_total 2\\n",
            "a prefix is not a match   | app_x_total 1\\nxapp_total 1\\n",
            "a summary is named too    | app_total 1\\n# TYPE evil summary\\nevil_sum 1\\nevil_count 1\\n",
    })
    void aFamilyMatchingNoRuleRefusesThePushWhole(String name, String body) throws Exception {
        Aggregator aggregator = engine(List.of("app_.*", "web_[a-z]+_total"), Long.MAX_VALUE, Long.MAX_VALUE);
        push(aggregator, "app_seen_total 5\n");
        String before = exposition(aggregator);
        PushRejectedException e = assertThrows(PushRejectedException.class, () -> push(aggregator, body.replace("\\n", "\n")));
        assertEquals(RejectionReason.NOT_ALLOWED, e.reason());
        assertTrue(e.getMessage().matches("family \\w+: not allowed here, its name matches no --allow-metric pattern"
                + " \\(app_\\.\\*, web_\\[a-z\\]\\+_total\\)"), e.getMessage());
        assertEquals(before, exposition(aggregator), "nothing of the push applied");
        assertEquals(1, aggregator.familyCount());
    }

    @Test
    void namesMatchingARuleAreAccepted() throws Exception {
        Aggregator aggregator = engine(List.of("app_.*", "web_[a-z]+_total"), Long.MAX_VALUE, Long.MAX_VALUE);
        push(aggregator, "app_x 1\nweb_clicks_total 2\n");
        assertEquals(2, aggregator.familyCount());
        assertEquals("family secret: not allowed here, its name matches no --allow-metric pattern (app_.*, web_[a-z]+_total)",
                assertThrows(PushRejectedException.class, () -> push(aggregator, "secret 1\n")).getMessage());
        assertTrue(MetricAllowRules.ANY.allows("anything"));
    }

    @Test
    void oneFamilyCannotTakeMoreThanItsShare() throws Exception {
        Aggregator aggregator = engine(List.of(), 100, 10);
        push(aggregator, series("a_total", 0, 8));
        String before = exposition(aggregator);
        PushRejectedException e = assertThrows(PushRejectedException.class,
                () -> push(aggregator, series("a_total", 5, 9) + series("b_total", 0, 1) + series("a_total", 9, 11)
                        .replace("# TYPE a_total counter\n", "")));
        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
        assertEquals("family a_total: push refused: its 3 new series would exceed the limit of 10 series per family"
                + " (--max-series-per-family); the family holds 8. Existing series can still be pushed to.", e.getMessage());
        assertEquals(before, exposition(aggregator), "b_total did not land either");
        assertEquals(8, aggregator.seriesCount());

        push(aggregator, series("a_total", 0, 10)); // up to the limit, existing series included
        push(aggregator, series("a_total", 0, 10)); // existing series can always be pushed to
        push(aggregator, series("b_total", 0, 10)); // another family has its own share
        assertEquals(20, aggregator.seriesCount());
    }

    @Test
    void aNewFamilyTooLargeOnItsOwnLeavesNoEmptyFamilyBehind() throws Exception {
        Aggregator aggregator = engine(List.of(), 100, 3);
        assertEquals(RejectionReason.LIMIT_EXCEEDED,
                assertThrows(PushRejectedException.class, () -> push(aggregator, series("c_total", 0, 4))).reason());
        assertEquals(0, aggregator.familyCount());
        // the name is still free for any type
        push(aggregator, "# TYPE c_total gauge\nc_total 1\n");
        assertEquals(1, aggregator.seriesCount());
    }

    @Test
    void deletedSeriesFreeTheirFamilysShare() throws Exception {
        Aggregator aggregator = engine(List.of(), 100, 3);
        push(aggregator, series("d_total", 0, 3));
        assertThrows(PushRejectedException.class, () -> push(aggregator, series("d_total", 3, 4)));
        aggregator.deleteFamily("d_total");
        push(aggregator, series("d_total", 3, 6));
        assertEquals(3, aggregator.seriesCount());
    }

    @Test
    void racingPushesNeverTakeAFamilyPastItsLimit() throws Exception {
        int limit = 50;
        Aggregator aggregator = engine(List.of(), 1_000_000, limit);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger accepted = new AtomicInteger();
        try {
            List<Future<?>> pushes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int first = i * 3;
                pushes.add(pool.submit(() -> {
                    try {
                        push(aggregator, series("race_total", first, first + 3));
                        accepted.incrementAndGet();
                    } catch (PushRejectedException e) {
                        assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
                    }
                    return null;
                }));
            }
            for (Future<?> push : pushes) {
                push.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(aggregator.seriesCount() <= limit, "held " + aggregator.seriesCount());
        assertEquals(accepted.get() * 3L, aggregator.seriesCount(), "every accepted push landed whole, no refused one did");
        // near the limit a racing push may be refused that would have fitted a moment later; alone, the rest fits exactly
        int next = 10_000;
        while (true) {
            try {
                push(aggregator, series("race_total", next, next + 3));
                next += 3;
            } catch (PushRejectedException e) {
                break;
            }
        }
        assertEquals(limit / 3 * 3, aggregator.seriesCount());
    }

    @Test
    void twoPushesCreatingOneFamilyAtOnceCannotTogetherPassItsLimit() throws Exception {
        Aggregator aggregator = engine(List.of(), 1_000_000, 4);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 100; round++) {
                String family = "new_" + round + "_total";
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Boolean>> racers = new ArrayList<>();
                for (int racer = 0; racer < 2; racer++) {
                    int first = racer * 3;
                    racers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            push(aggregator, series(family, first, first + 3)); // both may find no family yet
                            return true;
                        } catch (PushRejectedException e) {
                            assertEquals(RejectionReason.LIMIT_EXCEEDED, e.reason());
                            return false;
                        }
                    }));
                }
                int accepted = 0;
                for (Future<Boolean> racer : racers) {
                    accepted += racer.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, accepted, "round " + round + ": 3 + 3 new series do not fit a limit of 4");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(300, aggregator.seriesCount());
    }
}
