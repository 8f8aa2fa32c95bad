package io.aggregationgateway.server.config;

import io.aggregationgateway.server.model.GaugeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults() throws Exception {
        GatewayConfig config = ConfigLoader.load(new String[0], Map.of());
        assertEquals("0.0.0.0", config.host());
        assertEquals(8080, config.port());
        assertEquals(16 * 1024 * 1024, config.maxBodyBytes());
        assertEquals(16 * 1024 * 1024, config.maxGrpcMessageBytes());
        assertTrue(config.resetSchedule().isEmpty());
        assertEquals(Duration.ZERO, config.seriesTtl());
        assertEquals(1_000_000, config.maxSeries());
        assertEquals(List.of(), config.corsOrigins());
        assertTrue(config.selfMetrics());
        assertEquals(Level.INFO, config.logLevel());
        assertFalse(config.corsAllowCredentials());
        assertEquals(10_000, config.maxConnections());
        assertEquals(Duration.ofMinutes(5), config.idleTimeout());
        assertEquals(Duration.ofSeconds(10), config.headerReadTimeout());
        assertEquals(List.of(), config.sourceLabels());
        assertEquals(Duration.ofMinutes(10), config.sourceTtl());
        assertEquals(2_000_000, config.maxSourceSeries());
        assertEquals(List.of(), config.gaugeModes().rules());
        assertTrue(config.persistenceFile().isEmpty(), "persistence is off by default");
        assertEquals(Duration.ofMinutes(5), config.persistenceInterval());
        assertFalse(config.persistenceIgnoreInvalid());
    }

    @Test
    void persistenceFromFlagsEnvironmentAndFile() throws Exception {
        GatewayConfig flags = ConfigLoader.load(new String[] {"--persistence-file", dir.resolve("state.snap").toString(),
                "--persistence-interval", "30s", "--persistence-ignore-invalid", "true"}, Map.of());
        assertEquals(dir.resolve("state.snap"), flags.persistenceFile().orElseThrow());
        assertEquals(Duration.ofSeconds(30), flags.persistenceInterval());
        assertTrue(flags.persistenceIgnoreInvalid());

        GatewayConfig env = ConfigLoader.load(new String[0], Map.of("GATEWAY_PERSISTENCE_FILE", "/var/lib/gw/state",
                "GATEWAY_PERSISTENCE_INTERVAL", "1h"));
        assertEquals(Path.of("/var/lib/gw/state"), env.persistenceFile().orElseThrow());
        assertEquals(Duration.ofHours(1), env.persistenceInterval());

        Path file = Files.writeString(dir.resolve("p.properties"), "persistence-file=relative.snap\n");
        assertEquals(Path.of("relative.snap"), ConfigLoader.load(new String[] {"--config-file", file.toString()}, Map.of())
                .persistenceFile().orElseThrow());
    }

    @Test
    void aPersistenceFileThatIsADirectoryIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--persistence-file", dir.toString()}, Map.of()));
        assertEquals("--persistence-file \"" + dir + "\" is a directory; name a file in it", e.getMessage());
    }

    @Test
    void connectionSettingsComeFromFlagsEnvironmentAndFile() throws Exception {
        Path file = Files.writeString(dir.resolve("connections.properties"), "idle-timeout=90s\ncors-allow-credentials=true\n");
        GatewayConfig config = ConfigLoader.load(new String[] {"--max-connections", "500", "--config-file", file.toString()},
                Map.of("GATEWAY_HEADER_READ_TIMEOUT", "2s"));
        assertEquals(500, config.maxConnections());
        assertEquals(Duration.ofSeconds(90), config.idleTimeout());
        assertEquals(Duration.ofSeconds(2), config.headerReadTimeout());
        assertTrue(config.corsAllowCredentials());
    }

    @Test
    void theStoreBudgetIsHalfTheHeapUnlessSet() throws Exception {
        assertEquals(Runtime.getRuntime().maxMemory() / 2, ConfigLoader.load(new String[0], Map.of()).maxStoreBytes());
        assertEquals(Runtime.getRuntime().maxMemory() / 2,
                ConfigLoader.load(new String[] {"--max-store-bytes", "AUTO"}, Map.of()).maxStoreBytes());
        assertEquals(123_456_789, ConfigLoader.load(new String[0], Map.of("GATEWAY_MAX_STORE_BYTES", "123456789"))
                .maxStoreBytes());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--max-store-bytes", "1g"}, Map.of()));
        assertEquals("--max-store-bytes must be a whole number, got \"1g\"", e.getMessage());
    }

    @Test
    void sourcesAndGaugeModesFromFlagsEnvironmentAndFile() throws Exception {
        GatewayConfig flags = ConfigLoader.load(new String[] {"--source-label", "instance", "--source-label=pod",
                "--gauge-mode", ".*_celsius=max", "--gauge-mode", "queue_.*=avg", "--source-ttl", "90s",
                "--max-source-series", "5000"}, Map.of());
        assertEquals(List.of("instance", "pod"), flags.sourceLabels());
        assertEquals(GaugeMode.MAX, flags.gaugeModes().modeOf("room_celsius"));
        assertEquals(GaugeMode.AVG, flags.gaugeModes().modeOf("queue_depth"));
        assertEquals(GaugeMode.SUM, flags.gaugeModes().modeOf("room_celsius_total_x"), "the regex matches whole names");
        assertEquals(Duration.ofSeconds(90), flags.sourceTtl());
        assertEquals(5000, flags.maxSourceSeries());

        // the variable's list is cut at commas that end a rule; a regex may hold commas itself
        GatewayConfig env = ConfigLoader.load(new String[0], Map.of("GATEWAY_SOURCE_LABEL", "instance, pod",
                "GATEWAY_GAUGE_MODE", "a{1,3}=min,b=last"));
        assertEquals(List.of("instance", "pod"), env.sourceLabels());
        assertEquals("[a{1,3}=min, b=last]", env.gaugeModes().toString());
        assertEquals(GaugeMode.MIN, env.gaugeModes().modeOf("aaa"));

        Path file = Files.writeString(dir.resolve("sources.properties"), "source-label=instance\ngauge-mode=x=last\n");
        GatewayConfig fromFile = ConfigLoader.load(new String[] {"--config-file", file.toString()}, Map.of());
        assertEquals(List.of("instance"), fromFile.sourceLabels());
        assertEquals(GaugeMode.LAST, fromFile.gaugeModes().modeOf("x"));
    }

    @Test
    void precedenceIsFlagThenEnvironmentThenFileThenDefault() throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.properties"), """
                # every key is a flag name
                port=7000
                host=10.0.0.1
                max-series=500
                series-ttl=10m
                cors-origin=https://file.example,https://other.example
                """);
        Map<String, String> env = Map.of("GATEWAY_CONFIG_FILE", file.toString(), "GATEWAY_PORT", "9000", "GATEWAY_HOST", "127.0.0.1");
        GatewayConfig config = ConfigLoader.load(new String[] {"--port", "9100"}, env);
        assertEquals(9100, config.port(), "flag beats environment");
        assertEquals("127.0.0.1", config.host(), "environment beats file");
        assertEquals(500, config.maxSeries(), "file beats default");
        assertEquals(Duration.ofMinutes(10), config.seriesTtl());
        assertEquals(List.of("https://file.example", "https://other.example"), config.corsOrigins());
        assertEquals(8080, ConfigLoader.load(new String[] {"--config-file", file.toString(), "--port", "8080"}, Map.of()).port());
    }

    @Test
    void repeatableAndBooleanAndScheduleSettings() throws Exception {
        GatewayConfig config = ConfigLoader.load(new String[] {
                "--cors-origin", "https://a.example", "--cors-origin=https://b.example", "--self-metrics", "false",
                "--reset-cron", "*/10 * * * * ?", "--reset-timezone", "Europe/Berlin", "--log-level", "warning"}, Map.of());
        assertEquals(List.of("https://a.example", "https://b.example"), config.corsOrigins());
        assertFalse(config.selfMetrics());
        assertEquals("*/10 * * * * ? (Europe/Berlin)", config.resetSchedule().orElseThrow().toString());
        assertEquals(Level.WARNING, config.logLevel());
        assertEquals(List.of("*"), ConfigLoader.load(new String[0], Map.of("GATEWAY_CORS_ORIGIN", "*")).corsOrigins());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "--port|x|--port must be a whole number",
            "--port|70000|--port must be between 0 and 65535",
            "--nope|1|unknown flag --nope",
            "--reset-cron|61 * * * *|--reset-cron \"61 * * * *\" is not a valid cron expression",
            "--reset-cron|every day|--reset-cron \"every day\" is not a valid cron expression: expected 5 fields",
            "--reset-timezone|Mars/Olympus|--reset-timezone \"Mars/Olympus\" is not a time zone",
            "--series-ttl|10 minutes|--series-ttl \"10 minutes\" is not a duration",
            "--self-metrics|maybe|--self-metrics must be true or false",
            "--max-connections|0|--max-connections must be between 1 and 1000000",
            "--idle-timeout|0|--idle-timeout must be longer than 0",
            "--header-read-timeout|soon|--header-read-timeout \"soon\" is not a duration",
            "--log-level|LOUD|--log-level must be SEVERE, WARNING, INFO or FINE",
            "--config-file|/nonexistent/gw.properties|cannot read config file /nonexistent/gw.properties",
            "--source-label|__x|--source-label \"__x\" is not a label name a push can group by",
            "--source-label|le|--source-label \"le\" is not a label name",
            "--source-ttl|soon|--source-ttl \"soon\" is not a duration",
            "--max-source-series|0|--max-source-series must be between 1 and",
            "--gauge-mode|x=median|--gauge-mode \"x=median\": unknown gauge mode \"median\" (use sum, max, min, last, avg)",
            "--gauge-mode|max|--gauge-mode \"max\" is not REGEX=MODE",
            "--persistence-interval|0|--persistence-interval must be longer than 0",
            "--persistence-interval|often|--persistence-interval \"often\" is not a duration",
            "--persistence-ignore-invalid|perhaps|--persistence-ignore-invalid must be true or false",
            "--gauge-mode|(x=max|--gauge-mode \"(x=max\": the regular expression is not valid: Unclosed group"})
    void badValuesNameTheSetting(String flag, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {flag, value}, Map.of()));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void unknownKeysInTheFileAndMissingValuesAreRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.properties"), "prot=1\n");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config-file", file.toString()}, Map.of()))
                .getMessage().contains("unknown setting \"prot\" in config file"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--port"}, Map.of()))
                .getMessage().contains("needs a value"));
    }

    @Test
    void helpListsEveryFlagWithDefaultAndVariable() {
        String help = ConfigLoader.help();
        for (ConfigLoader.Option option : ConfigLoader.OPTIONS) {
            assertTrue(help.contains("--" + option.flag()), option.flag());
            assertTrue(help.contains(option.env()), option.env());
            String shown = option.defaultValue().isEmpty() ? "(none)" : option.defaultValue();
            assertTrue(help.contains("default " + shown), option.flag());
        }
        assertTrue(ConfigLoader.wantsHelp(new String[] {"--port", "1", "--help"}));
    }

    @Test
    void settingsInForceSayWhereEachValueCameFrom() throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.properties"), "max-series=500\n");
        GatewayConfig config = ConfigLoader.load(new String[] {"--port", "9100", "--cors-origin", "https://a.example",
                "--cors-origin", "https://b.example"}, Map.of("GATEWAY_CONFIG_FILE", file.toString(), "GATEWAY_HOST", "127.0.0.1"));
        Map<String, Setting> byName = new java.util.HashMap<>();
        config.settings().forEach(setting -> byName.put(setting.name(), setting));
        assertEquals(ConfigLoader.OPTIONS.stream().map(ConfigLoader.Option::flag).toList(),
                config.settings().stream().map(Setting::name).toList(), "every option, in --help's order");
        assertEquals(new Setting("port", List.of("9100"), Setting.Source.FLAG, false), byName.get("port"));
        assertEquals(new Setting("host", List.of("127.0.0.1"), Setting.Source.ENVIRONMENT, false), byName.get("host"));
        assertEquals(new Setting("max-series", List.of("500"), Setting.Source.CONFIG_FILE, false), byName.get("max-series"));
        assertEquals(new Setting("series-ttl", List.of("0"), Setting.Source.DEFAULT, false), byName.get("series-ttl"));
        assertEquals(new Setting("reset-cron", List.of(), Setting.Source.DEFAULT, false), byName.get("reset-cron"));
        assertEquals("https://a.example, https://b.example", byName.get("cors-origin").shown());
        assertEquals(Setting.Source.ENVIRONMENT, byName.get("config-file").source());
    }

    @Test
    void aSecretSettingIsNeverShown() {
        Setting password = new Setting("some-password", List.of("hunter2"), Setting.Source.FLAG, true);
        assertEquals(Setting.HIDDEN, password.shown());
        assertFalse(password.toString().isEmpty());
        assertEquals("hunter2", new Setting("plain", List.of("hunter2"), Setting.Source.FLAG, false).shown());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0,0", "500ms,500", "30s,30000", "10m,600000", "1h30m,5400000", "2d,172800000", "1w,604800000"})
    void durations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), DurationParser.parse(text));
    }

    @Test
    void securityDefaultsLeaveEverythingOpen() throws Exception {
        SecuritySettings security = ConfigLoader.load(new String[0], Map.of()).security();
        assertEquals(SecuritySettings.open().webConfigFile(), security.webConfigFile());
        assertEquals(Map.of(), security.userRoles());
        assertFalse(security.publicPush() || security.publicRead());
        assertEquals(0, security.pushRateLimit());
        assertEquals(0, security.maxSeriesPerFamily());
        assertEquals(List.of(), security.allowMetrics());
        assertEquals(List.of(), security.trustedProxies());
    }

    @Test
    void securityFlags() throws Exception {
        SecuritySettings security = ConfigLoader.load(new String[] {"--web-config-file", "/etc/web.yml",
                "--user-roles", "ci=push", "--user-roles", "ops=read,admin", "--public-read", "true",
                "--push-rate-limit", "0.5", "--push-rate-burst", "3", "--trusted-proxy", "10.0.0.0/8",
                "--trusted-proxy", "::1", "--allow-metric", "app_.*", "--max-series-per-family", "1000"}, Map.of()).security();
        assertEquals(java.util.Optional.of(Path.of("/etc/web.yml")), security.webConfigFile());
        assertEquals(Map.of("ci", java.util.Set.of("push"), "ops", java.util.Set.of("read", "admin")), security.userRoles());
        assertTrue(security.publicRead());
        assertFalse(security.publicPush());
        assertEquals(0.5, security.pushRateLimit());
        assertEquals(3, security.pushRateBurst());
        assertEquals(List.of("10.0.0.0/8", "::1"), security.trustedProxies());
        assertEquals("app_.*", security.allowMetrics().getFirst().pattern());
        assertEquals(1000, security.maxSeriesPerFamily());
    }

    @Test
    void userRolesFromAVariableSplitAtEveryComma() throws Exception {
        assertEquals(Map.of("ci", java.util.Set.of("push", "read"), "ops", java.util.Set.of("admin")),
                ConfigLoader.load(new String[0], Map.of("GATEWAY_USER_ROLES", "ci=push,read,ops=admin")).security().userRoles());
        assertEquals(Map.of("nobody", java.util.Set.of()),
                ConfigLoader.load(new String[] {"--user-roles", "nobody="}, Map.of()).security().userRoles(), "a user with no role");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--user-roles    | ci=push,write  | --user-roles for \"ci\": unknown role \"write\" (roles are push, read, admin)",
            "--user-roles    | push           | --user-roles \"push\" is not NAME=push,read,admin",
            "--user-roles    | =push          | --user-roles \"=push\" names no user (expected NAME=push,read,admin)",
            "--allow-metric  | app_(          | --allow-metric \"app_(\" is not a regular expression: Unclosed group at index 5",
            "--push-rate-limit | -1          | --push-rate-limit must be between 0 and 1000000000, got -1",
            "--push-rate-limit | fast        | --push-rate-limit must be a number, got \"fast\"",
            "--max-series-per-family | -2     | --max-series-per-family must be between 0 and 9223372036854775807, got -2",
    })
    void badSecurityFlagsSayWhatIsWrong(String flag, String value, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {flag, value}, Map.of()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aUserNamedTwiceIsAnError() {
        assertEquals("--user-roles names user \"ci\" twice", assertThrows(ConfigException.class, () -> ConfigLoader.load(
                new String[] {"--user-roles", "ci=push", "--user-roles", "ci=read"}, Map.of())).getMessage());
    }
}
