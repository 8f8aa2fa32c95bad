package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;

import java.util.List;

/** Decodes a push body of any accepted format into the model. */
public final class PushDecoder {
    private final TextFormatParser text = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    private final TextFormatParser openMetrics = new TextFormatParser(TextFormatParser.Dialect.OPENMETRICS_1_0_0);
    private final ProtobufDecoder protobuf;

    /** A decoder that leaves the label limit to the engine. */
    public PushDecoder() {
        this(Integer.MAX_VALUE);
    }

    /**
     * @param maxLabelsPerSeries most labels with a value one pushed series may carry
     *                           ({@code --max-labels-per-series}), enforced while reading
     */
    public PushDecoder(int maxLabelsPerSeries) {
        this.protobuf = new ProtobufDecoder(maxLabelsPerSeries);
    }

    public List<MetricFamily> decode(PushFormat format, byte[] body) throws PushRejectedException {
        return switch (format) {
            case TEXT -> text.parse(body, 0, body.length);
            case OPENMETRICS -> openMetrics.parse(body, 0, body.length);
            case PROTOBUF -> protobuf.decodeDelimited(body, 0, body.length);
        };
    }
}
