package io.aggregationgateway.server;

import io.aggregationgateway.server.support.RunningGateway;
import io.helidon.common.mapper.MapperManager;
import io.helidon.common.mapper.Mappers;
import io.helidon.config.Config;
import io.helidon.metadata.MetadataConstants;
import io.helidon.metadata.MetadataDiscovery;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.ServiceRegistry;
import io.helidon.service.registry.ServiceRegistryManager;
import org.junit.jupiter.api.Test;

import java.io.ObjectInputFilter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
    void theDeserializationFilterIsBuiltWithoutSearchingTheJarsAndStillRejectsEveryClass() {
        HelidonRegistry.install();
        assertEquals("true", System.getProperty(HelidonRegistry.SERIAL_FILTER_IGNORE_FILES));
        // what the search would have found: no jar of the gateway's class path has a serial-config file
        assertEquals(List.of(), MetadataDiscovery.instance().list(MetadataConstants.SERIAL_CONFIG_FILE));
        try (RunningGateway gateway = new RunningGateway()) {
            ObjectInputFilter filter = ObjectInputFilter.Config.getSerialFilter();
            assertNotNull(filter, "Helidon's server sets the JVM-wide filter when it starts");
            assertEquals(ObjectInputFilter.Status.REJECTED, filter.checkInput(classInfo(java.util.ArrayList.class)));
            assertEquals(ObjectInputFilter.Status.REJECTED, filter.checkInput(classInfo(Gateway.class)));
        }
    }

    private static ObjectInputFilter.FilterInfo classInfo(Class<?> type) {
        return new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return type;
            }

            @Override
            public long arrayLength() {
                return -1;
            }

            @Override
            public long depth() {
                return 1;
            }

            @Override
            public long references() {
                return 1;
            }

            @Override
            public long streamBytes() {
                return 0;
            }
        };
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
