package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricType;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table against a HashMap: random puts, finds in and out of order, removals. */
class BaselineTableTest {
    @Test
    void behavesLikeAMap() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            BaselineTable table = new BaselineTable(MetricType.COUNTER, random.nextInt(20));
            Map<Labels, Double> expected = new HashMap<>();
            int universe = 1 + random.nextInt(300);
            for (int step = 0; step < 2000; step++) {
                // equal but distinct label sets, as every push brings
                Labels key = Labels.of("k", Integer.toString(random.nextInt(universe)));
                int position = table.find(key);
                assertEquals(expected.containsKey(key), position >= 0, key.toString());
                double value = random.nextDouble();
                if (position < 0) {
                    position = table.put(key);
                }
                table.setNumber(position, value);
                expected.put(key, value);
                if (random.nextInt(200) == 0) {
                    int modulus = 2 + random.nextInt(3);
                    int removed = table.removeIf(k -> Integer.parseInt(k.get("k")) % modulus == 0);
                    int before = expected.size();
                    expected.keySet().removeIf(k -> Integer.parseInt(k.get("k")) % modulus == 0);
                    assertEquals(before - expected.size(), removed);
                }
            }
            assertEquals(expected.size(), table.size());
            for (int p = 0; p < table.size(); p++) {
                assertEquals(expected.get(table.key(p)), table.number(p));
                assertEquals(p, table.find(Labels.of("k", table.key(p).get("k"))), "in order, by the hint");
            }
            expected.forEach((key, value) -> assertEquals(value, table.number(table.find(key))));
        }
    }
}
