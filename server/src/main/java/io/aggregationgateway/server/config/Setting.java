package io.aggregationgateway.server.config;

import java.util.List;

/**
 * One setting as the gateway runs with it, and where its value came from: what the status page
 * and {@code GET /api/v1/status} show as the configuration in force. Everything that displays a
 * setting goes through {@link #shown()}, so a secret one is never displayed.
 *
 * @param name   the flag name without {@code --}, which is also the config-file key
 * @param values the value, or each value of a repeatable setting; empty for none
 * @param source where the value came from
 * @param secret whether the value must not be displayed (passwords, keys)
 */
public record Setting(String name, List<String> values, Source source, boolean secret) {
    /** What displays in place of a secret value. */
    public static final String HIDDEN = "(hidden)";

    public Setting {
        values = List.copyOf(values);
    }

    /** Where a setting's value came from, highest precedence first. */
    public enum Source {
        FLAG("flag"), ENVIRONMENT("environment"), CONFIG_FILE("config file"), DEFAULT("default");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        /** How the status page and the JSON API name it. */
        public String label() {
            return label;
        }
    }

    /** The value as an operator may see it: {@value #HIDDEN} for a secret, values joined by ", ". */
    public String shown() {
        return secret ? HIDDEN : String.join(", ", values);
    }
}
