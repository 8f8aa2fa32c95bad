package io.aggregationgateway.server.model;

import java.util.List;

/**
 * The families a decoder read from one push body, and the grouping labels it built into every
 * series' labels while reading them ({@link Labels#EMPTY} when it did not add them to every series).
 *
 * @param families         the families, as {@link Push#families()}
 * @param groupingInSeries the grouping labels that every series' labels hold already, as {@link Push#groupingInSeries()}
 */
public record DecodedFamilies(List<MetricFamily> families, Labels groupingInSeries) {
    /** Families whose series' labels are as pushed: nothing added. */
    public static DecodedFamilies asPushed(List<MetricFamily> families) {
        return new DecodedFamilies(families, Labels.EMPTY);
    }
}
