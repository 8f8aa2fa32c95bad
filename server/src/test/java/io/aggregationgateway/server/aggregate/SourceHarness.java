package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine with the source label {@code instance}, a 10 minute source TTL, gauge modes for the
 * families {@code g_max}, {@code g_min}, {@code g_last}, {@code g_avg} (everything else adds up),
 * and a clock the test moves. Sources push to {@code /metrics/job/api/instance/<name>}; delta
 * pushes to {@code /metrics/job/api}.
 */
final class SourceHarness {
    static final Duration TTL = Duration.ofMinutes(10);
    static final GaugeModes MODES = GaugeModes.parse(List.of("g_max=max", "g_min=min", "g_last=last", "g_avg=avg"));

    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    final AtomicLong now = new AtomicLong(1_000_000);
    final Aggregator aggregator;

    SourceHarness() {
        this(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    SourceHarness(long maxSeries, long maxSourceStates) {
        this(maxSeries, maxSourceStates, Long.MAX_VALUE);
    }

    SourceHarness(long maxSeries, long maxSourceStates, long maxStoreBytes) {
        aggregator = new Aggregator(new EngineSettings("aggregation_gateway_", maxSeries, 64, 4096, Duration.ZERO,
                maxStoreBytes), MODES, new SourceSettings(List.of("instance"), TTL, maxSourceStates), now::get);
    }

    static String sourcePath(String source) {
        return "/job/api/instance/" + source;
    }

    /** POST from source {@code source}. */
    PushResult post(String source, String body) throws PushRejectedException {
        return aggregator.push(push(sourcePath(source), body));
    }

    /** PUT from source {@code source}. */
    PushResult put(String source, String body) throws PushRejectedException {
        Push post = push(sourcePath(source), body);
        return aggregator.push(new Push(post.groupingLabels(), post.families(), true, post.groupingInSeries()));
    }

    /** A delta push to {@code /metrics/job/api}. */
    PushResult delta(String body) throws PushRejectedException {
        return aggregator.push(push("/job/api", body));
    }

    PushResult post(String source, List<MetricFamily> families) throws PushRejectedException {
        return aggregator.push(new Push(GroupingPath.parse(sourcePath(source), false), families));
    }

    PushResult put(String source, List<MetricFamily> families) throws PushRejectedException {
        return aggregator.push(new Push(GroupingPath.parse(sourcePath(source), false), families, true));
    }

    /** Moves the clock on and runs the source expiry sweep. */
    long advance(Duration by) {
        now.addAndGet(by.toMillis());
        return aggregator.expireSources();
    }

    /** {@code DELETE /metrics/job/api/instance/<source>}. */
    long deleteSource(String source) throws PushRejectedException {
        return aggregator.forgetSources(GroupingPath.parse(sourcePath(source), true));
    }

    private Push push(String path, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Labels grouping = GroupingPath.parse(path, false);
        // as PushHandler: the parser adds the grouping labels the engine would add (not a source's), and the
        // push says when every series holds them
        return new Push(grouping, parser.decode(bytes, 0, bytes.length, aggregator.seriesGrouping(grouping), HeldLabels.NONE), false);
    }

    String exposition() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new TextFormatRenderer().render(aggregator.families(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
