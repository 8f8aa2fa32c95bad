package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;

import java.util.List;
import java.util.Objects;

/**
 * Decodes a push body in the Prometheus text exposition format 0.0.4 or in OpenMetrics 1.0.0
 * text into {@link MetricFamily families}.
 *
 * <p>The rules follow Prometheus's Go text parser ({@code expfmt.TextParser}): samples are
 * grouped into the family that a {@code # TYPE} line declared (a histogram {@code h} owns
 * {@code h_bucket}, {@code h_count} and {@code h_sum}, a summary {@code s} owns {@code s},
 * {@code s_count} and {@code s_sum}); samples of no declared family form an untyped family of
 * their own name; samples of one family in separate places of the body are merged; a second
 * {@code # TYPE} or {@code # HELP} line for a name, or a {@code # TYPE} line after samples of
 * that name, is an error. Families without any sample are left out. {@code _created} samples
 * of counters, histograms and summaries are dropped, and so are standalone {@code N_created}
 * gauge or untyped families that sit next to a counter {@code N_total}/{@code N} or a
 * histogram/summary {@code N} (client_python writes those in 0.0.4).
 *
 * <p>The parser works on the bytes: no regular expressions and no String per line. Per sample
 * it allocates the {@link Labels} and the sample record only; a family's name String is
 * created when the family first appears. Every error is a {@link PushRejectedException} with
 * reason {@link RejectionReason#MALFORMED} and a message {@code line N: expected ..., found ...}.
 *
 * <p>Instances are immutable and thread-safe: all state of a parse lives in the call, a
 * {@link TextParseRun} that reads the lines. It asks a {@link SampleNameResolver} which family
 * a sample belongs to, keeps the families in a {@link FamilyTable} of {@link FamilyBuilder}s,
 * reads numbers with {@link GoNumberSyntax} and words its errors with {@link ParseErrors}.
 */
public final class TextFormatParser {

    /** The text format of a body. */
    public enum Dialect { PROMETHEUS_TEXT_0_0_4, OPENMETRICS_1_0_0 }

    private final Dialect dialect;

    public TextFormatParser(Dialect dialect) {
        this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    /**
     * Parses a whole push body.
     *
     * @return the families in the order they were first mentioned
     * @throws PushRejectedException with reason {@link RejectionReason#MALFORMED} on any syntax
     *                               error; the message starts with {@code line N: }
     */
    public List<MetricFamily> parse(byte[] body, int offset, int length) throws PushRejectedException {
        Objects.checkFromIndexSize(offset, length, body.length);
        return new TextParseRun(body, offset, offset + length, dialect == Dialect.OPENMETRICS_1_0_0).parse();
    }
}
