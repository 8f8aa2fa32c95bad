package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelsSeenTest {
    @Test
    void findsEverySetAddedTwiceAndNoOtherAsAHashSetDoes() {
        Random random = new Random(20261203);
        for (int round = 0; round < 200; round++) {
            int count = 1 + random.nextInt(300);
            LabelsSeen seen = new LabelsSeen(count);
            Set<Labels> expected = new HashSet<>();
            for (int i = 0; i < count; i++) {
                // few values: many sets repeat, many share a hash's low bits and so probe past each other
                Labels labels = Labels.of("a", Integer.toString(random.nextInt(count)), "b", Integer.toString(random.nextInt(3)));
                assertEquals(expected.add(labels), seen.add(labels), "round " + round + ", set " + i + " " + labels);
            }
        }
    }

    @Test
    void anEqualSetOfAnotherObjectIsSeenAlready() {
        LabelsSeen seen = new LabelsSeen(2);
        assertTrue(seen.add(Labels.of("job", "a")));
        assertTrue(seen.add(Labels.EMPTY));
        assertFalse(seen.add(Labels.of("job", "a")));
        assertFalse(seen.add(Labels.of()));
    }
}
