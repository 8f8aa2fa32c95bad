package io.aggregationgateway.server;

import io.aggregationgateway.server.support.RepositoryFiles;
import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupTrainingTest {
    @Test
    void theTrainingRunGetsTheAnswersItExpectsAndLeavesNothingBehind() {
        try (RunningGateway gateway = new RunningGateway()) {
            assertDoesNotThrow(() -> StartupTraining.train(gateway.port()));
            assertEquals(0, gateway.aggregator.seriesCount(), "the training deletes what it pushed");
        }
    }

    /** Both make the AOT cache without the training's method profiles, which made the JIT busier at startup. */
    @Test
    void theDockerImageMakesItsCacheAsTheBuildDoes() throws Exception {
        String pom = Files.readString(RepositoryFiles.resolve("server/pom.xml"));
        String dockerfile = Files.readString(RepositoryFiles.resolve("Dockerfile"));
        assertTrue(pom.contains("<gateway.archive.training>-XX:-AOTRecordTraining</gateway.archive.training>"), "server/pom.xml");
        String training = dockerfile.lines().filter(line -> line.contains("-XX:AOTCacheOutput=")).findFirst().orElseThrow();
        assertTrue(training.contains("-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining"), training);
    }

    @Test
    void anAnswerOtherThanTheExpectedOneIsReportedSoTheBuildStops() throws Exception {
        try (RunningGateway gateway = new RunningGateway()) {
            assertEquals(404, StartupTraining.send(gateway.port(),
                    new StartupTraining.Exchange("GET", "/no-such-route", Map.of(), "", 200)));
            assertEquals(400, StartupTraining.send(gateway.port(), new StartupTraining.Exchange("POST",
                    "/metrics/job/training", Map.of(), "not a metric line\n", 200)));
            assertTrue(StartupTraining.EXCHANGES.stream().anyMatch(e -> e.path().equals("/-/ready")));
        }
    }
}
