package io.aggregationgateway.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may do what, and how much: the settings of TLS, users, roles, push rate limits and the
 * rules on what may be pushed.
 *
 * @param webConfigFile      the exporter-toolkit web config file (TLS, users, response headers), if any
 * @param userRoles          roles of the users named here ({@code push}, {@code read}, {@code admin}); a
 *                           user of the web config file not named here has every role
 * @param publicPush         with users configured, whether anyone may push without credentials
 * @param publicRead         with users configured, whether anyone may scrape and read the status pages
 * @param pushRateLimit      pushes per second allowed per client address; 0 for no limit
 * @param pushRateBurst      pushes a client may send at once on top of the rate; 0 for the default
 * @param trustedProxies     CIDRs of proxies whose {@code X-Forwarded-For} names the client, as given
 * @param allowMetrics       patterns a pushed family name must match one of, whole; empty for any name
 * @param maxSeriesPerFamily most series one family may hold; 0 for no limit besides the store's
 */
public record SecuritySettings(Optional<Path> webConfigFile, Map<String, Set<String>> userRoles, boolean publicPush,
                               boolean publicRead, double pushRateLimit, int pushRateBurst, List<String> trustedProxies,
                               List<Pattern> allowMetrics, long maxSeriesPerFamily) {
    /** The role names {@code --user-roles} takes. */
    public static final Set<String> ROLES = Set.of("push", "read", "admin");

    public SecuritySettings {
        userRoles = Map.copyOf(userRoles);
        trustedProxies = List.copyOf(trustedProxies);
        allowMetrics = List.copyOf(allowMetrics);
    }

    /** No web config, no limits: everything open, as without any of these flags. */
    public static SecuritySettings open() {
        return new SecuritySettings(Optional.empty(), Map.of(), false, false, 0, 0, List.of(), List.of(), 0);
    }
}
