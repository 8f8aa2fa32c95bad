package io.aggregationgateway.server;

import io.helidon.common.mapper.MapperManager;
import io.helidon.common.mapper.Mappers;
import io.helidon.config.Config;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.ServiceRegistry;
import io.helidon.service.registry.ServiceRegistryManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelidonRegistryTest {
    @Test
    @SuppressWarnings("removal")
    void holdsAnEmptyConfigForGrpcRoutingAndTheMapperManager() {
        MapperManager mappers = MapperManager.builder().discoverServices(false).build();
        ServiceRegistry registry = HelidonRegistry.create(mappers);
        Config config = registry.first(Config.class).orElseThrow();
        assertFalse(config.get("grpc").exists(), "no gRPC server services configured, so GrpcRouting adds no interceptors");
        assertSame(mappers, registry.first(Mappers.class).orElseThrow());
    }

    @Test
    void discoversNothingFromTheClassPath() {
        // what Helidon 4.4.0's own registry finds on the same class path: its mapper manager's descriptor
        assertTrue(ServiceRegistryManager.create().registry().first(Mappers.class).isPresent());
        assertTrue(HelidonRegistry.create(null).first(Mappers.class).isEmpty());
    }

    @Test
    @SuppressWarnings("removal")
    void afterInstallHeaderValuesStillMapToNumbers() {
        HelidonRegistry.install();
        assertTrue(GlobalServiceRegistry.configured());
        assertEquals(12L, MapperManager.global().map("12", String.class, Long.class));
        assertEquals(7, MapperManager.global().map("7", String.class, Integer.class));
    }
}
