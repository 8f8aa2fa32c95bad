package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.NameEscaping;

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
 *
 * <p>A family whose name is not a legacy name ({@code http.server.duration}) has other names in
 * scrapes whose names are escaped (see {@link NameEscaping}): {@code http_server_duration} with
 * {@code escaping=underscores}, and so on, derived from the escaped name as Prometheus's libraries
 * derive them. Its names collide with another family's when they meet in one kind of scrape, so
 * each name is held with the scrapes it appears in ({@link ExposedName}).
 */
final class ExposedNames {
    private static final String TOTAL = "_total";

    private ExposedNames() {
    }

    /**
     * A name a family puts into scrapes: into every scrape ({@code escaping} null: a legacy name,
     * which no escaping changes), or only into those of one escaping (a name with characters
     * outside the legacy set goes as it is only where {@link NameEscaping#ALLOW_UTF8} was negotiated;
     * its escaped forms only where their scheme was).
     */
    record ExposedName(String name, NameEscaping escaping) {
        /** The names of other families that would meet this one in some scrape. */
        List<ExposedName> rivals() {
            if (escaping == null) {
                List<ExposedName> rivals = new ArrayList<>(1 + NameEscaping.ESCAPING.size());
                rivals.add(this);
                for (NameEscaping scheme : NameEscaping.ESCAPING) {
                    rivals.add(new ExposedName(name, scheme));
                }
                return rivals;
            }
            if (escaping == NameEscaping.ALLOW_UTF8) {
                return List.of(this);
            }
            return List.of(this, new ExposedName(name, null));
        }
    }

    /**
     * What a family of this name and type claims in scrapes, its base name first: {@link #names} in
     * every scrape for a legacy name; for any other name, those names where names go as they are,
     * and the names of each escaped form where that escaping was negotiated.
     */
    static List<ExposedName> of(String name, MetricType type) {
        if (MetricNames.isLegacyMetricName(name)) {
            return names(name, type).stream().map(n -> new ExposedName(n, null)).toList();
        }
        List<ExposedName> claimed = new ArrayList<>(4 * 6);
        for (String n : names(name, type)) {
            claimed.add(new ExposedName(n, NameEscaping.ALLOW_UTF8));
        }
        for (NameEscaping scheme : NameEscaping.ESCAPING) {
            for (String n : names(scheme.metricName(name), type)) {
                claimed.add(new ExposedName(n, scheme));
            }
        }
        return claimed;
    }

    /** The names a family of this name and type occupies in one scrape, its base name first. */
    static List<String> names(String name, MetricType type) {
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
                            ExposedName shared, String where) {
        if (shared.escaping() != null && shared.escaping() != NameEscaping.ALLOW_UTF8) {
            NameEscaping scheme = shared.escaping();
            List<String> escaped = new ArrayList<>(2);
            for (String n : List.of(name, otherName)) {
                if (!scheme.metricName(n).equals(n)) {
                    escaped.add(n + " as " + scheme.metricName(n));
                }
            }
            return "family " + name + " (" + type.textName() + ") collides with " + otherType.textName() + " "
                    + otherName + ", which " + where + ": scrapers without UTF-8 support (escaping="
                    + scheme.parameterValue() + ") see " + String.join(" and ", escaped) + ", so both claim the name "
                    + shared.name() + " in their scrapes; one of the two needs another name";
        }
        // name the family that exposes the shared name besides its own
        boolean otherDerives = !shared.name().equals(otherName);
        String deriving = otherDerives ? otherName : name;
        MetricType derivingType = otherDerives ? otherType : type;
        return "family " + name + " (" + type.textName() + ") collides with " + otherType.textName() + " "
                + otherName + ", which " + where + ": " + derivingType.textName() + " " + deriving
                + " is exposed as " + String.join(", ", names(deriving, derivingType))
                + "; both claim the name " + shared.name() + " in a scrape, so one of the two needs another name";
    }
}
