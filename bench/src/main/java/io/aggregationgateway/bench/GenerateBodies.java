package io.aggregationgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the push bodies bench/run feeds to wrk and curl:
 * {@code <workload>.txt} (where the workload has a text form) and {@code <workload>.pb} for each
 * workload, and {@code fill.pb},
 * the 10,000-series body that fills the store for the scrape runs. Same bytes on every run.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.aggregationgateway.bench.GenerateBodies <dir>}
 */
public final class GenerateBodies {
    private GenerateBodies() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GenerateBodies <output directory>");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (Workload workload : Workload.values()) {
            if (workload.hasText()) {
                Files.write(dir.resolve(workload.id() + ".txt"), BodyEncoding.text(workload.families()));
            }
            Files.write(dir.resolve(workload.id() + ".pb"), workload.protobufBody());
            // bench/run turns pushes/s into samples/s with this
            Files.writeString(dir.resolve(workload.id() + ".samples"), workload.samplesPerPush() + "\n");
        }
        Files.write(dir.resolve("fill.pb"), BodyEncoding.protobufDelimited(StoreFill.families()));
    }
}
