package io.aggregationgateway.server.deploy;

import io.aggregationgateway.server.support.RepositoryFiles;
import io.aggregationgateway.testsupport.Promtool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/prometheus/: promtool accepts the rule files, and every rule adds up over the labels that
 * tell replicas apart and only those. Whether the rules give what one gateway gives is
 * BalancedReplicasE2ETest's part, with a real Prometheus evaluating them.
 */
class PrometheusRulesTest {
    private static final List<Path> RULE_FILES = List.of(
            RepositoryFiles.resolve("deploy/prometheus/aggregation-gateway.rules.yml"),
            RepositoryFiles.resolve("deploy/prometheus/pushed-metrics.example.rules.yml"));

    @Test
    void promtoolFindsTheRuleFilesValid() throws Exception {
        String output = Promtool.checkRules(RULE_FILES.toArray(Path[]::new));
        assertTrue(output.contains("SUCCESS"), output);
    }

    @Test
    void everyRuleAggregatesWithoutInstanceAndPodOnly() throws Exception {
        for (Path file : RULE_FILES) {
            for (Manifest document : Manifest.readAll(file)) {
                List<Map<String, Object>> groups = document.list("groups");
                assertFalse(groups.isEmpty(), file + " has no groups");
                for (Map<String, Object> group : groups) {
                    for (Map<String, Object> rule : Manifest.listOfMaps(group.get("rules"), file + " rules")) {
                        String expr = (String) rule.get("expr");
                        String what = file.getFileName() + " " + rule.get("record") + ": " + expr;
                        assertTrue(expr.contains("without (instance, pod)"), what);
                        // `by (...)` would drop the pushed labels; `without` on other labels would merge series one gateway keeps apart
                        assertFalse(expr.contains(" by (") || expr.contains(" by("), what);
                        assertFalse(expr.replace("without (instance, pod)", "").contains("without"), what);
                    }
                }
            }
        }
    }
}
