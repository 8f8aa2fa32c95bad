package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.DecodedFamilies;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;

import java.util.List;

/**
 * Decodes a push body of any accepted format into the model. The decoders enforce the label
 * limit while they read, before they sort a sample's labels: the engine checks it again with
 * the grouping labels added, but by then a huge label set would have been sorted already.
 */
public final class PushDecoder {
    private final TextFormatParser text;
    private final TextFormatParser openMetrics;
    private final ProtobufDecoder protobuf;

    /** @param maxLabelsPerSeries most labels one series of the body may carry ({@code --max-labels-per-series}) */
    public PushDecoder(int maxLabelsPerSeries) {
        this.text = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4, maxLabelsPerSeries);
        this.openMetrics = new TextFormatParser(TextFormatParser.Dialect.OPENMETRICS_1_0_0, maxLabelsPerSeries);
        this.protobuf = new ProtobufDecoder(maxLabelsPerSeries, true);
    }

    public List<MetricFamily> decode(PushFormat format, byte[] body) throws PushRejectedException {
        return decode(format, body, Labels.EMPTY);
    }

    /**
     * Decodes a body pushed to the group {@code grouping}. The series' labels may carry the grouping
     * labels already, added while they were built; the engine adds them where
     * they do not, so the push means the same either way, and rejections read as without them.
     */
    public List<MetricFamily> decode(PushFormat format, byte[] body, Labels grouping) throws PushRejectedException {
        return decode(format, body, grouping, HeldLabels.NONE).families();
    }

    /**
     * As {@link #decode(PushFormat, byte[], Labels)}, saying when every series' labels hold the grouping
     * labels (not when a series carries a label of a grouping label's name: it keeps its labels as
     * pushed). The text formats also hand over {@code held}'s label set for a series it has (a store's
     * series pushed again), rather than build an equal one.
     */
    public DecodedFamilies decode(PushFormat format, byte[] body, Labels grouping, HeldLabels held)
            throws PushRejectedException {
        return switch (format) {
            case TEXT -> text.decode(body, 0, body.length, grouping, held);
            case OPENMETRICS -> openMetrics.decode(body, 0, body.length, grouping, held);
            case PROTOBUF -> protobuf.decode(body, 0, body.length, grouping);
        };
    }
}
