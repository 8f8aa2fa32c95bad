package io.aggregationgateway.client;

import io.aggregationgateway.client.example.PushFromJavaExample;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * simpleclient ({@code io.prometheus:simpleclient}, {@code simpleclient_common}) is optional: code
 * that uses only client_java 1.x must compile and run without it. Overload resolution would break
 * compiling if any overload of a method the user calls mentioned its types, so the API is checked,
 * the README example is compiled, and a push is run, all without those jars.
 */
class OptionalDependencyTest {
    private static final String OPTIONAL_PACKAGE = "io.prometheus.client";

    /** The test class path without simpleclient. */
    private static List<String> classPathWithoutSimpleclient() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .collect(Collectors.toList());
        assertTrue(entries.stream().anyMatch(e -> e.contains("simpleclient_common")),
                "the test class path should have simpleclient, so that leaving it out means something: " + entries);
        return entries.stream().filter(e -> !e.contains("simpleclient")).toList();
    }

    private static URLClassLoader isolatedLoader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPathWithoutSimpleclient()) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        // parent: the platform loader, so nothing of the test's own class path leaks in
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void noPublicSignatureOutsideTheSimpleclientSourceMentionsSimpleclient() {
        for (Class<?> type : List.of(PushClient.class, PushClientBuilder.class, MetricsSource.class, PushException.class,
                Transport.class)) {
            List<String> signatures = new ArrayList<>();
            for (Method m : type.getDeclaredMethods()) {
                if (!Modifier.isPrivate(m.getModifiers())) {
                    signatures.add(m.toGenericString());
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                signatures.add(c.toGenericString());
            }
            for (Field f : type.getDeclaredFields()) {
                signatures.add(f.toGenericString());
            }
            for (String signature : signatures) {
                assertFalse(signature.contains(OPTIONAL_PACKAGE + "."), type.getSimpleName() + ": " + signature);
            }
        }
    }

    @Test
    void theReadmeExampleCompilesWithoutSimpleclient() throws Exception {
        Path out = Files.createTempDirectory("example-classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int exit = javac.run(null, diagnostics, diagnostics,
                "-d", out.toString(),
                "-classpath", String.join(File.pathSeparator, classPathWithoutSimpleclient()),
                ReadmeExampleTest.EXAMPLE.toString());
        assertEquals(0, exit, diagnostics::toString);
    }

    @Test
    void aPushRunsWithoutSimpleclient() throws Exception {
        try (URLClassLoader isolated = isolatedLoader(); InProcessGateway gateway = new InProcessGateway()) {
            assertThrows(ClassNotFoundException.class,
                    () -> Class.forName("io.prometheus.client.CollectorRegistry", false, isolated));
            Class<?> example = Class.forName(PushFromJavaExample.class.getName(), true, isolated);
            example.getMethod("main", String[].class).invoke(null, (Object) new String[]{gateway.address()});
            assertEquals(OptionalDouble.of(5), gateway.value("jobs_done_total{job=\"mailer\",queue=\"emails\",zone=\"eu\"}"));
        }
    }

    /** The text transport writes with simpleclient_common: without it, building such a client says what to add. */
    @Test
    void theTextTransportWithoutSimpleclientFailsWhenBuiltNamingWhatIsMissing() throws Exception {
        try (URLClassLoader isolated = isolatedLoader()) {
            Class<?> client = Class.forName(PushClient.class.getName(), true, isolated);
            Class<?> transport = Class.forName(Transport.class.getName(), true, isolated);
            Object builder = client.getMethod("builder").invoke(null);
            Class<?> builderType = builder.getClass();
            builderType.getMethod("target", String.class).invoke(builder, "127.0.0.1:1");
            builderType.getMethod("job", String.class).invoke(builder, "text");
            builderType.getMethod("transport", transport).invoke(builder, transport.getField("HTTP_TEXT").get(null));
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> builderType.getMethod("build").invoke(builder));
            IllegalStateException missing = assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(missing.getMessage().contains("io.prometheus:simpleclient_common"), missing.getMessage());

            builderType.getMethod("transport", transport).invoke(builder, transport.getField("HTTP_PROTOBUF").get(null));
            ((AutoCloseable) builderType.getMethod("build").invoke(builder)).close(); // the other transports need none of it
        }
    }
}
