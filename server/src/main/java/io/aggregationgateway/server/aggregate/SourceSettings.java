package io.aggregationgateway.server.aggregate;

import java.time.Duration;
import java.util.List;

/**
 * How the engine recognises and keeps sources: long-lived senders that push running totals.
 *
 * @param labelNames label names that mark a cumulative push: a push whose grouping labels include
 *                   every one of them comes from the source its grouping labels name; none for no sources
 * @param ttl        a source that has not pushed for this long is forgotten; {@link Duration#ZERO} for never
 * @param maxStates  most (series, source) states held; a push that would need more is refused whole
 */
public record SourceSettings(List<String> labelNames, Duration ttl, long maxStates) {
    /** No source labels: every push is a delta push. */
    public static final SourceSettings NONE = new SourceSettings(List.of(), Duration.ZERO, Long.MAX_VALUE);

    public SourceSettings {
        labelNames = List.copyOf(labelNames);
    }

    public boolean enabled() {
        return !labelNames.isEmpty();
    }

    boolean expires() {
        return !ttl.isZero();
    }
}
