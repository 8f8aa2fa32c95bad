package io.aggregationgateway.server.config;

import io.aggregationgateway.server.lifecycle.ResetSchedule;
import io.aggregationgateway.server.model.GaugeModes;
import io.aggregationgateway.server.model.MetricNames;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds the {@link GatewayConfig}. Every setting has a flag, an environment variable and a
 * key in the optional config file (a Java properties file whose keys are the flag names).
 * Precedence, highest first: flag, environment variable, config file, default.
 */
public final class ConfigLoader {
    /**
     * One setting: its flag name (without {@code --}), environment variable, default and help; a
     * secret one (a password, a key) is hidden wherever the configuration in force is shown.
     */
    record Option(String flag, String env, String defaultValue, String help, boolean repeatable, boolean secret,
                  ListSplitter splitter) {
        Option(String flag, String env, String defaultValue, String help, boolean repeatable, boolean secret) {
            this(flag, env, defaultValue, help, repeatable, secret, ConfigLoader::splitAtCommas);
        }

        Option(String flag, String env, String defaultValue, String help) {
            this(flag, env, defaultValue, help, false);
        }

        Option(String flag, String env, String defaultValue, String help, boolean repeatable) {
            this(flag, env, defaultValue, help, repeatable, false);
        }
    }

    /** How a repeatable setting's environment variable or config-file value splits into its values. */
    @FunctionalInterface
    interface ListSplitter {
        List<String> split(String value);
    }

    static final String CONFIG_FILE = "config-file";
    static final String AUTO = "auto";

    static final List<Option> OPTIONS = List.of(
            new Option("host", "GATEWAY_HOST", "0.0.0.0", "interface to listen on (0.0.0.0: all)"),
            new Option("port", "GATEWAY_PORT", "8080", "TCP port for HTTP/1.1, h2c and gRPC (TLS only, with a tls_server_config)"),
            new Option("max-body-bytes", "GATEWAY_MAX_BODY_BYTES", String.valueOf(16 * 1024 * 1024),
                    "largest push body accepted, in bytes, after gzip decoding (413 above it)"),
            new Option("grpc-max-message-bytes", "GATEWAY_GRPC_MAX_MESSAGE_BYTES", String.valueOf(16 * 1024 * 1024),
                    "largest gRPC request message accepted, in bytes (RESOURCE_EXHAUSTED above it)"),
            new Option("reset-cron", "GATEWAY_RESET_CRON", "",
                    "clear the whole aggregate on this schedule: Unix cron '*/5 * * * *' or Quartz with seconds '*/10 * * * * ?'"),
            new Option("reset-timezone", "GATEWAY_RESET_TIMEZONE", "UTC", "time zone of --reset-cron"),
            new Option("series-ttl", "GATEWAY_SERIES_TTL", "0",
                    "forget a series not pushed to for this long, e.g. 10m, 1h30m (0: never)"),
            new Option("max-series", "GATEWAY_MAX_SERIES", "1000000",
                    "most series held; a push needing more is refused whole with 429"),
            new Option("max-store-bytes", "GATEWAY_MAX_STORE_BYTES", AUTO,
                    "most heap the stored series may take, in bytes, as the gateway estimates it (labels, values, "
                            + "histogram buckets, names, help); a push needing more is refused whole with 429; "
                            + "auto: half the JVM's maximum heap"),
            new Option("max-labels-per-series", "GATEWAY_MAX_LABELS_PER_SERIES", "64",
                    "most labels per series, grouping labels included (400 above it)"),
            new Option("max-label-value-bytes", "GATEWAY_MAX_LABEL_VALUE_BYTES", "4096",
                    "longest label value in UTF-8 bytes (400 above it)"),
            new Option("source-label", "GATEWAY_SOURCE_LABEL", "",
                    "label that names a source, repeatable: a push whose grouping labels include every source label"
                            + " brings running totals from that source (the variable takes a comma-separated list)", true),
            new Option("source-ttl", "GATEWAY_SOURCE_TTL", "10m",
                    "forget a source that has not pushed for this long: its gauges go, what it added to counters"
                            + " and histograms stays (0: never)"),
            new Option("max-source-series", "GATEWAY_MAX_SOURCE_SERIES", "2000000",
                    "most (series, source) states held; a push needing more is refused whole with 429"),
            new Option("gauge-mode", "GATEWAY_GAUGE_MODE", "",
                    "REGEX=MODE, repeatable, first match on the whole family name wins: how gauge and untyped"
                            + " families combine values (sum, max, min, last, avg; default sum)"
                            + " (the variable takes a comma-separated list)", true, false, ConfigLoader::splitRules),
            new Option("cors-origin", "GATEWAY_CORS_ORIGIN", "",
                    "browser origin allowed to push, repeatable ('*' for any; the variable takes a comma-separated list)", true),
            new Option("cors-allow-credentials", "GATEWAY_CORS_ALLOW_CREDENTIALS", "false",
                    "let allowed origins push with credentials (cookies, HTTP auth; sendBeacon of non-text bodies)"),
            new Option("max-connections", "GATEWAY_MAX_CONNECTIONS", "10000",
                    "most connections open at once; more wait until one closes (lowered to what ulimit -n allows)"),
            new Option("idle-timeout", "GATEWAY_IDLE_TIMEOUT", "5m",
                    "close a connection with no request in progress for this long"),
            new Option("header-read-timeout", "GATEWAY_HEADER_READ_TIMEOUT", "10s",
                    "close a connection whose request line and headers (and TLS handshake, for its first) take longer than this to arrive"),
            new Option("web-config-file", "GATEWAY_WEB_CONFIG_FILE", "",
                    "exporter-toolkit web config (YAML: tls_server_config, basic_auth_users, http_server_config);"
                            + " re-read when it changes and on SIGHUP"),
            new Option("user-roles", "GATEWAY_USER_ROLES", "",
                    "roles of a web-config user, NAME=push,read,admin, repeatable (a user not named has every role)", true),
            new Option("public-push", "GATEWAY_PUBLIC_PUSH", "false",
                    "with basic_auth_users configured, let anyone push (POST/PUT, gRPC Push) without credentials"),
            new Option("public-read", "GATEWAY_PUBLIC_READ", "false",
                    "with basic_auth_users configured, let anyone scrape and read the status pages without credentials"),
            new Option("push-rate-limit", "GATEWAY_PUSH_RATE_LIMIT", "0",
                    "pushes per second per client address, e.g. 10 or 0.5 (0: no limit); over it 429 with Retry-After"),
            new Option("push-rate-burst", "GATEWAY_PUSH_RATE_BURST", "0",
                    "pushes a client may send at once before --push-rate-limit holds it back (0: the rate, at least 1)"),
            new Option("trusted-proxy", "GATEWAY_TRUSTED_PROXY", "",
                    "CIDR of a proxy whose X-Forwarded-For names the client (e.g. 10.0.0.0/8), repeatable", true),
            new Option("allow-metric", "GATEWAY_ALLOW_METRIC", "",
                    "regular expression a pushed family name must match whole, repeatable (none: any name); 400 otherwise", true),
            new Option("max-series-per-family", "GATEWAY_MAX_SERIES_PER_FAMILY", "0",
                    "most series one family may hold (0: only --max-series applies); a push needing more gets 429"),
            new Option("persistence-file", "GATEWAY_PERSISTENCE_FILE", "",
                    "keep the whole state in this file: loaded at start, written every --persistence-interval and on"
                            + " SIGTERM (none: the state lives in memory only and a restart starts empty)"),
            new Option("persistence-interval", "GATEWAY_PERSISTENCE_INTERVAL", "5m",
                    "how often the --persistence-file is written; a crash loses at most about this much"),
            new Option("persistence-ignore-invalid", "GATEWAY_PERSISTENCE_IGNORE_INVALID", "false",
                    "when the --persistence-file cannot be loaded (corrupt, truncated, of an unknown version), move it"
                            + " to FILE.invalid and start empty instead of refusing to start"),
            new Option("self-metrics", "GATEWAY_SELF_METRICS", "true",
                    "include the gateway's own aggregation_gateway_* metrics in GET /metrics"),
            new Option("log-level", "GATEWAY_LOG_LEVEL", "INFO",
                    "SEVERE, WARNING, INFO or FINE; rejected pushes are logged at INFO"),
            new Option(CONFIG_FILE, "GATEWAY_CONFIG_FILE", "",
                    "properties file with any of these settings, keys named like the flags"));

    private ConfigLoader() {
    }

    /** Whether the arguments ask for help. */
    public static boolean wantsHelp(String[] args) {
        return Arrays.stream(args).anyMatch(arg -> arg.equals("--help") || arg.equals("-h"));
    }

    public static GatewayConfig load(String[] args, Map<String, String> env) throws ConfigException {
        Map<String, List<String>> flags = parseFlags(args);
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<Setting> inForce = new ArrayList<>();
        String configFile = first(flags.get(CONFIG_FILE), env.get("GATEWAY_CONFIG_FILE"));
        Properties file = configFile == null || configFile.isBlank() ? new Properties() : readConfigFile(Path.of(configFile));
        for (String key : file.stringPropertyNames()) {
            if (option(key) == null) {
                throw new ConfigException("unknown setting \"" + key + "\" in config file " + configFile);
            }
        }
        for (Option option : OPTIONS) {
            List<String> value;
            Setting.Source source;
            if (flags.containsKey(option.flag())) {
                value = flags.get(option.flag());
                source = Setting.Source.FLAG;
            } else if (env.containsKey(option.env())) {
                value = splitRepeatable(option, env.get(option.env()));
                source = Setting.Source.ENVIRONMENT;
            } else if (file.containsKey(option.flag())) {
                value = splitRepeatable(option, file.getProperty(option.flag()));
                source = Setting.Source.CONFIG_FILE;
            } else {
                value = splitRepeatable(option, option.defaultValue());
                source = Setting.Source.DEFAULT;
            }
            values.put(option.flag(), value);
            inForce.add(new Setting(option.flag(), shownValues(value), source, option.secret()));
        }
        return build(values, inForce);
    }

    /** The values as given, trimmed, without empty ones: an unset setting has none. */
    private static List<String> shownValues(List<String> raw) {
        return raw.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static GatewayConfig build(Map<String, List<String>> values, List<Setting> inForce) throws ConfigException {
        ZoneId zone = zone(single(values, "reset-timezone"));
        String cron = single(values, "reset-cron");
        Optional<ResetSchedule> schedule = Optional.empty();
        if (!cron.isBlank()) {
            try {
                schedule = Optional.of(ResetSchedule.parse(cron, zone));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--reset-cron \"" + cron + "\" is not a valid cron expression: " + e.getMessage());
            }
        }
        return new GatewayConfig(
                single(values, "host"),
                (int) number(values, "port", 0, 65535),
                (int) number(values, "max-body-bytes", 1, Integer.MAX_VALUE - 8),
                (int) number(values, "grpc-max-message-bytes", 1, 1 << 30),
                schedule,
                duration(values, "series-ttl"),
                number(values, "max-series", 1, Long.MAX_VALUE),
                storeBytes(values),
                (int) number(values, "max-labels-per-series", 1, 10_000),
                (int) number(values, "max-label-value-bytes", 1, 1 << 20),
                values.get("cors-origin").stream().map(String::trim).filter(s -> !s.isEmpty()).toList(),
                bool(values, "self-metrics"),
                level(values, "log-level"),
                bool(values, "cors-allow-credentials"),
                (int) number(values, "max-connections", 1, 1_000_000),
                positiveDuration(values, "idle-timeout"),
                positiveDuration(values, "header-read-timeout"),
                sourceLabels(values),
                gaugeModes(values),
                duration(values, "source-ttl"),
                number(values, "max-source-series", 1, Long.MAX_VALUE),
                persistenceFile(values),
                positiveDuration(values, "persistence-interval"),
                bool(values, "persistence-ignore-invalid"),
                inForce,
                security(values));
    }

    private static SecuritySettings security(Map<String, List<String>> values) throws ConfigException {
        String webConfig = single(values, "web-config-file");
        double rate = decimal(values, "push-rate-limit", 0, 1e9);
        List<Pattern> allow = new ArrayList<>();
        for (String regex : shownValues(values.get("allow-metric"))) {
            try {
                allow.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new ConfigException("--allow-metric \"" + regex + "\" is not a regular expression: "
                        + e.getDescription() + " at index " + e.getIndex());
            }
        }
        return new SecuritySettings(webConfig.isEmpty() ? Optional.empty() : Optional.of(Path.of(webConfig)),
                userRoles(shownValues(values.get("user-roles"))),
                bool(values, "public-push"),
                bool(values, "public-read"),
                rate,
                (int) number(values, "push-rate-burst", 0, 1_000_000_000),
                shownValues(values.get("trusted-proxy")),
                allow,
                number(values, "max-series-per-family", 0, Long.MAX_VALUE));
    }

    /**
     * Reads {@code NAME=role,role} entries. A comma-separated variable or config-file value arrives
     * split at every comma, so a part without {@code =} continues the entry before it.
     */
    static Map<String, Set<String>> userRoles(List<String> parts) throws ConfigException {
        Map<String, Set<String>> roles = new LinkedHashMap<>();
        String user = null;
        for (String part : parts) {
            String rolePart = part;
            int eq = part.lastIndexOf('=');
            if (eq >= 0) {
                user = part.substring(0, eq).trim();
                rolePart = part.substring(eq + 1);
                if (user.isEmpty()) {
                    throw new ConfigException("--user-roles \"" + part + "\" names no user (expected NAME=push,read,admin)");
                }
                if (roles.containsKey(user)) {
                    throw new ConfigException("--user-roles names user \"" + user + "\" twice");
                }
                roles.put(user, new LinkedHashSet<>());
            } else if (user == null) {
                throw new ConfigException("--user-roles \"" + part + "\" is not NAME=push,read,admin");
            }
            for (String role : rolePart.split(",")) {
                String name = role.trim().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    continue;
                }
                if (!SecuritySettings.ROLES.contains(name)) {
                    throw new ConfigException("--user-roles for \"" + user + "\": unknown role \"" + role.trim()
                            + "\" (roles are push, read, admin)");
                }
                roles.get(user).add(name);
            }
        }
        Map<String, Set<String>> frozen = new LinkedHashMap<>();
        roles.forEach((name, set) -> frozen.put(name, Set.copyOf(set)));
        return frozen;
    }

    private static double decimal(Map<String, List<String>> values, String name, double min, double max) throws ConfigException {
        String raw = single(values, name);
        try {
            double value = Double.parseDouble(raw);
            if (!(value >= min && value <= max)) {
                throw new ConfigException("--" + name + " must be between " + (long) min + " and " + (long) max + ", got " + raw);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + name + " must be a number, got \"" + raw + "\"");
        }
    }

    private static Map<String, List<String>> parseFlags(String[] args) throws ConfigException {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException("unexpected argument \"" + arg + "\"");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = option(name);
            if (option == null) {
                throw new ConfigException("unknown flag --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("flag --" + name + " needs a value");
                }
                value = args[++i];
            }
            List<String> list = flags.computeIfAbsent(name, n -> new ArrayList<>());
            if (!option.repeatable()) {
                list.clear(); // the last occurrence wins, as with most command lines
            }
            list.add(value);
        }
        return flags;
    }

    private static Properties readConfigFile(Path path) throws ConfigException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
        }
        return properties;
    }

    private static Option option(String flag) {
        return OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst().orElse(null);
    }

    private static String first(List<String> fromFlags, String fromEnv) {
        return fromFlags != null ? fromFlags.get(fromFlags.size() - 1) : fromEnv;
    }

    private static List<String> splitRepeatable(Option option, String value) {
        return option.repeatable() ? option.splitter().split(value) : List.of(value);
    }

    private static List<String> splitAtCommas(String value) {
        return Arrays.asList(value.split(","));
    }

    /**
     * Rules {@code REGEX=MODE} separated by commas. A regular expression may hold a comma itself
     * ({@code a{1,3}}), so the list is cut only at a comma that ends a rule: one after {@code =MODE}.
     */
    static List<String> splitRules(String value) {
        List<String> rules = new ArrayList<>();
        StringBuilder rule = new StringBuilder();
        for (String piece : value.split(",", -1)) {
            if (!rule.isEmpty()) {
                rule.append(',');
            }
            rule.append(piece);
            if (piece.matches("(?s).*=\\s*(sum|max|min|last|avg)\\s*")) {
                rules.add(rule.toString());
                rule.setLength(0);
            }
        }
        if (!rule.toString().isBlank()) {
            rules.add(rule.toString()); // not a rule: the parser says why
        }
        return rules;
    }

    private static List<String> sourceLabels(Map<String, List<String>> values) throws ConfigException {
        List<String> names = shownValues(values.get("source-label"));
        for (String name : names) {
            if (!MetricNames.isValidLabelName(name) || name.equals("le")) {
                throw new ConfigException("--source-label \"" + name + "\" is not a label name a push can group by"
                        + " (must match [a-zA-Z_][a-zA-Z0-9_]*, not start with __, not be le)");
            }
        }
        return names.stream().distinct().toList();
    }

    private static Optional<Path> persistenceFile(Map<String, List<String>> values) throws ConfigException {
        String raw = single(values, "persistence-file");
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(raw);
            if (Files.isDirectory(path)) {
                throw new ConfigException("--persistence-file \"" + raw + "\" is a directory; name a file in it");
            }
            return Optional.of(path);
        } catch (InvalidPathException e) {
            throw new ConfigException("--persistence-file \"" + raw + "\" is not a file name: " + e.getReason());
        }
    }

    private static GaugeModes gaugeModes(Map<String, List<String>> values) throws ConfigException {
        try {
            return GaugeModes.parse(values.get("gauge-mode").stream().filter(s -> !s.isBlank()).toList());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--gauge-mode " + e.getMessage());
        }
    }

    private static String single(Map<String, List<String>> values, String name) {
        return values.get(name).get(0).trim();
    }

    private static long number(Map<String, List<String>> values, String name, long min, long max) throws ConfigException {
        String raw = single(values, name);
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                throw new ConfigException("--" + name + " must be between " + min + " and " + max + ", got " + raw);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + name + " must be a whole number, got \"" + raw + "\"");
        }
    }

    /**
     * The store's byte budget. By default half the maximum heap: the other half is for what requests
     * hold while they run (push bodies and their decoded form, a scrape's copy of the values and the
     * slices it renders), the JVM's own objects, and the room the garbage collector needs to work
     * without running back to back.
     */
    private static long storeBytes(Map<String, List<String>> values) throws ConfigException {
        if (single(values, "max-store-bytes").equalsIgnoreCase(AUTO)) {
            return Runtime.getRuntime().maxMemory() / 2;
        }
        return number(values, "max-store-bytes", 1, Long.MAX_VALUE);
    }

    private static boolean bool(Map<String, List<String>> values, String name) throws ConfigException {
        return switch (single(values, name).toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException("--" + name + " must be true or false, got \"" + single(values, name) + "\"");
        };
    }

    private static Level level(Map<String, List<String>> values, String name) throws ConfigException {
        String raw = single(values, name).toUpperCase(Locale.ROOT);
        return switch (raw) {
            case "SEVERE", "ERROR" -> Level.SEVERE;
            case "WARNING", "WARN" -> Level.WARNING;
            case "INFO" -> Level.INFO;
            case "FINE", "DEBUG" -> Level.FINE;
            default -> throw new ConfigException("--" + name + " must be SEVERE, WARNING, INFO or FINE, got \"" + raw + "\"");
        };
    }

    private static ZoneId zone(String raw) throws ConfigException {
        try {
            return ZoneId.of(raw);
        } catch (DateTimeException e) {
            throw new ConfigException("--reset-timezone \"" + raw + "\" is not a time zone (e.g. UTC, Europe/Berlin)");
        }
    }

    private static Duration duration(Map<String, List<String>> values, String name) throws ConfigException {
        String raw = single(values, name);
        try {
            return DurationParser.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--" + name + " \"" + raw + "\" is not a duration: " + e.getMessage());
        }
    }

    private static Duration positiveDuration(Map<String, List<String>> values, String name) throws ConfigException {
        Duration duration = duration(values, name);
        if (duration.isZero()) {
            throw new ConfigException("--" + name + " must be longer than 0");
        }
        return duration;
    }

    /** The text {@code --help} prints: every flag, its environment variable and default. */
    public static String help() {
        StringBuilder out = new StringBuilder("""
                Aggregation Gateway: Prometheus push gateway that adds up what senders push.

                Usage: java -jar aggregation-gateway.jar [flags]

                Every flag can also be set by its environment variable or in the --config-file.
                Precedence: flag, then environment variable, then config file, then default.

                """);
        for (Option option : OPTIONS) {
            String shown = option.defaultValue().isEmpty() ? "(none)" : option.defaultValue();
            out.append(String.format("  --%-26s %s%n  %-28s env %s, default %s%n",
                    option.flag() + " VALUE", option.help(), "", option.env(), shown));
        }
        out.append(String.format("  --%-26s %s%n", "help", "print this help and exit"));
        return out.toString();
    }
}
