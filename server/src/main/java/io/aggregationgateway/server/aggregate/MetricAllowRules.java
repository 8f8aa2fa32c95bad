package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which family names a push may carry: each must match one of the patterns whole. A push with a
 * family that matches none is refused whole, naming that family. No patterns: any name.
 */
public final class MetricAllowRules {
    /** Accepts every name. */
    public static final MetricAllowRules ANY = new MetricAllowRules(List.of());

    private final List<Pattern> patterns;

    private MetricAllowRules(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** @param patterns each matched against the whole family name; empty accepts every name */
    public static MetricAllowRules of(List<Pattern> patterns) {
        return patterns.isEmpty() ? ANY : new MetricAllowRules(patterns);
    }

    /** Whether {@code name} matches a pattern whole (always, without patterns). */
    public boolean allows(String name) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (Pattern pattern : patterns) {
            if (pattern.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** @throws PushRejectedException naming the first family of the push that no pattern allows */
    void check(Push push) throws PushRejectedException {
        if (patterns.isEmpty()) {
            return;
        }
        for (MetricFamily family : push.families()) {
            if (!allows(family.name())) {
                throw new PushRejectedException(RejectionReason.NOT_ALLOWED, "family " + family.name()
                        + ": not allowed here, its name matches no --allow-metric pattern ("
                        + patterns.stream().map(Pattern::pattern).collect(Collectors.joining(", ")) + ")");
            }
        }
    }
}
