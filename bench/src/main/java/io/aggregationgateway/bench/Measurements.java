package io.aggregationgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What bench/run measured, read back from its files: {@code results.tsv} (one tab-separated
 * record per measurement, written by the script) and JMH's CSV result file.
 *
 * <p>Record shapes in {@code results.tsv}:
 * <pre>
 * push    &lt;workload&gt; &lt;format&gt; &lt;conns&gt; &lt;server&gt; &lt;pushes/s&gt; &lt;failed requests&gt; &lt;server CPU µs per push&gt; [&lt;load generator CPU µs per push&gt;]
 * scrape  &lt;series&gt;   &lt;format&gt; &lt;server&gt; &lt;median seconds&gt; &lt;fastest seconds&gt; &lt;body bytes&gt;
 * memory  &lt;series&gt;   &lt;heap|rss&gt; &lt;bytes&gt;
 * sourcememory &lt;(series, source) states&gt; heap &lt;bytes&gt;
 * defaultmemory &lt;empty|empty-gc|filled|scraped|settled|gc&gt; &lt;heap|rss&gt; &lt;bytes&gt;
 * load    &lt;series&gt;   &lt;server&gt; &lt;seconds&gt; &lt;server CPU seconds&gt;
 * </pre>
 * A server is {@code gateway} or {@code pushgateway}; formats are {@code text}, {@code protobuf}, {@code grpc}.
 * The sources runs name their push runs {@code delta#<round>} and {@code sources#<round>}.
 */
final class Measurements {
    /** {@code clientCpuMicrosPerPush} is the load generator's (wrk's, GrpcLoad's) CPU; NaN when not recorded. */
    record PushRun(String workload, String format, int conns, String server, double pushesPerSecond, long failed,
                   double cpuMicrosPerPush, double clientCpuMicrosPerPush) {
    }

    record Scrape(long series, String format, String server, double medianSeconds, double fastestSeconds,
                  long bodyBytes) {
    }

    /** The scrape run's fill: {@code series} new series in pushes of 10,000, one after another. */
    record Load(long series, String server, double seconds, double cpuSeconds) {
    }

    /** One JMH score: {@code benchmark} is the method name, {@code param} the workload or series count. */
    record JmhScore(String benchmark, String param, double score, double error, String unit) {
    }

    final List<PushRun> pushes = new ArrayList<>();
    final List<Scrape> scrapes = new ArrayList<>();
    final Map<String, Long> memory = new HashMap<>(); // "<series>/<heap|rss>" -> bytes
    final Map<Long, Long> sourceMemory = new HashMap<>(); // states -> live heap bytes
    // the default-flags run (a million series): "<phase>/<heap|rss>" -> bytes
    final Map<String, Long> defaultMemory = new HashMap<>();
    final List<JmhScore> jmh = new ArrayList<>();
    final List<Load> loads = new ArrayList<>();

    static Measurements read(Path results, Path jmhCsv) throws IOException {
        Measurements m = new Measurements();
        for (String line : Files.readAllLines(results)) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "push" -> m.pushes.add(new PushRun(f[1], f[2], Integer.parseInt(f[3]), f[4],
                        Double.parseDouble(f[5]), Long.parseLong(f[6]), Double.parseDouble(f[7]),
                        f.length > 8 ? parseOrNaN(f[8]) : Double.NaN));
                case "scrape" -> m.scrapes.add(new Scrape(Long.parseLong(f[1]), f[2], f[3],
                        Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6])));
                case "memory" -> m.memory.put(f[1] + "/" + f[2], Long.parseLong(f[3]));
                case "sourcememory" -> m.sourceMemory.put(Long.parseLong(f[1]), Long.parseLong(f[3]));
                case "defaultmemory" -> m.defaultMemory.put(f[1] + "/" + f[2], Long.parseLong(f[3]));
                case "load" -> m.loads.add(new Load(Long.parseLong(f[1]), f[2], Double.parseDouble(f[3]),
                        Double.parseDouble(f[4])));
                default -> { } // blank or comment lines
            }
        }
        if (jmhCsv != null && Files.isRegularFile(jmhCsv)) {
            m.readJmh(Files.readAllLines(jmhCsv));
        }
        return m;
    }

    private void readJmh(List<String> csv) {
        for (String line : csv.subList(Math.min(1, csv.size()), csv.size())) { // first line: header
            List<String> f = splitCsv(line);
            String benchmark = f.get(0).substring(f.get(0).lastIndexOf('.') + 1);
            // JMH's CSV: 7 fixed columns, then one per parameter of any benchmark in the run;
            // each benchmark class has one parameter (workload or series), the others are empty
            String param = "";
            for (int i = 7; i < f.size(); i++) {
                if (!f.get(i).isEmpty() && !f.get(i).equals("N/A")) {
                    param = f.get(i);
                }
            }
            jmh.add(new JmhScore(benchmark, param, Double.parseDouble(f.get(4)), parseOrNaN(f.get(5)), f.get(6)));
        }
    }

    OptionalDouble push(String workload, String format, int conns, String server) {
        return pushRun(workload, format, conns, server).stream().mapToDouble(PushRun::pushesPerSecond).findFirst();
    }

    Optional<PushRun> pushRun(String workload, String format, int conns, String server) {
        return pushes.stream()
                .filter(p -> p.workload().equals(workload) && p.format().equals(format)
                        && p.conns() == conns && p.server().equals(server))
                .findFirst();
    }

    OptionalDouble jmhScore(String benchmark, String param) {
        return jmh.stream()
                .filter(s -> s.benchmark().equals(benchmark) && s.param().equals(param))
                .mapToDouble(JmhScore::score)
                .findFirst();
    }

    private static double parseOrNaN(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** JMH quotes every field and never embeds quotes or commas in them. */
    private static List<String> splitCsv(String line) {
        List<String> fields = new ArrayList<>();
        for (String field : line.split(",", -1)) {
            fields.add(field.replace("\"", ""));
        }
        return fields;
    }
}
