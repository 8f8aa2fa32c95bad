package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.TextFormatting;

import java.nio.charset.StandardCharsets;

/**
 * A metric or sample name as the text formats write it: a legacy name as it is; any other name
 * (which only scrapes with {@code escaping=allow-utf-8} see unescaped) in double quotes, escaped as
 * a label value, and inside the braces where it names a sample: {@code {"my.metric",a="1"} 1},
 * {@code # TYPE "my.metric" counter}.
 *
 * @param bytes  what is written
 * @param quoted whether it is quoted, so a sample writes it first inside the braces
 */
record SampleName(byte[] bytes, boolean quoted) {

    static SampleName of(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (MetricNames.isLegacyMetricName(name)) {
            return new SampleName(utf8, false);
        }
        byte[] escaped = new byte[2 * utf8.length + 2];
        escaped[0] = '"';
        int end = TextFormatting.escapeLabelValue(utf8, 0, utf8.length, escaped, 1);
        escaped[end++] = '"';
        return new SampleName(java.util.Arrays.copyOf(escaped, end), true);
    }

    /** The name with a suffix such as {@code _bucket}. */
    static SampleName of(String name, String suffix) {
        return of(name + suffix);
    }
}
