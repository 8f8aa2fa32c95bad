package io.aggregationgateway.server.selfmetrics;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.SeriesView;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GatewayMetricsTest {
    private final GatewayMetrics metrics = new GatewayMetrics(() -> 0, () -> 0, () -> 0, Optional::empty, Optional::empty);

    @Test
    void nothingCountedShowsNoPushFamilies() {
        assertEquals(Map.of(), samples("pushes_total"));
        assertEquals(Map.of(), samples("rejections_total"));
        assertEquals(Map.of(), samples("received_bytes_total"));
        assertEquals(PushCounts.NONE, metrics.counts());
    }

    @Test
    void eachFormatShowsTheResultsItHadAndItsBytes() {
        metrics.recordPush("text", 100, null);
        metrics.recordPush("text", 50, null);
        metrics.recordPush("grpc", 7, RejectionReason.INVALID_VALUE);
        metrics.recordPush("protobuf", 0, RejectionReason.TOO_LARGE);
        metrics.recordPush("grpc", 3, RejectionReason.INVALID_VALUE);

        assertEquals(Map.of(
                "{format=\"grpc\",result=\"rejected\"}", 2.0,
                "{format=\"protobuf\",result=\"rejected\"}", 1.0,
                "{format=\"text\",result=\"accepted\"}", 2.0), samples("pushes_total"));
        assertEquals(Map.of(
                "{format=\"grpc\"}", 10.0,
                "{format=\"protobuf\"}", 0.0, // shown once the format was pushed, even with no bytes
                "{format=\"text\"}", 150.0), samples("received_bytes_total"));
        assertEquals(Map.of(
                "{reason=\"invalid_value\"}", 2.0,
                "{reason=\"too_large\"}", 1.0), samples("rejections_total"));
        assertEquals(new PushCounts(Map.of("text", 2L), Map.of("grpc", 2L, "protobuf", 1L),
                Map.of("invalid_value", 2L, "too_large", 1L)), metrics.counts());
    }

    /** A family's samples by their labels as written in the text format, in its order. */
    private Map<String, Double> samples(String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (FamilyView family : metrics.ownFamilies()) {
            if (family.name().equals(GatewayMetrics.PREFIX + name)) {
                List<SeriesView> series = family.series();
                for (SeriesView s : series) {
                    out.put(s.labels().toString(), ((ScalarView) s).value());
                }
            }
        }
        return out;
    }
}
