package io.aggregationgateway.server.aggregate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class HistogramMergerTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    static Stream<Arguments> merges() {
        return Stream.of(
                arguments("same bounds", new double[] {1, INF}, new double[] {1, 2}, new double[] {1, INF}, new double[] {3, 4},
                        new double[] {1, INF}, new double[] {4, 6}),
                arguments("B's bounds are a subset of A's", new double[] {1, 2, INF}, new double[] {1, 2, 3},
                        new double[] {2, INF}, new double[] {5, 5},
                        new double[] {1, 2, INF}, new double[] {1, 7, 8}),
                arguments("disjoint finite bounds interleave", new double[] {1, 3, INF}, new double[] {1, 2, 2},
                        new double[] {2, 4, INF}, new double[] {10, 20, 30},
                        new double[] {1, 2, 3, 4, INF}, new double[] {1, 11, 12, 22, 32}),
                arguments("only +Inf on one side", new double[] {INF}, new double[] {5},
                        new double[] {0.5, INF}, new double[] {1, 2},
                        new double[] {0.5, INF}, new double[] {1, 7}),
                arguments("mismatched bounds: each side counts at its own largest bound below",
                        new double[] {0.1, 0.5, 1, INF}, new double[] {1, 2, 3, 4},
                        new double[] {0.2, 0.5, 2, INF}, new double[] {10, 20, 30, 40},
                        new double[] {0.1, 0.2, 0.5, 1, 2, INF}, new double[] {1, 11, 22, 23, 33, 44}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("merges")
    void unionOfBounds(String name, double[] boundsA, double[] countsA, double[] boundsB, double[] countsB,
                       double[] expectedBounds, double[] expectedCounts) {
        HistogramMerger.Buckets merged = HistogramMerger.add(boundsA.clone(), countsA.clone(), boundsB, countsB);
        assertArrayEquals(expectedBounds, merged.bounds());
        assertArrayEquals(expectedCounts, merged.cumulative());
    }
}
