package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricType;

import java.util.ArrayList;
import java.util.List;

/**
 * The names a family puts into a scrape, in any exposition format: its own name, and the names
 * of its samples and of its OpenMetrics family. Two families whose names overlap would make a
 * scrape that parsers refuse (Prometheus's text parser: "second TYPE line for metric name h" for
 * an untyped {@code h_bucket} next to a histogram {@code h}) or read wrongly, so the store never
 * holds two such families, as the Pushgateway refuses them.
 *
 * <ul>
 *   <li>histogram {@code h}: {@code h}, {@code h_bucket}, {@code h_count}, {@code h_sum}, {@code h_created}</li>
 *   <li>gauge histogram {@code h}: {@code h}, {@code h_bucket}, {@code h_count}, {@code h_sum}
 *       (text 0.0.4), {@code h_gcount}, {@code h_gsum} (OpenMetrics)</li>
 *   <li>summary {@code s}: {@code s}, {@code s_count}, {@code s_sum}, {@code s_created}</li>
 *   <li>counter {@code c_total} or {@code c}: {@code c}, {@code c_total}, {@code c_created}
 *       (OpenMetrics names the family {@code c} and its samples {@code c_total} and {@code c_created})</li>
 *   <li>gauge or untyped {@code g}: {@code g}</li>
 * </ul>
 * These are the suffixes client_python's registry reserves per type, for the same reason.
 */
final class ExposedNames {
    private static final String TOTAL = "_total";

    private ExposedNames() {
    }

    /** The names a family of this name and type occupies, its base name first. */
    static List<String> of(String name, MetricType type) {
        List<String> names = new ArrayList<>(6);
        switch (type) {
            case HISTOGRAM -> add(names, name, "", "_bucket", "_count", "_sum", "_created");
            case GAUGE_HISTOGRAM -> add(names, name, "", "_bucket", "_count", "_sum", "_gcount", "_gsum");
            case SUMMARY -> add(names, name, "", "_count", "_sum", "_created");
            case COUNTER -> {
                String base = name.length() > TOTAL.length() && name.endsWith(TOTAL)
                        ? name.substring(0, name.length() - TOTAL.length()) : name;
                add(names, base, "", TOTAL, "_created");
            }
            case GAUGE, UNTYPED -> names.add(name);
        }
        return names;
    }

    private static void add(List<String> names, String base, String... suffixes) {
        for (String suffix : suffixes) {
            names.add(base + suffix);
        }
    }

    /**
     * Why family {@code name} of {@code type} may not sit next to {@code other}, which holds the
     * name {@code shared} too.
     *
     * @param where "the gateway holds" or "this push also carries"
     */
    static String collision(String name, MetricType type, String otherName, MetricType otherType,
                            String shared, String where) {
        // name the family that exposes the shared name besides its own
        boolean otherDerives = !shared.equals(otherName);
        String deriving = otherDerives ? otherName : name;
        MetricType derivingType = otherDerives ? otherType : type;
        return "family " + name + " (" + type.textName() + ") collides with " + otherType.textName() + " "
                + otherName + ", which " + where + ": " + derivingType.textName() + " " + deriving
                + " is exposed as " + String.join(", ", of(deriving, derivingType))
                + "; both claim the name " + shared + " in a scrape, so one of the two needs another name";
    }
}
