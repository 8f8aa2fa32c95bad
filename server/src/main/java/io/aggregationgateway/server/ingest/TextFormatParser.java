package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.ClassicHistogram;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.MetricType;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.Series;
import io.aggregationgateway.server.model.SummarySample;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Instances are immutable and thread-safe: all state of a parse lives in the call.
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
        return new Run(body, offset, offset + length, dialect == Dialect.OPENMETRICS_1_0_0).run();
    }

    // ---------------------------------------------------------------------------------------
    // character classes

    private static final int NAME_START = 1;   // [a-zA-Z_:]
    private static final int NAME = 2;         // [a-zA-Z0-9_:]
    private static final int LABEL_START = 4;  // [a-zA-Z_]
    private static final int LABEL = 8;        // [a-zA-Z0-9_]
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 128; c++) {
            int flags = 0;
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            if (letter || c == ':') {
                flags |= NAME_START | NAME;
            }
            if (digit) {
                flags |= NAME | LABEL;
            }
            if (letter) {
                flags |= LABEL_START | LABEL;
            }
            CLASS[c] = (byte) flags;
        }
    }

    private static boolean is(byte c, int flag) {
        return (CLASS[c & 0xff] & flag) != 0;
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final byte[] KW_HELP = ascii("HELP");
    private static final byte[] KW_TYPE = ascii("TYPE");
    private static final byte[] KW_UNIT = ascii("UNIT");
    private static final byte[] KW_EOF = ascii("EOF");
    private static final byte[] LE = ascii("le");
    private static final byte[] QUANTILE = ascii("quantile");
    private static final byte[] SUFFIX_BUCKET = ascii("_bucket");
    private static final byte[] SUFFIX_COUNT = ascii("_count");
    private static final byte[] SUFFIX_SUM = ascii("_sum");
    private static final byte[] SUFFIX_GCOUNT = ascii("_gcount");
    private static final byte[] SUFFIX_GSUM = ascii("_gsum");
    private static final byte[] SUFFIX_TOTAL = ascii("_total");
    private static final byte[] SUFFIX_INFO = ascii("_info");
    private static final byte[] SUFFIX_CREATED = ascii("_created");

    /** Longest excerpt of the input quoted in an error message, in characters. */
    private static final int MAX_EXCERPT = 40;

    /** Exact powers of ten as doubles (10^22 is the largest exactly representable one). */
    private static final double[] POW10 = new double[23];
    private static final long TWO_POW_53 = 1L << 53;

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    // ---------------------------------------------------------------------------------------
    // family bookkeeping

    /** A family's declared kind; {@code null} on a {@link Fam} means "none declared" (untyped). */
    private enum Kind {
        COUNTER("counter"), GAUGE("gauge"), UNTYPED("untyped"), HISTOGRAM("histogram"),
        GAUGE_HISTOGRAM("gaugehistogram"), SUMMARY("summary"), INFO("info"), STATESET("stateset"),
        UNKNOWN("unknown");

        final byte[] text;

        Kind(String text) {
            this.text = ascii(text);
        }

        static final Kind[] PROMETHEUS = {COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED};
        static final Kind[] OPENMETRICS = {COUNTER, GAUGE, HISTOGRAM, GAUGE_HISTOGRAM, SUMMARY, INFO, STATESET, UNKNOWN};

        boolean isHistogram() {
            return this == HISTOGRAM || this == GAUGE_HISTOGRAM;
        }
    }

    // what a sample line is to its family
    private static final int ROLE_SCALAR = 0;
    private static final int ROLE_BUCKET = 1;
    private static final int ROLE_HIST_COUNT = 2;
    private static final int ROLE_HIST_SUM = 3;
    private static final int ROLE_QUANTILE = 4;
    private static final int ROLE_SUMMARY_COUNT = 5;
    private static final int ROLE_SUMMARY_SUM = 6;
    private static final int ROLE_DROP = 7;
    private static final int ROLE_EXEMPLAR = 8; // label parsing only: labels are checked, not kept

    private static final class Fam {
        final byte[] key;
        final int hash;
        final String name;
        final int firstLine;
        Kind kind;
        String help;
        boolean helpSeen;
        boolean hasSamples;
        ArrayList<Series> scalars;
        LinkedHashMap<Labels, HistAcc> histograms;
        HistAcc lastHistogram;
        LinkedHashMap<Labels, SummaryAcc> summaries;
        SummaryAcc lastSummary;

        Fam(byte[] key, int hash, int firstLine) {
            this.key = key;
            this.hash = hash;
            this.name = new String(key, StandardCharsets.US_ASCII);
            this.firstLine = firstLine;
        }

        boolean isEmpty() {
            return (scalars == null || scalars.isEmpty())
                    && (histograms == null || histograms.isEmpty())
                    && (summaries == null || summaries.isEmpty());
        }

        String outputName(boolean om) {
            if (om && kind == Kind.COUNTER) {
                return name + "_total";
            }
            if (om && kind == Kind.INFO) {
                return name + "_info";
            }
            return name;
        }

        MetricType outputType() {
            if (kind == null) {
                return MetricType.UNTYPED;
            }
            return switch (kind) {
                case COUNTER -> MetricType.COUNTER;
                case GAUGE, INFO, STATESET -> MetricType.GAUGE;
                case UNTYPED, UNKNOWN -> MetricType.UNTYPED;
                case HISTOGRAM -> MetricType.HISTOGRAM;
                case GAUGE_HISTOGRAM -> MetricType.GAUGE_HISTOGRAM;
                case SUMMARY -> MetricType.SUMMARY;
            };
        }
    }

    private static final class HistAcc {
        final Labels labels;
        double[] bounds = new double[16];
        double[] counts = new double[16];
        int[] lines = new int[16];
        int n;
        boolean unsorted;
        Double count;
        Double sum;

        HistAcc(Labels labels) {
            this.labels = labels;
        }

        void addBucket(double bound, double value, int line) {
            if (n == bounds.length) {
                bounds = Arrays.copyOf(bounds, n * 2);
                counts = Arrays.copyOf(counts, n * 2);
                lines = Arrays.copyOf(lines, n * 2);
            }
            if (n > 0 && !(bound > bounds[n - 1])) {
                unsorted = true; // duplicates are found after sorting, see toSeries
            }
            bounds[n] = bound;
            counts[n] = value;
            lines[n] = line;
            n++;
        }
    }

    private static final class SummaryAcc {
        final Labels labels;
        Double count;
        Double sum;

        SummaryAcc(Labels labels) {
            this.labels = labels;
        }
    }

    // ---------------------------------------------------------------------------------------
    // one parse

    private static final class Run {
        private final byte[] b;
        private final int start;
        private final int end;
        private final boolean om;
        private int line;

        private final Labels.Builder labels = new Labels.Builder();
        private final ArrayList<Fam> families = new ArrayList<>();
        private Fam[] slots = new Fam[64];
        private int familyCount;
        private byte[] scratch = new byte[128];

        // the last resolved sample name (a range of b) and what it resolved to
        private int cacheOffset;
        private int cacheLength;
        private Fam cacheFam;
        private int cacheRole;

        // the current sample
        private Fam fam;
        private int role;
        private int nameStart;
        private int nameEnd;
        private boolean specialSeen;
        private double special;

        Run(byte[] body, int start, int end, boolean om) {
            this.b = body;
            this.start = start;
            this.end = end;
            this.om = om;
        }

        List<MetricFamily> run() throws PushRejectedException {
            int pos = start;
            boolean eof = false;
            while (pos < end) {
                line++;
                int nl = pos;
                while (nl < end && b[nl] != '\n') {
                    nl++;
                }
                int e = nl;
                if (e > pos && b[e - 1] == '\r') {
                    e--;
                }
                if (eof) {
                    throw error("expected end of body after # EOF, found "
                            + (pos == e ? "an empty line" : token(pos, e)));
                }
                eof = parseLine(pos, e);
                pos = nl + 1;
            }
            if (om && !eof) {
                line++;
                throw error("missing # EOF at end of body");
            }
            return finish();
        }

        /** Returns true when the line is OpenMetrics's {@code # EOF}. */
        private boolean parseLine(int p, int e) throws PushRejectedException {
            p = skipBlanks(p, e);
            if (p == e) {
                return false;
            }
            if (b[p] == '#') {
                return parseComment(p + 1, e);
            }
            parseSample(p, e);
            return false;
        }

        // ----------------------------------------------------------------- comments, metadata

        private boolean parseComment(int p, int e) throws PushRejectedException {
            p = skipBlanks(p, e);
            int keywordStart = p;
            p = skipToken(p, e);
            byte[] keyword = keyword(keywordStart, p);
            if (keyword == null || (!om && (keyword == KW_UNIT || keyword == KW_EOF))) {
                if (om) {
                    throw error("expected HELP, TYPE, UNIT or EOF after '#', found "
                            + (keywordStart == p ? found(p, e) : token(keywordStart, p)));
                }
                return false; // a plain comment
            }
            if (keyword == KW_EOF) {
                p = skipBlanks(p, e);
                if (p != e) {
                    throw error("expected end of line after # EOF, found " + found(p, e));
                }
                return true;
            }
            p = skipBlanks(p, e);
            if (p == e) {
                return false; // "# HELP" and nothing else: a plain comment, as in Go's parser
            }
            if (!is(b[p], NAME_START)) {
                throw error("expected metric name after # " + new String(keyword, StandardCharsets.US_ASCII)
                        + ", found " + found(p, e));
            }
            int ns = p;
            p = scanMetricName(p, e);
            if (p < e && !isBlank(b[p])) {
                throw error("expected metric name after # " + new String(keyword, StandardCharsets.US_ASCII)
                        + ", found " + token(ns, skipToken(ns, e)));
            }
            int ne = p;
            p = skipBlanks(p, e);
            if (p == e) {
                return false; // "# HELP name" without text: ignored, as in Go's parser
            }
            if (keyword == KW_HELP) {
                Fam f = familyFor(ns, ne);
                if (f.helpSeen) {
                    throw error("second HELP line for metric name " + quote(f.name));
                }
                f.help = parseHelp(p, e);
                f.helpSeen = true;
            } else if (keyword == KW_TYPE) {
                Kind kind = parseKind(p, e);
                Fam f = familyFor(ns, ne);
                if (f.kind != null) {
                    throw error("second TYPE line for metric name " + quote(f.name));
                }
                if (f.hasSamples) {
                    throw error("TYPE line for metric name " + quote(f.name) + " after its samples");
                }
                f.kind = kind;
                cacheFam = null;
            }
            // # UNIT: syntax checked, unit ignored
            return false;
        }

        private byte[] keyword(int s, int e) {
            if (equalsAscii(s, e, KW_HELP)) {
                return KW_HELP;
            }
            if (equalsAscii(s, e, KW_TYPE)) {
                return KW_TYPE;
            }
            if (equalsAscii(s, e, KW_UNIT)) {
                return KW_UNIT;
            }
            if (equalsAscii(s, e, KW_EOF)) {
                return KW_EOF;
            }
            return null;
        }

        private boolean equalsAscii(int s, int e, byte[] word) {
            return e - s == word.length && Arrays.equals(b, s, e, word, 0, word.length);
        }

        private Kind parseKind(int p, int e) throws PushRejectedException {
            int te = e;
            while (te > p && isBlank(b[te - 1])) {
                te--;
            }
            Kind[] kinds = om ? Kind.OPENMETRICS : Kind.PROMETHEUS;
            for (Kind kind : kinds) {
                if (equalsIgnoreCaseAscii(p, te, kind.text)) {
                    return kind;
                }
            }
            throw error("unknown metric type " + token(p, te) + ", expected "
                    + (om ? "counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"
                          : "counter, gauge, histogram, summary or untyped"));
        }

        private boolean equalsIgnoreCaseAscii(int s, int e, byte[] lowerWord) {
            if (e - s != lowerWord.length) {
                return false;
            }
            for (int i = 0; i < lowerWord.length; i++) {
                int c = b[s + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != lowerWord[i]) {
                    return false;
                }
            }
            return true;
        }

        private String parseHelp(int p, int e) throws PushRejectedException {
            boolean plain = true;
            for (int i = p; i < e; i++) {
                byte c = b[i];
                if (c == '\\' || c < 0) {
                    plain = false;
                    break;
                }
            }
            if (plain) {
                return new String(b, p, e - p, StandardCharsets.US_ASCII);
            }
            if (!Utf8.isValid(b, p, e)) {
                throw error("invalid UTF-8 in HELP text");
            }
            byte[] out = ensureScratch(e - p);
            int n = 0;
            for (int i = p; i < e; i++) {
                byte c = b[i];
                if (c != '\\') {
                    out[n++] = c;
                    continue;
                }
                if (++i == e) {
                    throw error("expected an escape sequence (\\\\ or \\n) after '\\' in HELP text, found end of line");
                }
                switch (b[i]) {
                    case '\\' -> out[n++] = '\\';
                    case 'n' -> out[n++] = '\n';
                    case '"' -> {
                        if (!om) {
                            throw error("invalid escape sequence '\\\"' in HELP text, expected \\\\ or \\n");
                        }
                        out[n++] = '"';
                    }
                    default -> throw error("invalid escape sequence " + escapeSequence(i, e) + " in HELP text, expected "
                            + (om ? "\\\\, \\\" or \\n" : "\\\\ or \\n"));
                }
            }
            return new String(out, 0, n, StandardCharsets.UTF_8);
        }

        // ------------------------------------------------------------------------- samples

        private void parseSample(int p, int e) throws PushRejectedException {
            if (!is(b[p], NAME_START)) {
                throw error("expected metric name or '#', found " + found(p, e));
            }
            nameStart = p;
            p = scanMetricName(p, e);
            nameEnd = p;
            resolve();
            specialSeen = false;
            int q = skipBlanks(p, e);
            if (q < e && b[q] == '{') {
                p = parseLabels(q + 1, e, role);
                p = skipBlanks(p, e);
            } else {
                if (q == p && p < e) {
                    throw error("expected '{' or a space after metric name " + quote(nameStart, nameEnd)
                            + ", found " + found(p, e));
                }
                p = q;
            }
            if (p == e) {
                throw error("expected sample value after " + quote(nameStart, nameEnd) + ", found end of line");
            }
            int vs = p;
            p = skipToken(p, e);
            double value = parseDouble(b, vs, p, "sample value");
            p = skipBlanks(p, e);
            if (p < e) {
                if (!(om && b[p] == '#')) {
                    int ts = p;
                    p = skipToken(p, e);
                    parseTimestamp(ts, p);
                    p = skipBlanks(p, e);
                }
                if (p < e) {
                    if (om && b[p] == '#') {
                        parseExemplar(p + 1, e);
                    } else {
                        throw error("expected end of line after timestamp, found " + found(p, e));
                    }
                }
            }
            Labels built;
            try {
                built = labels.build();
            } catch (IllegalArgumentException duplicate) {
                throw error(duplicate.getMessage() + " in sample " + quote(nameStart, nameEnd));
            }
            commit(built, value);
        }

        private void commit(Labels sampleLabels, double value) throws PushRejectedException {
            Fam f = fam;
            switch (role) {
                case ROLE_SCALAR -> f.scalars.add(new ScalarSample(sampleLabels, value));
                case ROLE_BUCKET -> {
                    if (!specialSeen) {
                        throw error("expected label \"le\" on histogram bucket sample " + quote(nameStart, nameEnd));
                    }
                    histogram(f, sampleLabels).addBucket(special, value, line);
                }
                case ROLE_HIST_COUNT -> {
                    HistAcc h = histogram(f, sampleLabels);
                    if (h.count != null) {
                        throw duplicate(f, sampleLabels, "histogram");
                    }
                    h.count = value;
                }
                case ROLE_HIST_SUM -> {
                    HistAcc h = histogram(f, sampleLabels);
                    if (h.sum != null) {
                        throw duplicate(f, sampleLabels, "histogram");
                    }
                    h.sum = value;
                }
                case ROLE_QUANTILE -> {
                    if (!specialSeen) {
                        throw error("expected label \"quantile\" on summary sample " + quote(nameStart, nameEnd));
                    }
                    summary(f, sampleLabels);
                }
                case ROLE_SUMMARY_COUNT -> {
                    SummaryAcc s = summary(f, sampleLabels);
                    if (s.count != null) {
                        throw duplicate(f, sampleLabels, "summary");
                    }
                    s.count = value;
                }
                case ROLE_SUMMARY_SUM -> {
                    SummaryAcc s = summary(f, sampleLabels);
                    if (s.sum != null) {
                        throw duplicate(f, sampleLabels, "summary");
                    }
                    s.sum = value;
                }
                default -> {
                    // ROLE_DROP: a _created sample
                }
            }
        }

        private PushRejectedException duplicate(Fam f, Labels sampleLabels, String type) {
            return error("duplicate sample " + quote(nameStart, nameEnd) + " for " + type + " " + quote(f.name)
                    + " series " + cap(sampleLabels.toString()));
        }

        private HistAcc histogram(Fam f, Labels sampleLabels) {
            HistAcc last = f.lastHistogram;
            if (last != null && last.labels.equals(sampleLabels)) {
                return last;
            }
            if (f.histograms == null) {
                f.histograms = new LinkedHashMap<>();
            }
            HistAcc h = f.histograms.get(sampleLabels);
            if (h == null) {
                h = new HistAcc(sampleLabels);
                f.histograms.put(sampleLabels, h);
            }
            f.lastHistogram = h;
            return h;
        }

        private SummaryAcc summary(Fam f, Labels sampleLabels) {
            SummaryAcc last = f.lastSummary;
            if (last != null && last.labels.equals(sampleLabels)) {
                return last;
            }
            if (f.summaries == null) {
                f.summaries = new LinkedHashMap<>();
            }
            SummaryAcc s = f.summaries.get(sampleLabels);
            if (s == null) {
                s = new SummaryAcc(sampleLabels);
                f.summaries.put(sampleLabels, s);
            }
            f.lastSummary = s;
            return s;
        }

        /**
         * Parses labels after '{' up to and including '}' and returns the position after it.
         * Regular labels go into {@link #labels}; the {@code le}/{@code quantile} label of a
         * bucket/quantile sample goes into {@link #special}.
         */
        private int parseLabels(int p, int e, int sampleRole) throws PushRejectedException {
            while (true) {
                p = skipBlanks(p, e);
                if (p < e && b[p] == '}') {
                    return p + 1;
                }
                if (p == e || !is(b[p], LABEL_START)) {
                    throw error("expected label name or '}', found " + found(p, e));
                }
                int ls = p;
                p++;
                while (p < e && is(b[p], LABEL)) {
                    p++;
                }
                int le = p;
                p = skipBlanks(p, e);
                if (p == e || b[p] != '=') {
                    throw error("expected '=' after label name " + quote(ls, le) + ", found " + found(p, e));
                }
                p = skipBlanks(p + 1, e);
                if (p == e || b[p] != '"') {
                    throw error("expected '\"' to open the value of label " + quote(ls, le) + ", found " + found(p, e));
                }
                p++;
                int vs = p;
                boolean escaped = false;
                boolean nonAscii = false;
                while (p < e) {
                    byte c = b[p];
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        escaped = true;
                        p += 2;
                        continue;
                    }
                    if (c < 0) {
                        nonAscii = true;
                    }
                    p++;
                }
                if (p >= e) {
                    throw error("expected '\"' to close the value of label " + quote(ls, le) + ", found end of line");
                }
                int ve = p;
                p++;
                if (nonAscii && !Utf8.isValid(b, vs, ve)) {
                    throw error("invalid UTF-8 in the value of label " + quote(ls, le));
                }
                byte[] vb = b;
                int vo = vs;
                int vl = ve - vs;
                if (escaped) {
                    vl = unescapeLabelValue(vs, ve, ls, le);
                    vb = scratch;
                    vo = 0;
                }
                int nameLength = le - ls;
                if (sampleRole == ROLE_EXEMPLAR) {
                    // checked, not kept
                } else if (isName(ls, nameLength, LE) && sampleRole == ROLE_BUCKET) {
                    specialLabel(vb, vo, vl, ls, le, "value of label \"le\"");
                    if (Double.isNaN(special)) {
                        throw error("expected a number other than NaN as value of label \"le\", found \"NaN\"");
                    }
                } else if (isName(ls, nameLength, QUANTILE) && sampleRole == ROLE_QUANTILE) {
                    specialLabel(vb, vo, vl, ls, le, "value of label \"quantile\"");
                } else if (isName(ls, nameLength, LE) && (sampleRole == ROLE_HIST_COUNT || sampleRole == ROLE_HIST_SUM)
                        || isName(ls, nameLength, QUANTILE)
                        && (sampleRole == ROLE_SUMMARY_COUNT || sampleRole == ROLE_SUMMARY_SUM)) {
                    throw error("unexpected label " + quote(ls, le) + " on sample " + quote(nameStart, nameEnd));
                } else {
                    labels.addRaw(b, ls, nameLength, vb, vo, vl);
                }
                p = skipBlanks(p, e);
                if (p < e && b[p] == ',') {
                    p++;
                    continue;
                }
                if (p < e && b[p] == '}') {
                    return p + 1;
                }
                throw error("expected ',' or '}' after the value of label " + quote(ls, le) + ", found " + found(p, e));
            }
        }

        private boolean isName(int s, int length, byte[] name) {
            return length == name.length && Arrays.equals(b, s, s + length, name, 0, length);
        }

        private void specialLabel(byte[] vb, int vo, int vl, int ls, int le, String what) throws PushRejectedException {
            if (specialSeen) {
                throw error("label name " + new String(b, ls, le - ls, StandardCharsets.US_ASCII)
                        + " appears twice in sample " + quote(nameStart, nameEnd));
            }
            specialSeen = true;
            special = parseDouble(vb, vo, vo + vl, what);
        }

        /** Unescapes b[vs, ve) into scratch and returns the length. */
        private int unescapeLabelValue(int vs, int ve, int ls, int le) throws PushRejectedException {
            byte[] out = ensureScratch(ve - vs);
            int n = 0;
            for (int i = vs; i < ve; i++) {
                byte c = b[i];
                if (c != '\\') {
                    out[n++] = c;
                    continue;
                }
                i++; // the scan guarantees a byte after the backslash
                switch (b[i]) {
                    case '\\' -> out[n++] = '\\';
                    case '"' -> out[n++] = '"';
                    case 'n' -> out[n++] = '\n';
                    default -> throw error("invalid escape sequence " + escapeSequence(i, ve)
                            + " in the value of label " + quote(ls, le) + ", expected \\\\, \\\" or \\n");
                }
            }
            return n;
        }

        private void parseExemplar(int p, int e) throws PushRejectedException {
            p = skipBlanks(p, e);
            if (p == e || b[p] != '{') {
                throw error("expected '{' to open the exemplar's labels, found " + found(p, e));
            }
            p = parseLabels(p + 1, e, ROLE_EXEMPLAR);
            p = skipBlanks(p, e);
            if (p == e) {
                throw error("expected exemplar value, found end of line");
            }
            int vs = p;
            p = skipToken(p, e);
            parseDouble(b, vs, p, "exemplar value");
            p = skipBlanks(p, e);
            if (p < e) {
                int ts = p;
                p = skipToken(p, e);
                parseTimestamp(ts, p);
                p = skipBlanks(p, e);
                if (p < e) {
                    throw error("expected end of line after exemplar timestamp, found " + found(p, e));
                }
            }
        }

        /** Checks a timestamp's syntax: an integer in 0.0.4, a finite number in OpenMetrics. */
        private void parseTimestamp(int s, int e) throws PushRejectedException {
            if (om) {
                double t = parseDouble(b, s, e, "timestamp");
                if (Double.isNaN(t) || Double.isInfinite(t)) {
                    throw error("expected a finite number as timestamp, found " + token(s, e));
                }
                return;
            }
            int i = s;
            boolean negative = false;
            if (i < e && (b[i] == '+' || b[i] == '-')) {
                negative = b[i] == '-';
                i++;
            }
            if (i == e) {
                throw error("expected an integer timestamp, found " + token(s, e));
            }
            long v = 0; // accumulated negatively so that Long.MIN_VALUE fits
            for (; i < e; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    throw error("expected an integer timestamp, found " + token(s, e));
                }
                if (v < (Long.MIN_VALUE + d) / 10) {
                    throw error("timestamp out of range, found " + token(s, e));
                }
                v = v * 10 - d;
            }
            if (!negative && v == Long.MIN_VALUE) {
                throw error("timestamp out of range, found " + token(s, e));
            }
        }

        // ------------------------------------------------------------------ name resolution

        /** Finds the family and role of the sample named b[nameStart, nameEnd). */
        private void resolve() throws PushRejectedException {
            int length = nameEnd - nameStart;
            if (cacheFam != null && length == cacheLength
                    && Arrays.equals(b, nameStart, nameEnd, b, cacheOffset, cacheOffset + length)) {
                fam = cacheFam;
                role = cacheRole;
                return;
            }
            Fam f = lookup(b, nameStart, length, null);
            int r;
            if (f != null) {
                r = exactRole(f);
            } else if ((f = base(SUFFIX_BUCKET)) != null && f.kind != null && f.kind.isHistogram()) {
                r = ROLE_BUCKET;
            } else if ((f = base(SUFFIX_COUNT)) != null && (f.kind == Kind.HISTOGRAM || f.kind == Kind.SUMMARY)) {
                r = f.kind == Kind.HISTOGRAM ? ROLE_HIST_COUNT : ROLE_SUMMARY_COUNT;
            } else if ((f = base(SUFFIX_SUM)) != null && (f.kind == Kind.HISTOGRAM || f.kind == Kind.SUMMARY)) {
                r = f.kind == Kind.HISTOGRAM ? ROLE_HIST_SUM : ROLE_SUMMARY_SUM;
            } else if (om && (f = base(SUFFIX_GCOUNT)) != null && f.kind == Kind.GAUGE_HISTOGRAM) {
                r = ROLE_HIST_COUNT;
            } else if (om && (f = base(SUFFIX_GSUM)) != null && f.kind == Kind.GAUGE_HISTOGRAM) {
                r = ROLE_HIST_SUM;
            } else if (om && (f = base(SUFFIX_TOTAL)) != null && f.kind == Kind.COUNTER) {
                r = ROLE_SCALAR;
            } else if (om && (f = base(SUFFIX_INFO)) != null && f.kind == Kind.INFO) {
                r = ROLE_SCALAR;
            } else if ((f = createdOf()) != null) {
                r = ROLE_DROP;
            } else {
                f = newFamily(nameStart, nameEnd);
                r = ROLE_SCALAR;
            }
            if (r == ROLE_SCALAR && f.scalars == null) {
                f.scalars = new ArrayList<>();
            }
            f.hasSamples = true;
            fam = f;
            role = r;
            cacheFam = f;
            cacheRole = r;
            cacheOffset = nameStart;
            cacheLength = length;
        }

        private int exactRole(Fam f) throws PushRejectedException {
            if (f.kind == null) {
                return ROLE_SCALAR;
            }
            return switch (f.kind) {
                case GAUGE, UNTYPED, STATESET, UNKNOWN -> ROLE_SCALAR;
                case COUNTER -> {
                    if (om) {
                        throw error("expected sample name " + quote(f.name + "_total") + " or "
                                + quote(f.name + "_created") + " for counter " + quote(f.name) + ", found " + quote(f.name));
                    }
                    yield ROLE_SCALAR;
                }
                case INFO -> throw error("expected sample name " + quote(f.name + "_info") + " for info "
                        + quote(f.name) + ", found " + quote(f.name));
                case HISTOGRAM -> throw error("expected sample name " + quote(f.name + "_bucket") + ", "
                        + quote(f.name + "_count") + " or " + quote(f.name + "_sum") + " for histogram "
                        + quote(f.name) + ", found " + quote(f.name));
                case GAUGE_HISTOGRAM -> throw error("expected sample name " + quote(f.name + "_bucket") + ", "
                        + quote(f.name + "_gcount") + " or " + quote(f.name + "_gsum") + " for gaugehistogram "
                        + quote(f.name) + ", found " + quote(f.name));
                case SUMMARY -> ROLE_QUANTILE;
            };
        }

        /** The family named like the current sample without {@code suffix}, if the name has it. */
        private Fam base(byte[] suffix) {
            int length = nameEnd - nameStart - suffix.length;
            if (length <= 0 || !Arrays.equals(b, nameEnd - suffix.length, nameEnd, suffix, 0, suffix.length)) {
                return null;
            }
            return lookup(b, nameStart, length, null);
        }

        /** For a sample {@code N_created}: a counter {@code N} or {@code N_total}, a histogram or summary {@code N}. */
        private Fam createdOf() {
            Fam f = base(SUFFIX_CREATED);
            if (f != null && (f.kind == Kind.COUNTER || f.kind == Kind.HISTOGRAM || f.kind == Kind.SUMMARY)) {
                return f;
            }
            int length = nameEnd - nameStart - SUFFIX_CREATED.length;
            if (length > 0 && Arrays.equals(b, nameEnd - SUFFIX_CREATED.length, nameEnd,
                    SUFFIX_CREATED, 0, SUFFIX_CREATED.length)) {
                f = lookup(b, nameStart, length, SUFFIX_TOTAL);
                if (f != null && f.kind == Kind.COUNTER) {
                    return f;
                }
            }
            return null;
        }

        // ------------------------------------------------------------------ family table

        private Fam familyFor(int ns, int ne) {
            Fam f = lookup(b, ns, ne - ns, null);
            return f != null ? f : newFamily(ns, ne);
        }

        private Fam newFamily(int ns, int ne) {
            Fam f = new Fam(Arrays.copyOfRange(b, ns, ne), hash(b, ns, ne - ns, null), line);
            if ((familyCount + 1) * 2 > slots.length) {
                Fam[] old = slots;
                slots = new Fam[old.length * 2];
                for (Fam o : old) {
                    if (o != null) {
                        insert(o);
                    }
                }
            }
            insert(f);
            familyCount++;
            families.add(f);
            cacheFam = null;
            return f;
        }

        private void insert(Fam f) {
            int mask = slots.length - 1;
            int i = f.hash & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = f;
        }

        /** The family named buf[offset, offset+length) followed by {@code suffix} (may be null). */
        private Fam lookup(byte[] buf, int offset, int length, byte[] suffix) {
            int h = hash(buf, offset, length, suffix);
            int mask = slots.length - 1;
            int total = length + (suffix == null ? 0 : suffix.length);
            for (int i = h & mask; ; i = (i + 1) & mask) {
                Fam f = slots[i];
                if (f == null) {
                    return null;
                }
                if (f.hash == h && f.key.length == total
                        && Arrays.equals(f.key, 0, length, buf, offset, offset + length)
                        && (suffix == null || Arrays.equals(f.key, length, total, suffix, 0, suffix.length))) {
                    return f;
                }
            }
        }

        private static int hash(byte[] buf, int offset, int length, byte[] suffix) {
            int h = 1;
            for (int i = offset, e = offset + length; i < e; i++) {
                h = 31 * h + buf[i];
            }
            if (suffix != null) {
                for (byte c : suffix) {
                    h = 31 * h + c;
                }
            }
            return h ^ (h >>> 16) ^ (h >>> 7);
        }

        // ------------------------------------------------------------------ result

        private List<MetricFamily> finish() throws PushRejectedException {
            ArrayList<MetricFamily> out = new ArrayList<>(families.size());
            Map<String, MetricFamily> byName = new HashMap<>();
            boolean createdCandidates = false;
            for (Fam f : families) {
                if (f.isEmpty()) {
                    continue;
                }
                String name = f.outputName(om);
                MetricFamily family = new MetricFamily(name, f.outputType(), f.help, series(f));
                if (byName.putIfAbsent(name, family) != null) {
                    line = f.firstLine;
                    throw error("family " + quote(name) + " appears twice (as " + quote(f.name) + " of type "
                            + family.type().textName() + " and earlier)");
                }
                out.add(family);
                createdCandidates |= name.endsWith("_created");
            }
            if (!createdCandidates) {
                return out;
            }
            ArrayList<MetricFamily> kept = new ArrayList<>(out.size());
            for (MetricFamily family : out) {
                if (!isStandaloneCreated(family, byName)) {
                    kept.add(family);
                }
            }
            return kept;
        }

        private static boolean isStandaloneCreated(MetricFamily family, Map<String, MetricFamily> byName) {
            String name = family.name();
            if (!name.endsWith("_created")
                    || (family.type() != MetricType.GAUGE && family.type() != MetricType.UNTYPED)) {
                return false;
            }
            String base = name.substring(0, name.length() - "_created".length());
            MetricFamily total = byName.get(base + "_total");
            if (total != null && total.type() == MetricType.COUNTER) {
                return true;
            }
            MetricFamily same = byName.get(base);
            return same != null && (same.type() == MetricType.COUNTER
                    || same.type() == MetricType.HISTOGRAM || same.type() == MetricType.SUMMARY);
        }

        private List<Series> series(Fam f) throws PushRejectedException {
            if (f.scalars != null && !f.scalars.isEmpty()) {
                return f.scalars;
            }
            ArrayList<Series> out = new ArrayList<>();
            if (f.histograms != null) {
                for (HistAcc h : f.histograms.values()) {
                    out.add(toSeries(f, h));
                }
            }
            if (f.summaries != null) {
                for (SummaryAcc s : f.summaries.values()) {
                    out.add(new SummarySample(s.labels, s.count, s.sum));
                }
            }
            return out;
        }

        private ClassicHistogram toSeries(Fam f, HistAcc h) throws PushRejectedException {
            int n = h.n;
            double[] bounds = Arrays.copyOf(h.bounds, n);
            double[] counts = Arrays.copyOf(h.counts, n);
            if (h.unsorted) {
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (x, y) -> Double.compare(h.bounds[x] == 0 ? 0.0 : h.bounds[x],
                        h.bounds[y] == 0 ? 0.0 : h.bounds[y])); // -0.0 and 0.0 are one bound
                int duplicateLine = Integer.MAX_VALUE;
                double duplicateBound = 0;
                for (int k = 0; k < n; k++) {
                    int i = order[k];
                    bounds[k] = h.bounds[i];
                    counts[k] = h.counts[i];
                    if (k > 0 && h.bounds[i] == h.bounds[order[k - 1]]) {
                        int laterLine = Math.max(h.lines[i], h.lines[order[k - 1]]);
                        if (laterLine < duplicateLine) {
                            duplicateLine = laterLine;
                            duplicateBound = h.bounds[i];
                        }
                    }
                }
                if (duplicateLine != Integer.MAX_VALUE) {
                    line = duplicateLine;
                    throw error("duplicate bucket le=\"" + formatBound(duplicateBound) + "\" for histogram "
                            + quote(f.name) + " series " + cap(h.labels.toString()));
                }
            }
            return new ClassicHistogram(h.labels, bounds, counts, h.count, h.sum);
        }

        private static String formatBound(double bound) {
            if (bound == Double.POSITIVE_INFINITY) {
                return "+Inf";
            }
            if (bound == Double.NEGATIVE_INFINITY) {
                return "-Inf";
            }
            return bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? Long.toString((long) bound) : Double.toString(bound);
        }

        // ------------------------------------------------------------------ numbers

        /**
         * Parses buf[s, e) as Go's {@code strconv.ParseFloat} does (decimal only): optional sign,
         * digits with an optional point and exponent, or inf/infinity/nan (case-insensitive).
         */
        private double parseDouble(byte[] buf, int s, int e, String what) throws PushRejectedException {
            int i = s;
            boolean negative = false;
            if (i < e && (buf[i] == '+' || buf[i] == '-')) {
                negative = buf[i] == '-';
                i++;
            }
            if (i == e) {
                throw notANumber(buf, s, e, what);
            }
            byte c = buf[i];
            if (c == 'i' || c == 'I' || c == 'n' || c == 'N') {
                return parseSpecial(buf, s, i, e, negative, what);
            }
            long mantissa = 0;
            boolean exact = true;
            boolean digits = false;
            int fractionDigits = 0;
            while (i < e && (c = buf[i]) >= '0' && c <= '9') {
                if (mantissa <= 99_999_999_999_999_999L) {
                    mantissa = mantissa * 10 + (c - '0');
                } else {
                    exact = false;
                }
                digits = true;
                i++;
            }
            if (i < e && buf[i] == '.') {
                i++;
                while (i < e && (c = buf[i]) >= '0' && c <= '9') {
                    if (mantissa <= 99_999_999_999_999_999L) {
                        mantissa = mantissa * 10 + (c - '0');
                        fractionDigits++;
                    } else {
                        exact = false;
                    }
                    digits = true;
                    i++;
                }
            }
            if (!digits) {
                throw notANumber(buf, s, e, what);
            }
            int exponent = 0;
            if (i < e && (buf[i] == 'e' || buf[i] == 'E')) {
                i++;
                boolean negativeExponent = false;
                if (i < e && (buf[i] == '+' || buf[i] == '-')) {
                    negativeExponent = buf[i] == '-';
                    i++;
                }
                if (i == e) {
                    throw notANumber(buf, s, e, what);
                }
                while (i < e && (c = buf[i]) >= '0' && c <= '9') {
                    if (exponent < 100_000) {
                        exponent = exponent * 10 + (c - '0');
                    }
                    i++;
                }
                if (negativeExponent) {
                    exponent = -exponent;
                }
            }
            if (i != e) {
                throw notANumber(buf, s, e, what);
            }
            if (exact) {
                if (mantissa == 0) {
                    return negative ? -0.0 : 0.0;
                }
                int scale = exponent - fractionDigits;
                if (mantissa <= TWO_POW_53 && scale >= -22 && scale <= 22) {
                    // both operands exact: one correctly rounded operation, as Double.parseDouble
                    double v = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
                    return negative ? -v : v;
                }
            }
            double v = Double.parseDouble(new String(buf, s, e - s, StandardCharsets.US_ASCII));
            if (Double.isInfinite(v)) {
                throw error(what + " out of range, found " + token(buf, s, e));
            }
            return v;
        }

        private double parseSpecial(byte[] buf, int s, int i, int e, boolean negative, String what)
                throws PushRejectedException {
            int length = e - i;
            if (length == 3 || length == 8) {
                boolean inf = true;
                for (int k = 0; k < length; k++) {
                    int c = buf[i + k] | 0x20;
                    if (c != "infinity".charAt(k)) {
                        inf = false;
                        break;
                    }
                }
                if (inf) {
                    return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                }
            }
            if (length == 3 && i == s && (buf[i] | 0x20) == 'n' && (buf[i + 1] | 0x20) == 'a' && (buf[i + 2] | 0x20) == 'n') {
                return Double.NaN;
            }
            throw notANumber(buf, s, e, what);
        }

        private PushRejectedException notANumber(byte[] buf, int s, int e, String what) {
            return error("expected a number as " + what + ", found " + (s == e ? "nothing" : token(buf, s, e)));
        }

        // ------------------------------------------------------------------ scanning

        private int skipBlanks(int p, int e) {
            while (p < e && isBlank(b[p])) {
                p++;
            }
            return p;
        }

        private int skipToken(int p, int e) {
            while (p < e && !isBlank(b[p])) {
                p++;
            }
            return p;
        }

        private int scanMetricName(int p, int e) {
            p++;
            while (p < e && is(b[p], NAME)) {
                p++;
            }
            return p;
        }

        private byte[] ensureScratch(int size) {
            if (scratch.length < size) {
                scratch = new byte[Math.max(size, scratch.length * 2)];
            }
            return scratch;
        }

        // ------------------------------------------------------------------ messages

        private PushRejectedException error(String message) {
            return new PushRejectedException(RejectionReason.MALFORMED, "line " + line + ": " + message);
        }

        /** What is at position p: a quoted character, or "end of line". */
        private String found(int p, int e) {
            if (p >= e) {
                return "end of line";
            }
            int c = b[p] & 0xff;
            if (c == '\'') {
                return "\"'\"";
            }
            if (c >= 0x20 && c < 0x7f) {
                return "'" + (char) c + "'";
            }
            if (c >= 0x80) {
                int n = 1;
                while (n < 4 && p + n < e && (b[p + n] & 0xc0) == 0x80) {
                    n++;
                }
                if (Utf8.isValid(b, p, p + n)) {
                    return "'" + new String(b, p, n, StandardCharsets.UTF_8) + "'";
                }
            }
            return String.format("byte 0x%02x", c);
        }

        private String token(int s, int e) {
            return token(b, s, e);
        }

        private static String token(byte[] buf, int s, int e) {
            return quote(new String(buf, s, Math.min(e - s, MAX_EXCERPT * 4), StandardCharsets.UTF_8));
        }

        private String quote(int s, int e) {
            return token(b, s, e);
        }

        private String escapeSequence(int i, int e) {
            // i is the position of the byte after the backslash
            int n = 1;
            if ((b[i] & 0x80) != 0) {
                while (n < 4 && i + n < e && (b[i + n] & 0xc0) == 0x80) {
                    n++;
                }
            }
            return "'\\" + new String(b, i, n, StandardCharsets.UTF_8) + "'";
        }

        private static String quote(String s) {
            StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_EXCERPT) + 8).append('"');
            int chars = 0;
            for (int i = 0; i < s.length(); i++) {
                if (chars == MAX_EXCERPT) {
                    out.append("...");
                    break;
                }
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    case '\r' -> out.append("\\r");
                    default -> {
                        if (c < 0x20 || c == 0x7f) {
                            out.append(String.format("\\x%02x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
                chars++;
            }
            return out.append('"').toString();
        }

        private static String cap(String s) {
            return s.length() <= MAX_EXCERPT * 2 ? s : s.substring(0, MAX_EXCERPT * 2) + "...";
        }
    }

    // ---------------------------------------------------------------------------------------

    /** UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF). */
    static final class Utf8 {
        private Utf8() {
        }

        static boolean isValid(byte[] b, int s, int e) {
            int i = s;
            while (i < e) {
                int c = b[i];
                if (c >= 0) {
                    i++;
                    continue;
                }
                c &= 0xff;
                if (c < 0xc2) {
                    return false;
                }
                if (c < 0xe0) {
                    if (i + 1 >= e || (b[i + 1] & 0xc0) != 0x80) {
                        return false;
                    }
                    i += 2;
                } else if (c < 0xf0) {
                    if (i + 2 >= e) {
                        return false;
                    }
                    int c1 = b[i + 1] & 0xff;
                    if ((c1 & 0xc0) != 0x80 || (b[i + 2] & 0xc0) != 0x80
                            || (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) {
                        return false;
                    }
                    i += 3;
                } else if (c < 0xf5) {
                    if (i + 3 >= e) {
                        return false;
                    }
                    int c1 = b[i + 1] & 0xff;
                    if ((c1 & 0xc0) != 0x80 || (b[i + 2] & 0xc0) != 0x80 || (b[i + 3] & 0xc0) != 0x80
                            || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) {
                        return false;
                    }
                    i += 4;
                } else {
                    return false;
                }
            }
            return true;
        }
    }
}
