package io.aggregationgateway.server.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which gauge mode each family has: rules {@code REGEX=MODE} tried in order, the first whose
 * regular expression matches the <em>whole</em> family name wins (anchored, as Prometheus anchors
 * its relabelling regexes); a family no rule matches has {@link GaugeMode#SUM}.
 */
public final class GaugeModes {
    public static final GaugeModes ALL_SUM = new GaugeModes(List.of());

    /** One rule: family names matching {@code pattern} have {@code mode}. */
    public record Rule(Pattern pattern, GaugeMode mode) {
        @Override
        public String toString() {
            return pattern.pattern() + "=" + mode.flagName();
        }
    }

    private final List<Rule> rules;

    public GaugeModes(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Rules written as {@code REGEX=MODE}, e.g. {@code .*_temperature_celsius=max}. The mode is
     * what follows the last {@code =}, so a regular expression may contain {@code =}.
     *
     * @throws IllegalArgumentException naming the rule that is not one
     */
    public static GaugeModes parse(List<String> written) {
        List<Rule> rules = new ArrayList<>(written.size());
        for (String rule : written) {
            int eq = rule.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("\"" + rule + "\" is not REGEX=MODE (e.g. .*_celsius=max)");
            }
            GaugeMode mode;
            try {
                mode = GaugeMode.parse(rule.substring(eq + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + rule + "\": " + e.getMessage());
            }
            try {
                rules.add(new Rule(Pattern.compile(rule.substring(0, eq)), mode));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("\"" + rule + "\": the regular expression is not valid: "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }
        return new GaugeModes(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The mode of the family named {@code family}: the first rule matching the whole name, else {@link GaugeMode#SUM}. */
    public GaugeMode modeOf(String family) {
        for (Rule rule : rules) {
            if (rule.pattern().matcher(family).matches()) {
                return rule.mode();
            }
        }
        return GaugeMode.SUM;
    }

    /** Whether every family adds up: no rule or only {@code sum} rules. */
    public boolean allSum() {
        return rules.stream().allMatch(rule -> rule.mode() == GaugeMode.SUM);
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
