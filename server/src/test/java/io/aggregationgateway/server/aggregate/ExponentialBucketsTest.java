package io.aggregationgateway.server.aggregate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExponentialBucketsTest {

    @Test
    void powersOfTwoAtSchemaZeroAndBelow() {
        assertEquals(1.0, ExponentialBuckets.upperBound(0, 0));
        assertEquals(2.0, ExponentialBuckets.upperBound(1, 0));
        assertEquals(0.5, ExponentialBuckets.upperBound(-1, 0));
        assertEquals(0.5, ExponentialBuckets.lowerBound(0, 0));
        assertEquals(65536.0, ExponentialBuckets.upperBound(1, -4));
        assertEquals(0x1p-128, ExponentialBuckets.upperBound(-8, -4));
        assertEquals(0x1p-128, ExponentialBuckets.upperBound(-128 * 256, 8), "2^-128 is a boundary at every schema");
    }

    @Test
    void boundariesOfPositiveSchemasAreRootsOfTwo() {
        // correctly rounded, where Prometheus's table (0.7071067811865475 = sqrt(2)/2 one ulp low, ...)
        // is up to four ulps off: a difference only a zero threshold that close to a boundary would see
        assertEquals(Math.sqrt(2), ExponentialBuckets.upperBound(1, 1));
        assertEquals(Math.sqrt(Math.sqrt(2)), ExponentialBuckets.upperBound(1, 2));
        assertEquals(0.6484197773255048, ExponentialBuckets.upperBound(-5, 3));
        assertWithinUlps(0.7071067811865475 * 2, ExponentialBuckets.upperBound(1, 1), 1);
        assertWithinUlps(0.5221368912137069 * 4, ExponentialBuckets.upperBound(17, 4), 4);
        assertWithinUlps(0.9972960560854698 * 2, ExponentialBuckets.upperBound(255, 8), 4);
        for (int schema = 1; schema <= 8; schema++) {
            int perOctave = 1 << schema;
            for (int i = -3 * perOctave; i < 3 * perOctave; i++) {
                double exact = Math.pow(2, (double) i / perOctave);
                double bound = ExponentialBuckets.upperBound(i, schema);
                assertTrue(Math.abs(bound - exact) <= Math.ulp(exact), schema + "/" + i + ": " + bound + " vs " + exact);
            }
        }
    }

    private static void assertWithinUlps(double expected, double actual, int ulps) {
        assertTrue(Math.abs(expected - actual) <= ulps * Math.ulp(expected), actual + " vs " + expected);
    }

    @Test
    void everyBoundaryOfACoarserSchemaIsExactlyOneOfEachFinerSchema() {
        for (int coarse = -4; coarse < 8; coarse++) {
            for (int fine = coarse + 1; fine <= 8; fine++) {
                for (int i = -40; i <= 40; i++) {
                    assertEquals(ExponentialBuckets.upperBound(i, coarse),
                            ExponentialBuckets.upperBound(i << (fine - coarse), fine), coarse + "/" + fine + "/" + i);
                }
            }
        }
    }

    @Test
    void reducedIndexIsTheCoarseBucketHoldingTheFineOne() {
        assertEquals(1, ExponentialBuckets.reducedIndex(1, 3, 0));
        assertEquals(1, ExponentialBuckets.reducedIndex(8, 3, 0));
        assertEquals(2, ExponentialBuckets.reducedIndex(9, 3, 0));
        assertEquals(0, ExponentialBuckets.reducedIndex(0, 3, 0));
        assertEquals(0, ExponentialBuckets.reducedIndex(-7, 3, 0));
        assertEquals(-1, ExponentialBuckets.reducedIndex(-8, 3, 0));
        for (int fine = -3; fine <= 8; fine++) {
            for (int coarse = -4; coarse < fine; coarse++) {
                for (int i = -100; i <= 100; i++) {
                    int c = ExponentialBuckets.reducedIndex(i, fine, coarse);
                    assertTrue(ExponentialBuckets.lowerBound(c, coarse) <= ExponentialBuckets.lowerBound(i, fine)
                            && ExponentialBuckets.upperBound(i, fine) <= ExponentialBuckets.upperBound(c, coarse),
                            fine + "->" + coarse + " index " + i);
                }
            }
        }
    }

    @Test
    void theLastFiniteBucketEndsAtTheLargestDouble() {
        assertEquals(Double.MAX_VALUE, ExponentialBuckets.upperBound(1024, 0));
        assertEquals(Double.MAX_VALUE, ExponentialBuckets.upperBound(1024 << 8, 8));
        assertEquals(Double.MAX_VALUE, ExponentialBuckets.upperBound(64, -4));
        assertEquals(Double.POSITIVE_INFINITY, ExponentialBuckets.upperBound(1025, 0));
    }
}
