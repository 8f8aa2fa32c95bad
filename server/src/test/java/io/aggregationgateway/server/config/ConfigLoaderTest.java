package io.aggregationgateway.server.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @Test
    void defaults() throws Exception {
        GatewayConfig config = ConfigLoader.load(new String[0], Map.of());
        assertEquals("0.0.0.0", config.host());
        assertEquals(8080, config.port());
        assertEquals(16 * 1024 * 1024, config.maxBodyBytes());
    }

    @Test
    void flagBeatsEnvironmentBeatsDefault() throws Exception {
        Map<String, String> env = Map.of("GATEWAY_PORT", "9000", "GATEWAY_HOST", "127.0.0.1");
        GatewayConfig fromEnv = ConfigLoader.load(new String[0], env);
        assertEquals(9000, fromEnv.port());
        assertEquals("127.0.0.1", fromEnv.host());
        GatewayConfig fromFlag = ConfigLoader.load(new String[] {"--port", "9100", "--host=::1"}, env);
        assertEquals(9100, fromFlag.port());
        assertEquals("::1", fromFlag.host());
    }

    @Test
    void badValuesNameTheSetting() {
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--port", "x"}, Map.of()))
                .getMessage().contains("--port must be a whole number"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[0], Map.of("GATEWAY_PORT", "70000")))
                .getMessage().contains("--port must be between 0 and 65535"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--nope", "1"}, Map.of()))
                .getMessage().contains("unknown flag --nope"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--port"}, Map.of()))
                .getMessage().contains("needs a value"));
    }

    @Test
    void helpListsEveryFlagWithDefaultAndVariable() {
        String help = ConfigLoader.help();
        for (ConfigLoader.Option option : ConfigLoader.OPTIONS) {
            assertTrue(help.contains("--" + option.flag()), option.flag());
            assertTrue(help.contains(option.env()), option.env());
            assertTrue(help.contains("default " + option.defaultValue()), option.flag());
        }
        assertTrue(ConfigLoader.wantsHelp(new String[] {"--port", "1", "--help"}));
    }
}
