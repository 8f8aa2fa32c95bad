package io.aggregationgateway.bench;

import io.aggregationgateway.server.aggregate.Aggregator;
import io.aggregationgateway.server.ingest.TextFormatParser;
import io.aggregationgateway.server.model.DecodedFamilies;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.Push;
import io.aggregationgateway.server.model.PushRejectedException;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a {@code 1k} text push's CPU goes, on a busy machine: one thread runs five operations in
 * turn, round after round, and times each round by its own CPU time (collector threads not counted),
 * so that other work on the machine weighs on all five alike. The operations:
 * <ul>
 *   <li>{@code parseOnlyText}: the parse without grouping labels or the store's lookup, as
 *       {@code IngestBenchmark.parseOnlyText};</li>
 *   <li>{@code parseWithGrouping}: the parse with the grouping label built into each series' labels,
 *       without the lookup ({@code HeldLabels.NONE}): a new label set for every series;</li>
 *   <li>{@code parseWithLookup}: the parse of {@code ingestText}, with the grouping label and each
 *       series looked up in the store ({@code Aggregator.heldLabels}), not pushed;</li>
 *   <li>{@code engineOnly}: the push that parse makes, decoded once, validated and merged;</li>
 *   <li>{@code ingestText}: both, as {@code IngestBenchmark.ingestText}.</li>
 * </ul>
 * Prints each one's median and fastest round in µs per operation, and ingest ÷ parse-only (as
 * rates: parse-only time ÷ ingest time) by both.
 *
 * <p>Usage: {@code java -Xms1g -Xmx1g -cp bench/target/benchmarks.jar io.aggregationgateway.bench.IngestCpuTime [rounds] [calls per round]}
 */
public final class IngestCpuTime {
    private static final Labels GROUPING = Labels.of("job", "bench");
    private static final int WARMUP_CALLS = 4000;
    private static final String[] NAMES = {"parseOnlyText", "parseWithGrouping", "parseWithLookup", "engineOnly", "ingestText"};

    private final TextFormatParser parser = new TextFormatParser(TextFormatParser.Dialect.PROMETHEUS_TEXT_0_0_4);
    private final byte[] text = BodyEncoding.text(Workload.byId("1k").families());
    private final Aggregator aggregator = new Aggregator();
    private final DecodedFamilies held;
    private Object result; // read after the rounds, so that no operation's work can be left out

    private IngestCpuTime() throws PushRejectedException {
        aggregator.push(new Push(GROUPING, parser.parse(text, 0, text.length, GROUPING)));
        held = parseWithLookup();
    }

    public static void main(String[] args) throws PushRejectedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        IngestCpuTime bench = new IngestCpuTime();
        for (int i = 0; i < WARMUP_CALLS; i++) {
            for (int op = 0; op < NAMES.length; op++) {
                bench.run(op);
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] micros = new double[NAMES.length][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int op = 0; op < NAMES.length; op++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) {
                    bench.run(op);
                }
                micros[op][round] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / calls;
            }
        }
        double[] median = new double[NAMES.length];
        double[] fastest = new double[NAMES.length];
        for (int op = 0; op < NAMES.length; op++) {
            double[] sorted = micros[op].clone();
            Arrays.sort(sorted);
            median[op] = sorted[rounds / 2];
            fastest[op] = sorted[0];
            System.out.printf(Locale.ROOT, "%-16s median %7.1f µs, fastest %7.1f µs%n", NAMES[op], median[op], fastest[op]);
        }
        System.out.printf(Locale.ROOT, "ingest ÷ parse-only: %.0f %% by medians, %.0f %% by fastest rounds (%s)%n",
                100 * median[0] / median[4], 100 * fastest[0] / fastest[4], bench.result.getClass().getSimpleName());
    }

    private void run(int op) throws PushRejectedException {
        result = switch (op) {
            case 0 -> parser.parse(text, 0, text.length);
            case 1 -> parser.decode(text, 0, text.length, GROUPING, HeldLabels.NONE);
            case 2 -> parseWithLookup();
            case 3 -> aggregator.push(new Push(GROUPING, held, false));
            default -> aggregator.push(new Push(GROUPING, parseWithLookup(), false));
        };
    }

    private DecodedFamilies parseWithLookup() throws PushRejectedException {
        return parser.decode(text, 0, text.length, GROUPING, aggregator.heldLabels());
    }
}
