package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.Bucket;
import io.aggregationgateway.proto.metrics.Histogram;
import io.aggregationgateway.proto.metrics.Metric;
import io.aggregationgateway.proto.metrics.MetricFamily;
import io.aggregationgateway.proto.metrics.MetricType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.OptionalDouble;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * uint64 counts above 2^63 (negative as a Java long) become doubles the way the gateway turns
 * the counts of protobuf pushes into doubles: rounded to the nearest, ties to even. So a count
 * the text transport spells out reads the same as the protobuf push of that count.
 */
class UnsignedCountsTest {
    /** 2^63 + 2^10 + 1: just above half-way between two doubles, which truncating the halved value rounds down. */
    private static final long JUST_ABOVE_HALF = 0x8000_0000_0000_0401L;

    private static double exact(long uint64) {
        return new BigDecimal(Long.toUnsignedString(uint64)).doubleValue(); // correctly rounded, ties to even
    }

    @Test
    void roundsToTheNearestDoubleTiesToEven() {
        long[] edges = {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1, JUST_ABOVE_HALF,
                0x8000_0000_0000_0400L, // exactly half-way, ties to the even 2^63
                0x8000_0000_0000_0C00L, // exactly half-way, ties to the even 2^63 + 2^12
                0x8000_0000_0000_07FFL, 0xFFFF_FFFF_FFFF_FBFFL, 0xFFFF_FFFF_FFFF_FC00L};
        for (long value : edges) {
            assertEquals(exact(value), Counts.unsigned(value), Long.toUnsignedString(value));
        }
        Random random = new Random(64);
        for (int i = 0; i < 100_000; i++) {
            long value = random.nextLong();
            assertEquals(exact(value), Counts.unsigned(value), Long.toUnsignedString(value));
        }
        assertEquals(0x1p63 + 0x1p11, Counts.unsigned(JUST_ABOVE_HALF));
    }

    @Test
    void aHugeCountPushedAsTextReadsAsTheSamePushedAsProtobuf() throws Exception {
        MetricFamily huge = MetricFamily.newBuilder().setName("h").setType(MetricType.HISTOGRAM)
                .addMetric(Metric.newBuilder().setHistogram(Histogram.newBuilder()
                        .setSampleCount(JUST_ABOVE_HALF).setSampleSum(1)
                        .addBucket(Bucket.newBuilder().setUpperBound(1).setCumulativeCount(JUST_ABOVE_HALF)))).build();
        try (InProcessGateway gateway = new InProcessGateway("--self-metrics", "false")) {
            for (Transport transport : new Transport[]{Transport.HTTP_TEXT, Transport.HTTP_PROTOBUF}) {
                try (PushClient client = PushClient.builder().target(gateway.address()).transport(transport)
                        .job(transport.name()).source(Fixtures.increments(huge)).build()) {
                    client.push();
                }
            }
            for (String series : new String[]{"h_count{job=\"%s\"}", "h_bucket{job=\"%s\",le=\"1.0\"}"}) {
                OptionalDouble protobuf = gateway.value(series.formatted("HTTP_PROTOBUF"));
                assertEquals(OptionalDouble.of(0x1p63 + 0x1p11), protobuf, gateway::scrape);
                assertEquals(protobuf, gateway.value(series.formatted("HTTP_TEXT")), gateway::scrape);
            }
        }
    }
}
