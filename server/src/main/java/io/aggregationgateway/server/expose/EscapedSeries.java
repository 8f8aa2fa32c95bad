package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.SeriesView;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Series of one family that a scrape with escaped names cannot tell apart: {@code {a.b="1"}} and
 * {@code {a_b="1"}} are both {@code {a_b="1"}} with {@code escaping=underscores}. Pushes are refused
 * when names collide within one series or one family name collides with another (see the engine);
 * two series of one family are both kept, since scrapers that read UTF-8 names tell them apart. A
 * scrape with escaped names writes the first of them, in label order, and leaves out the others
 * (Prometheus would drop all but one as duplicate samples, without saying which), and says which.
 */
final class EscapedSeries {
    private EscapedSeries() {
    }

    /**
     * The indexes of the family's series to leave out, or {@code null} for none; a line naming both
     * series goes to {@code report} for each.
     */
    static BitSet leftOut(FamilyView family, NameEscaping escaping, List<String> report) {
        List<SeriesView> series = family.series();
        Map<Labels, Labels> seen = new HashMap<>(series.size() * 2);
        Labels.Builder builder = new Labels.Builder();
        BitSet leftOut = null;
        for (int i = 0; i < series.size(); i++) {
            Labels labels = series.get(i).labels();
            Labels escaped = labels;
            if (Labels.hasUtf8Name(labels)) {
                labels.forEach((name, value) -> builder.add(escaping.labelName(name), value));
                try {
                    escaped = builder.build();
                } catch (IllegalArgumentException twoNamesAlike) { // refused at push: only a view from elsewhere has it
                    escaped = null;
                }
            }
            Labels first = escaped == null ? labels : seen.putIfAbsent(escaped, labels);
            if (first != null) {
                if (leftOut == null) {
                    leftOut = new BitSet(series.size());
                }
                leftOut.set(i);
                report.add("family " + family.name() + ": series " + labels + " left out, since with escaping="
                        + escaping.parameterValue() + " its labels are "
                        + (escaped == null ? "two labels of one name" : "those of " + first));
            }
        }
        return leftOut;
    }
}
