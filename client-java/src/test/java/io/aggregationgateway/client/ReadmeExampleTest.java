package io.aggregationgateway.client;

import io.aggregationgateway.client.example.PushFromJavaExample;
import io.aggregationgateway.client.example.PushFromSimpleclientExample;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Pushing from Java" section: its code is exactly {@link PushFromJavaExample} and
 * {@link PushFromSimpleclientExample} (so it compiles, being built with the tests), it runs against
 * a real gateway with the result the README promises, and its dependency snippet names this module
 * as built.
 */
class ReadmeExampleTest {
    static final Path README = Path.of("..", "README.md");
    static final Path EXAMPLE = Path.of("src/test/java/io/aggregationgateway/client/example/PushFromJavaExample.java");
    static final Path SIMPLECLIENT_EXAMPLE =
            Path.of("src/test/java/io/aggregationgateway/client/example/PushFromSimpleclientExample.java");

    /** The README section from its heading to the next heading of the same level. */
    static String section() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Pushing from Java\n");
        assertTrue(start >= 0, "README.md has no \"## Pushing from Java\" section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static String fenced(String section, String language) {
        return fenced(section, language, 0);
    }

    /** The {@code index}th (from 0) block of that language in the section. */
    private static String fenced(String section, String language, int index) {
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(section);
        for (int i = 0; i <= index; i++) {
            assertTrue(m.find(), "no ```" + language + " block number " + (i + 1) + " in the section");
        }
        return m.group(1);
    }

    @Test
    void theReadmesCodeIsTheExampleFileWithoutItsPackageLine() throws IOException {
        String file = Files.readString(EXAMPLE);
        String withoutPackage = file.substring(file.indexOf("import "));
        assertEquals(withoutPackage, fenced(section(), "java"),
                "README.md's example drifted from " + EXAMPLE + ": copy the file (minus its package line) into the README");
    }

    @Test
    void theReadmesSecondCodeBlockIsTheSimpleclientExample() throws IOException {
        String file = Files.readString(SIMPLECLIENT_EXAMPLE);
        assertEquals(file.substring(file.indexOf("import ")), fenced(section(), "java", 1),
                "README.md's simpleclient example drifted from " + SIMPLECLIENT_EXAMPLE);
    }

    @Test
    void theSimpleclientExampleRuns() throws Exception {
        try (InProcessGateway gateway = new InProcessGateway()) {
            PushFromSimpleclientExample.main(new String[]{gateway.address()});
            assertEquals(OptionalDouble.of(3), gateway.value("jobs_done_total{job=\"mailer-legacy\",queue=\"emails\"}"));
        }
    }

    @Test
    void theReadmesDependencyNamesThisModule() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<version>([^<]+)</version>").matcher(pom); // the parent's, the first one
        assertTrue(version.find());
        String xml = fenced(section(), "xml");
        assertTrue(xml.contains("<groupId>io.aggregationgateway</groupId>"), xml);
        assertTrue(xml.contains("<artifactId>aggregation-gateway-client</artifactId>"), xml);
        assertTrue(xml.contains("<version>" + version.group(1) + "</version>"), xml);
    }

    @Test
    void theExampleRunsAndTheGatewayShowsTheSum() throws Exception {
        try (InProcessGateway gateway = new InProcessGateway()) {
            String series = "jobs_done_total{job=\"mailer\",queue=\"emails\",zone=\"eu\"}";
            PushFromJavaExample.main(new String[]{gateway.address()});
            assertEquals(OptionalDouble.of(5), gateway.value(series));
            assertTrue(section().contains(series + " 5"), "the README shows the scrape line");

            PushFromJavaExample.main(new String[]{gateway.address()}); // a second sender: the gateway adds up
            assertEquals(OptionalDouble.of(10), gateway.value(series));
        }
    }
}
