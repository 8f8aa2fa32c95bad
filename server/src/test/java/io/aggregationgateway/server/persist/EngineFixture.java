package io.aggregationgateway.server.persist;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.aggregate.EngineSettings;
import io.aggregationgateway.server.aggregate.SourceSettings;
import io.aggregationgateway.server.expose.ProtobufRenderer;
import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NativeBuckets;
import io.aggregationgateway.server.model.NativeHistogram;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine as the gateway builds it, with a clock the test moves: series TTL 1 h, source label
 * {@code instance} (or none), source TTL 10 min, gauge modes for {@code g_max}, {@code g_min},
 * {@code g_last} and {@code g_avg}. Sources push to {@code /job/api/instance/<name>}.
 */
final class EngineFixture {
    static final Duration SERIES_TTL = Duration.ofHours(1);
    static final Duration SOURCE_TTL = Duration.ofMinutes(10);
    static final GaugeModes MODES = GaugeModes.parse(List.of("g_max=max", "g_min=min", "g_last=last", "g_avg=avg"));

    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    final AtomicLong now;
    final Aggregator aggregator;

    /** With the source label {@code instance}. */
    EngineFixture() {
        this(List.of("instance"), new AtomicLong(1_700_000_000_000L));
    }

    /** @param sourceLabels none for an engine without sources */
    EngineFixture(List<String> sourceLabels, AtomicLong now) {
        this.now = now;
        aggregator = new Aggregator(new EngineSettings("aggregation_gateway_", Long.MAX_VALUE, 64, 4096, SERIES_TTL),
                MODES, sourceLabels.isEmpty() ? SourceSettings.NONE : new SourceSettings(sourceLabels, SOURCE_TTL, Long.MAX_VALUE),
                now::get);
    }

    /** Another engine on the same clock, as a restarted gateway with these source labels builds it. */
    EngineFixture restarted(List<String> sourceLabels) {
        return new EngineFixture(sourceLabels, now);
    }

    void delta(String path, String body) throws PushRejectedException {
        aggregator.push(push(path, body, false));
    }

    void source(String name, String body) throws PushRejectedException {
        aggregator.push(push("/job/api/instance/" + name, body, false));
    }

    void sourcePut(String name, String body) throws PushRejectedException {
        aggregator.push(push("/job/api/instance/" + name, body, true));
    }

    void push(String path, List<MetricFamily> families) throws PushRejectedException {
        aggregator.push(new Push(GroupingPath.parse(path, false), families));
    }

    private Push push(String path, String body, boolean replace) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new Push(GroupingPath.parse(path, false), parser.parse(bytes, 0, bytes.length), replace);
    }

    void advance(Duration by) {
        now.addAndGet(by.toMillis());
    }

    String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new TextFormatRenderer().render(aggregator.families(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The protobuf scrape as hex: it carries native buckets, which the text leaves out. */
    String protobuf() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new ProtobufRenderer().render(aggregator.families(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(out.toByteArray());
    }

    /** Fills the engine with every kind of state a snapshot holds, over a few minutes of the clock. */
    EngineFixture withEveryKindOfState() throws PushRejectedException {
        delta("/job/api", """
                # HELP jobs_total Jobs done, with "quotes", a \\\\ and ünïcödé.\\nSecond line.
                # TYPE jobs_total counter
                jobs_total{queue="mail"} 3
                jobs_total{queue="sms",region="eu-west-1"} 4.5
                # TYPE temperature gauge
                temperature{room="a"} 21.5
                temperature{room="b"} -0.0
                # TYPE g_max gauge
                g_max 5
                # TYPE g_last untyped
                g_last 1
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 2
                latency_seconds_bucket{le="1"} 3
                latency_seconds_bucket{le="+Inf"} 4
                latency_seconds_sum 2.25
                latency_seconds_count 4
                """);
        advance(Duration.ofSeconds(30));
        delta("/job/api", """
                # TYPE g_max gauge
                g_max 7
                # TYPE g_avg gauge
                g_avg 2
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.5"} 1
                latency_seconds_bucket{le="+Inf"} 1
                latency_seconds_sum 0.3
                latency_seconds_count 1
                """);
        source("pod-1", """
                # TYPE jobs_total counter
                jobs_total{queue="mail"} 10
                # TYPE temperature gauge
                temperature{room="a"} 3
                # TYPE g_max gauge
                g_max 9
                # TYPE g_min gauge
                g_min 4
                # TYPE g_last untyped
                g_last 2
                # TYPE g_avg gauge
                g_avg 6
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 5
                latency_seconds_bucket{le="+Inf"} 7
                latency_seconds_sum 1.5
                latency_seconds_count 7
                """);
        advance(Duration.ofSeconds(20));
        source("pod-2", """
                # TYPE jobs_total counter
                jobs_total{queue="mail"} 1
                jobs_total{queue="new"} 2
                # TYPE g_last untyped
                g_last 8
                # TYPE g_min gauge
                g_min 3
                """);
        source("pod-1", """
                # TYPE jobs_total counter
                jobs_total{queue="mail"} 12
                # TYPE g_last untyped
                g_last 4
                """);
        source("gone", """
                # TYPE temperature gauge
                temperature{room="c"} 9
                """);
        aggregator.forgetSources(GroupingPath.parse("/job/api/instance/gone", true));
        push("/job/native", List.of(
                new MetricFamily("rpc_seconds", MetricType.HISTOGRAM, "RPC latency.", List.of(
                        nativeHistogram(Labels.of("method", "get"), false, true),
                        nativeHistogram(Labels.of("method", "put"), true, false))),
                new MetricFamily("queue_size", MetricType.GAUGE_HISTOGRAM, "", List.of(
                        nativeHistogram(Labels.of("queue", "a"), false, false)))));
        advance(Duration.ofSeconds(10));
        aggregator.push(new Push(GroupingPath.parse("/job/api/instance/pod-3", false), List.of(
                new MetricFamily("rpc_seconds", MetricType.HISTOGRAM, "", List.of(
                        nativeHistogram(Labels.of("method", "get"), false, false))))));
        advance(Duration.ofSeconds(5));
        return this;
    }

    /** The state a gateway without sources holds: plain gauges and untyped, which add up in their own cells. */
    EngineFixture withPlainState() throws PushRejectedException {
        delta("/job/plain", """
                # TYPE depth gauge
                depth{q="a"} 2
                depth{q="b"} -0.0
                # TYPE things untyped
                things 3
                # TYPE g_max gauge
                g_max 4
                """);
        advance(Duration.ofSeconds(3));
        delta("/job/plain", """
                # TYPE depth gauge
                depth{q="a"} 1.25
                # TYPE g_max gauge
                g_max 2
                """);
        return this;
    }

    /**
     * A native histogram with positive and negative buckets and a zero bucket.
     *
     * @param floats      float counts rather than integer
     * @param withClassic classic buckets alongside
     */
    static NativeHistogram nativeHistogram(Labels labels, boolean floats, boolean withClassic) {
        NativeBuckets positive = new NativeBuckets(new int[] {-3, -2, 0, 5}, new double[] {1, 2, floats ? 0.5 : 3, 1});
        NativeBuckets negative = new NativeBuckets(new int[] {1}, new double[] {2});
        double zeroCount = 1;
        double count = zeroCount + positive.total() + negative.total();
        ClassicHistogram classic = withClassic
                ? new ClassicHistogram(labels, new double[] {0.5, 1, Double.POSITIVE_INFINITY}, new double[] {4, 6, count}, count, 1.75)
                : null;
        return new NativeHistogram(labels, 3, 0.001, zeroCount, count, 1.75, positive, negative, floats, classic);
    }
}
