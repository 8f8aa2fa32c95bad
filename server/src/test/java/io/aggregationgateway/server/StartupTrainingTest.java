package io.aggregationgateway.server;

import io.aggregationgateway.server.support.RunningGateway;
import org.junit.jupiter.api.Test;

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
