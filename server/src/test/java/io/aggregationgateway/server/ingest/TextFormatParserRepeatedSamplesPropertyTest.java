package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.ingest.TextFormatParser.Dialect;
import io.aggregationgateway.server.ingest.TextFormatParserTest.ModelText;
import io.aggregationgateway.server.model.DecodedFamilies;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.Series;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parser's shortcuts for samples as senders write them (a label name the sample before had at
 * the same place, followed by {@code ="} at once; a sample value of plain digits) give what the
 * general path gives. Each random body of samples that mostly repeat the label names before them
 * (sometimes renamed, reordered, quoted, UTF-8, repeated, empty, with escapes, the role's
 * {@code le} or {@code quantile} among them) is parsed twice: as rendered, and with a blank before
 * every label's {@code =} and a {@code +} before every plain-digit value, which the shortcuts never
 * take and which mean the same. Both must give the same families, or the same rejection.
 */
class TextFormatParserRepeatedSamplesPropertyTest {

    private static final int ITERATIONS = 400;
    private static final long BASE_SEED = Long.getLong("parser.seed", 0x4e9_7a11L);
    private static final String[] NAMES = {"a", "method", "path", "status", "le", "quantile", "job", "_x", "__r",
        "instance_name_long_enough", "b2", "Z"};
    private static final String[] QUOTED_NAMES = {"\"http.method\"", "\"ünïcödé\"", "\"a\"", "\"path\"", "\"x\\\"y\""};
    private static final String[] VALUES = {"GET", "", "/api/v1/resource/7", "a\\\"b", "line\\nbreak", "back\\\\slash",
        "日本", "é", "0.5", "+Inf", "1", "x".repeat(20), "v1", "v2"};
    /** a value whose escape is invalid: rejected */
    private static final String BAD_VALUE = "bad\\q";
    private static final String[] NUMBERS = {"0", "1", "7", "42", "100", "007", "123456789012345", "1234567890123456",
        "99999999999999999999", "1.5", "-3", "+4", "1e3", "NaN", "+Inf", "-0", "0x10", "12a", "1_000", ".5", "5."};

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void shortcutsGiveWhatTheGeneralPathGives(Dialect dialect) {
        TextFormatParser parser = new TextFormatParser(dialect, 6);
        Labels grouping = Labels.of("job", "g");
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = BASE_SEED + i;
            Bodies bodies = generate(new Random(seed), dialect == Dialect.OPENMETRICS_1_0_0);
            String asRendered = outcome(parser, bodies.asRendered, Labels.EMPTY);
            String general = outcome(parser, bodies.general, Labels.EMPTY);
            assertEquals(general, asRendered, () -> "seed " + seed + " (" + dialect + ")\n--- body ---\n" + bodies.asRendered);
            assertEquals(outcome(parser, bodies.general, grouping), outcome(parser, bodies.asRendered, grouping),
                    () -> "seed " + seed + " (" + dialect + "), with grouping labels\n--- body ---\n" + bodies.asRendered);
            for (Labels someGrouping : GROUPINGS) {
                assertEquals(general.startsWith("rejected") ? general : withOverridesAfterwards(parser, bodies.asRendered, someGrouping),
                        outcome(parser, bodies.asRendered, someGrouping),
                        () -> "seed " + seed + " (" + dialect + "), with " + someGrouping + "\n--- body ---\n" + bodies.asRendered);
            }
            if (!asRendered.startsWith("rejected")) {
                accepted++;
            }
        }
        // both outcomes must be common for the comparison to say something
        int acceptedOf = accepted;
        assertTrue(accepted > ITERATIONS / 5 && accepted < ITERATIONS * 4 / 5, () -> acceptedOf + " of " + ITERATIONS + " accepted");
    }

    /**
     * Grouping labels that sort before, between and after the generated names (some of which they
     * have): a builder writes them in as labels are added ({@code Labels.Builder(Labels)}).
     */
    private static final Labels[] GROUPINGS = {
        Labels.of("job", "g"), Labels.of("A", "1", "n5a", "m", "zz", "e"), Labels.of("n3", "c", "n9", "d")};

    /**
     * The body parsed without grouping labels, with those the series hold once decoded with them
     * ({@link DecodedFamilies#groupingInSeries()}: none when a sample has a grouping label's name)
     * added to each series afterwards: what the decode with them must give, built without them.
     */
    private static String withOverridesAfterwards(TextFormatParser parser, String text, Labels grouping) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        try {
            Labels added = parser.decode(body, 0, body.length, grouping, HeldLabels.NONE).groupingInSeries();
            List<MetricFamily> families = new ArrayList<>();
            for (MetricFamily family : parser.parse(body, 0, body.length)) {
                List<Series> series = new ArrayList<>();
                for (Series one : family.series()) {
                    series.add(one.withLabels(one.labels().withOverrides(added)));
                }
                families.add(new MetricFamily(family.name(), family.type(), family.help(), series));
            }
            return ModelText.render(families);
        } catch (PushRejectedException e) {
            return "rejected " + e.reason() + ": " + e.getMessage();
        }
    }

    private static String outcome(TextFormatParser parser, String text, Labels grouping) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        try {
            return ModelText.render(parser.parse(body, 0, body.length, grouping));
        } catch (PushRejectedException e) {
            return "rejected " + e.reason() + ": " + e.getMessage();
        }
    }

    private record Bodies(String asRendered, String general) {
    }

    private static Bodies generate(Random rnd, boolean openMetrics) {
        StringBuilder asRendered = new StringBuilder();
        StringBuilder general = new StringBuilder();
        int families = 1 + rnd.nextInt(3);
        for (int f = 0; f < families; f++) {
            String type = switch (rnd.nextInt(8)) {
                case 0 -> "histogram";
                case 1 -> "summary";
                default -> rnd.nextBoolean() ? "gauge" : "counter";
            };
            String family = "fam_" + f;
            String typeLine = "# TYPE " + family + " " + type + "\n";
            asRendered.append(typeLine);
            general.append(typeLine);
            List<String> names = new ArrayList<>();
            for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                names.add(rnd.nextInt(12) == 0 ? NAMES[rnd.nextInt(NAMES.length)] : "n" + rnd.nextInt(12));
            }
            for (int s = 2 + rnd.nextInt(8); s > 0; s--) {
                // mostly the same names in the same places as the sample before; now and then one changed or moved
                if (rnd.nextInt(4) == 0) {
                    names.set(rnd.nextInt(names.size()), rnd.nextInt(4) == 0
                            ? QUOTED_NAMES[rnd.nextInt(QUOTED_NAMES.length)] : someName(rnd));
                }
                if (rnd.nextInt(6) == 0) {
                    names.add(rnd.nextInt(names.size() + 1), someName(rnd));
                } else if (names.size() > 1 && rnd.nextInt(6) == 0) {
                    names.remove(rnd.nextInt(names.size()));
                } else if (names.size() > 1 && rnd.nextInt(6) == 0) {
                    names.add(names.remove(0)); // the same names in another order
                }
                String sampleName = switch (type) {
                    case "histogram" -> family + (rnd.nextInt(4) == 0 ? "_count" : "_bucket");
                    case "summary" -> rnd.nextInt(4) == 0 ? family + "_sum" : family;
                    case "counter" -> openMetrics ? family + "_total" : family;
                    default -> family;
                };
                List<String> sampleNames = new ArrayList<>(names);
                if ((sampleName.endsWith("_bucket") || sampleName.equals(family) && type.equals("summary"))
                        && rnd.nextInt(20) != 0) {
                    sampleNames.add(rnd.nextInt(sampleNames.size() + 1), type.equals("summary") ? "quantile" : "le");
                }
                sample(rnd, sampleName, sampleNames, asRendered, general);
            }
        }
        if (openMetrics) {
            asRendered.append("# EOF\n");
            general.append("# EOF\n");
        }
        return new Bodies(asRendered.toString(), general.toString());
    }

    /** Mostly a plain name of a few; now and then one with a special meaning ({@code le}, reserved, long). */
    private static String someName(Random rnd) {
        return rnd.nextInt(8) == 0 ? NAMES[rnd.nextInt(NAMES.length)] : "n" + rnd.nextInt(12);
    }

    private static void sample(Random rnd, String sampleName, List<String> names, StringBuilder asRendered,
                               StringBuilder general) {
        asRendered.append(sampleName).append('{');
        general.append(sampleName).append('{');
        for (int k = 0; k < names.size(); k++) {
            String separator = k == 0 ? "" : rnd.nextInt(10) == 0 ? ", " : ",";
            String value = switch (names.get(k)) {
                case "le", "quantile" -> rnd.nextInt(30) == 0 ? VALUES[rnd.nextInt(VALUES.length)] : "0." + rnd.nextInt(1000);
                default -> rnd.nextInt(200) == 0 ? BAD_VALUE
                        : rnd.nextInt(4) == 0 ? VALUES[rnd.nextInt(VALUES.length)] : "v" + rnd.nextInt(4);
            };
            asRendered.append(separator).append(names.get(k)).append("=\"").append(value).append('"');
            general.append(separator).append(names.get(k)).append(" =\"").append(value).append('"');
        }
        String number = rnd.nextInt(4) != 0 ? String.valueOf(rnd.nextInt(1000)) : NUMBERS[rnd.nextInt(NUMBERS.length)];
        boolean plainDigits = number.chars().allMatch(c -> c >= '0' && c <= '9');
        String blank = rnd.nextInt(8) == 0 ? "\t" : " ";
        asRendered.append('}').append(blank).append(number);
        general.append('}').append(blank).append(plainDigits ? "+" + number : number);
        String rest = switch (rnd.nextInt(8)) {
            case 0 -> " 1700000000000";
            case 1 -> " ";
            default -> "";
        };
        asRendered.append(rest).append('\n');
        general.append(rest).append('\n');
    }
}
