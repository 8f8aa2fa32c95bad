package io.aggregationgateway.server;

import io.helidon.common.mapper.MapperManager;
import io.helidon.common.mapper.Mappers;
import io.helidon.config.Config;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.ServiceRegistry;
import io.helidon.service.registry.ServiceRegistryConfig;
import io.helidon.service.registry.ServiceRegistryManager;

/**
 * The Helidon globals the gateway sets before it builds its server: a small service registry and
 * the mapper manager.
 *
 * <p>Helidon 4.4.0 builds its global service registry on first use by reading every jar's service
 * descriptors and activating its config provider (environment, system properties, a search for
 * application config files): at startup that was about two thirds of the main thread's work,
 * whichever component asked first (the mapper manager's config, {@code GrpcRouting}'s builder). The
 * gateway configures every Helidon part it uses explicitly and needs none of the discovered services
 * (the server's protocols are not discovered either, see {@code ConnectionFrontDoor}). What Helidon
 * still looks up is {@code GrpcRouting.Builder}'s {@code Services.get(Config.class)}, for interceptors
 * of gRPC server services configured under {@code grpc} (the gateway has none), and the mapper
 * manager, which {@code MapperManager.global(...)} also sets in the registry. So the registry
 * discovers nothing and holds those two: an empty config and the mapper manager.
 *
 * <p>The third global is the JVM-wide deserialization filter that Helidon's web server sets when it
 * starts ({@link #SERIAL_FILTER_IGNORE_FILES}).
 */
final class HelidonRegistry {
    /**
     * Helidon's system property that makes its deserialization filter ignore the
     * {@code META-INF/helidon/serial-config.properties} files of the class path. Helidon 4.4.0's web
     * server sets a JVM-wide filter when it starts: the patterns of those files, then {@code !*}
     * (reject every other class). To find the files it reads every jar's Helidon manifest, which was
     * 13 % of the main thread's samples up to the first ready answer. None of the gateway's jars has
     * such a file, and the gateway deserializes nothing, so the filter is {@code !*} either way; a
     * pattern given with {@code helidon.serialFilter.pattern} is still added before it.
     */
    static final String SERIAL_FILTER_IGNORE_FILES = "helidon.serialFilter.ignoreFiles";

    private HelidonRegistry() {
    }

    /**
     * Sets Helidon's global mapper manager and, unless a global registry is set already (by an
     * earlier gateway of this JVM, or by code that embeds the gateway and configured Helidon itself),
     * the small registry; and {@link #SERIAL_FILTER_IGNORE_FILES}, unless it is set already.
     */
    static void install() {
        if (System.getProperty(SERIAL_FILTER_IGNORE_FILES) == null) { // unless set on the command line
            System.setProperty(SERIAL_FILTER_IGNORE_FILES, "true");
        }
        if (GlobalServiceRegistry.configured()) {
            MapperManager.global(mapperManager());
            return;
        }
        // the mapper manager's builder looks its providers up in the global registry: this one has none
        GlobalServiceRegistry.registry(create(null));
        MapperManager mappers = mapperManager();
        GlobalServiceRegistry.registry(create(mappers));
        MapperManager.global(mappers);
    }

    /**
     * Helidon 4.4.0 otherwise asks its service registry for the mapper manager on every header read,
     * which rebuilds it each time: measured at 45 % of the CPU of small pushes. Built without
     * discovery: the same mappers (Helidon's built-in ones and its String to Integer and Long
     * provider, which the builder adds itself).
     */
    @SuppressWarnings("removal") // MapperManager: Helidon 4.4.0's headers still read it
    private static MapperManager mapperManager() {
        return MapperManager.builder().discoverServices(false).build();
    }

    /** A registry that discovers no services: an empty {@link Config}, and {@code mappers} unless null. */
    static ServiceRegistry create(Mappers mappers) {
        ServiceRegistryConfig.Builder config = ServiceRegistryConfig.builder()
                .discoverServices(false)
                .discoverServicesFromServiceLoader(false)
                .putContractInstance(Config.class, Config.empty());
        if (mappers != null) {
            config.putContractInstance(Mappers.class, mappers);
        }
        return ServiceRegistryManager.create(config.build()).registry();
    }
}
