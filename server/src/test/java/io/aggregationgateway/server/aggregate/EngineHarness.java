package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.expose.RenderWorkers;
import io.aggregationgateway.server.expose.TextFormatRenderer;
import io.aggregationgateway.server.ingest.GroupingPath;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Drives the engine the way the HTTP adapter does: text body + grouping path in, text exposition out. */
final class EngineHarness {
    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    final Aggregator aggregator = new Aggregator("aggregation_gateway_");

    PushResult push(String groupingPath, String body) throws PushRejectedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Labels grouping = GroupingPath.parse(groupingPath, false);
        // as PushHandler: the parser adds the grouping labels the engine would add, and hands over the
        // store's label sets for series it holds, and the push says when every series holds the grouping labels
        return aggregator.push(new Push(grouping, parser.decode(bytes, 0, bytes.length, aggregator.seriesGrouping(grouping),
                aggregator.heldLabels()), false));
    }

    PushResult push(String body) throws PushRejectedException {
        return push("", body);
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

    /** The store as text 1.0.0 shows it: names as they are. */
    String utf8Exposition() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new TextFormatRenderer().render(aggregator.families(), out, RenderWorkers.NONE, NameEscaping.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
