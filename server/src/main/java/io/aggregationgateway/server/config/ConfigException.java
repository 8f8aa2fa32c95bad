package io.aggregationgateway.server.config;

/** Configuration that cannot be used; the message names the setting and says why. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
