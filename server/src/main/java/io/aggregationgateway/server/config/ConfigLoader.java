package io.aggregationgateway.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link GatewayConfig} from command-line flags and environment variables.
 * Precedence, highest first: flag, environment variable, default.
 */
public final class ConfigLoader {
    /** One setting: its flag name (without {@code --}), environment variable, default and help. */
    record Option(String flag, String env, String defaultValue, String help) {
    }

    static final List<Option> OPTIONS = List.of(
            new Option("host", "GATEWAY_HOST", "0.0.0.0", "interface to listen on (0.0.0.0: all)"),
            new Option("port", "GATEWAY_PORT", "8080", "TCP port for HTTP/1.1, h2c and gRPC"),
            new Option("max-body-bytes", "GATEWAY_MAX_BODY_BYTES", String.valueOf(16 * 1024 * 1024),
                    "largest push body accepted, in bytes (after gzip decoding)"),
            new Option("grpc-max-message-bytes", "GATEWAY_GRPC_MAX_MESSAGE_BYTES", String.valueOf(16 * 1024 * 1024),
                    "largest gRPC request message accepted, in bytes"));

    private ConfigLoader() {
    }

    /** Whether the arguments ask for help. */
    public static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    public static GatewayConfig load(String[] args, Map<String, String> env) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            values.put(option.flag(), env.getOrDefault(option.env(), option.defaultValue()));
        }
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
            if (!values.containsKey(name)) {
                throw new ConfigException("unknown flag --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("flag --" + name + " needs a value");
                }
                value = args[++i];
            }
            values.put(name, value);
        }
        return new GatewayConfig(
                values.get("host"),
                intSetting(values, "port", 0, 65535),
                intSetting(values, "max-body-bytes", 1, Integer.MAX_VALUE - 8),
                intSetting(values, "grpc-max-message-bytes", 1, 1 << 30));
    }

    private static int intSetting(Map<String, String> values, String name, int min, int max) throws ConfigException {
        String raw = values.get(name).trim();
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new ConfigException("--" + name + " must be between " + min + " and " + max + ", got " + raw);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + name + " must be a whole number, got \"" + raw + "\"");
        }
    }

    /** The text {@code --help} prints: every flag, its environment variable and default. */
    public static String help() {
        StringBuilder out = new StringBuilder("""
                Aggregation Gateway: Prometheus push gateway that adds up what senders push.

                Usage: java -jar aggregation-gateway.jar [flags]

                Every flag can also be set by its environment variable; a flag wins over the
                variable, the variable over the default.

                """);
        for (Option option : OPTIONS) {
            out.append(String.format("  --%-22s %s%n  %-24s env %s, default %s%n",
                    option.flag() + " VALUE", option.help(), "", option.env(), option.defaultValue()));
        }
        out.append(String.format("  --%-22s %s%n", "help", "print this help and exit"));
        return out.toString();
    }
}
