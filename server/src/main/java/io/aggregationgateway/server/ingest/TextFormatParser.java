package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.ingest.TextFamilies.Role;
import io.aggregationgateway.server.model.ByteWords;
import io.aggregationgateway.server.model.DecodedFamilies;
import io.aggregationgateway.server.model.HeldLabels;
import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.TextFormatting;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decodes a push body in the Prometheus text exposition format 0.0.4 or in OpenMetrics 1.0.0
 * text into {@link MetricFamily families}.
 *
 * <p>Metric and label names outside the legacy character set come quoted, as Prometheus 3
 * writes them (text 1.0.0): the metric name first inside the braces, label names quoted like
 * values, {@code {"my.metric","http.method"="GET"} 1}, and {@code # HELP "my.metric" ...},
 * {@code # TYPE "my.metric" counter}. Quoted names may be any UTF-8, escaped as label values are;
 * a quoted legacy name is the same name unquoted. All dialects read them.
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
 * created when the family first appears. Every syntax error is a {@link PushRejectedException}
 * with reason {@link RejectionReason#MALFORMED} and a message {@code line N: expected ...,
 * found ...}. A sample with more labels than the limit is refused as soon as its labels are
 * read ({@link RejectionReason#LABEL_LIMIT_EXCEEDED}), so a huge label set is never sorted.
 *
 * <p>Instances are immutable and thread-safe: a parse's state lives in a {@link Run}, which
 * reads the lines (this file is the grammar), and its {@link TextFamilies}, which decides which
 * family each sample belongs to and collects them. Numbers are read by {@link GoNumberSyntax}.
 */
public final class TextFormatParser {

    /** The text format of a body. */
    public enum Dialect { PROMETHEUS_TEXT_0_0_4, OPENMETRICS_1_0_0 }

    private final boolean openMetrics;
    private final int maxLabelsPerSeries;

    /** A parser without a label limit. */
    public TextFormatParser(Dialect dialect) {
        this(dialect, Integer.MAX_VALUE);
    }

    /** @param maxLabelsPerSeries most labels (with a value) one sample may carry; more are refused */
    public TextFormatParser(Dialect dialect, int maxLabelsPerSeries) {
        this.openMetrics = Objects.requireNonNull(dialect, "dialect") == Dialect.OPENMETRICS_1_0_0;
        if (maxLabelsPerSeries < 0) {
            throw new IllegalArgumentException("maxLabelsPerSeries must not be negative: " + maxLabelsPerSeries);
        }
        this.maxLabelsPerSeries = maxLabelsPerSeries;
    }

    /**
     * Parses a whole push body.
     *
     * @return the families in the order they were first mentioned
     * @throws PushRejectedException with reason {@link RejectionReason#MALFORMED} on any syntax
     *                               error, {@link RejectionReason#LABEL_LIMIT_EXCEEDED} on a sample
     *                               with too many labels; the message starts with {@code line N: }
     */
    public List<MetricFamily> parse(byte[] body, int offset, int length) throws PushRejectedException {
        Objects.checkFromIndexSize(offset, length, body.length);
        return new Run(body, offset, offset + length, openMetrics, maxLabelsPerSeries, Labels.EMPTY, HeldLabels.NONE).parse();
    }

    /**
     * Parses a whole push body to the group {@code grouping}: as {@link #parse(byte[], int, int)},
     * but each series' labels are built with the grouping labels added ({@link Labels.Builder#buildWith}),
     * which saves the engine a second copy of every label set. Where a sample carries a grouping
     * label's name itself, the body is read again without them, so that the engine applies its rule
     * (the grouping label wins) to series as pushed. A rejected body is read again without them too:
     * messages name series by the labels they were pushed with.
     *
     * @throws PushRejectedException as {@link #parse(byte[], int, int)} does, with the same message
     */
    public List<MetricFamily> parse(byte[] body, int offset, int length, Labels grouping) throws PushRejectedException {
        return parse(body, offset, length, grouping, HeldLabels.NONE);
    }

    /**
     * As {@link #parse(byte[], int, int, Labels)}, but a series whose labels (with the grouping labels
     * added) {@code held} has gets that label set rather than one of its own: a store's series
     * pushed again cost no label set. The result is equal either way; so are rejections.
     */
    public List<MetricFamily> parse(byte[] body, int offset, int length, Labels grouping, HeldLabels held)
            throws PushRejectedException {
        return decode(body, offset, length, grouping, held).families();
    }

    /**
     * As {@link #parse(byte[], int, int, Labels, HeldLabels)}, saying which grouping labels every
     * series' labels hold: {@code grouping}, or none when the body was read again without them.
     */
    public DecodedFamilies decode(byte[] body, int offset, int length, Labels grouping, HeldLabels held)
            throws PushRejectedException {
        Objects.checkFromIndexSize(offset, length, body.length);
        if (grouping.isEmpty()) {
            return DecodedFamilies.asPushed(
                    new Run(body, offset, offset + length, openMetrics, maxLabelsPerSeries, Labels.EMPTY, held).parse());
        }
        List<MetricFamily> families;
        try {
            families = new Run(body, offset, offset + length, openMetrics, maxLabelsPerSeries, grouping, held).parse();
        } catch (PushRejectedException withGrouping) {
            parse(body, offset, length); // throws the same rejection, worded without the grouping labels
            throw withGrouping;
        }
        return families != null ? new DecodedFamilies(families, grouping) : DecodedFamilies.asPushed(parse(body, offset, length));
    }

    /** A syntax error at a line. */
    static PushRejectedException malformed(int line, String message) {
        return new PushRejectedException(RejectionReason.MALFORMED, "line " + line + ": " + message);
    }

    // ------------------------------------------------------------------ name characters

    private static final int METRIC_NAME_START = 1; // [a-zA-Z_:]
    private static final int METRIC_NAME = 2;       // [a-zA-Z0-9_:]
    private static final int LABEL_NAME_START = 4;  // [a-zA-Z_]
    private static final int LABEL_NAME = 8;        // [a-zA-Z0-9_]
    /** the classes of each byte, one table lookup per byte */
    private static final byte[] NAME_CLASSES = new byte[256];

    static {
        for (int c = 0; c < 128; c++) {
            int flags = 0;
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            if (letter || c == ':') {
                flags |= METRIC_NAME_START | METRIC_NAME;
            }
            if (digit) {
                flags |= METRIC_NAME | LABEL_NAME;
            }
            if (letter) {
                flags |= LABEL_NAME_START | LABEL_NAME;
            }
            NAME_CLASSES[c] = (byte) flags;
        }
    }

    private static boolean is(byte c, int nameClass) {
        return (NAME_CLASSES[c & 0xff] & nameClass) != 0;
    }

    /**
     * One {@link #parse} call: reads the body line by line, checks each line's syntax and hands
     * names, metadata and samples to its {@link TextFamilies}. Positions are indexes into the
     * body; a method working on one line gets the line's {@code end} (exclusive, without the
     * line break).
     */
    private static final class Run {
        private static final byte[] KEYWORD_HELP = ascii("HELP");
        private static final byte[] KEYWORD_TYPE = ascii("TYPE");
        private static final byte[] KEYWORD_UNIT = ascii("UNIT");
        private static final byte[] KEYWORD_EOF = ascii("EOF");
        private static final byte[][] KEYWORDS = {KEYWORD_HELP, KEYWORD_TYPE, KEYWORD_UNIT, KEYWORD_EOF};
        /** Longest excerpt of the input decoded for a message, in bytes: more than a quote shows. */
        private static final int MAX_EXCERPT_BYTES = TextFormatting.MAX_QUOTED_CHARS * 4;
        /** what a sample's quoted name is called in messages: a constant, since it is passed for every such sample */
        private static final String METRIC_NAME_AFTER_BRACE = "metric name after '{'";
        private static final byte[] NO_ROOM = new byte[0];
        /** how many of a sample's first label names are remembered to match the next sample's against */
        private static final int REMEMBERED_NAMES = 16;
        /** most digits of a sample value read as a plain integer: 15 stay below 2^53 */
        private static final int PLAIN_INTEGER_DIGITS = 15;

        private final byte[] body;
        private final int bodyStart;
        private final int bodyEnd;
        private final boolean openMetrics;
        private final int maxLabels;
        private final TextFamilies families;
        /** writes the grouping labels in as a sample's labels are added: see {@link Labels.Builder#Builder(Labels)} */
        private final Labels.Builder labels;
        /** added to every series' labels as they are built; see {@link TextFormatParser#parse(byte[], int, int, Labels)} */
        private final Labels grouping;
        /** set when a sample carries a grouping label's name: the run stops, and the body is read again without them */
        private boolean groupingClash;
        /** room for an unescaped label value or HELP text */
        private byte[] scratch = new byte[128];
        /** room for an unescaped quoted label name */
        private byte[] labelNameScratch = new byte[64];
        /** whether the last sample's name was written unquoted: only then may the next one be matched against it unscanned */
        private boolean lastNamePlain;
        /**
         * The label names of the samples before, by their place in the braces, as ranges of the body
         * followed by {@code ="} (length -1: none), and whether each sorts after the one before it: the
         * next sample's names are matched against them ({@link #repeatedName}).
         */
        private final int[] rememberedStart = new int[REMEMBERED_NAMES];
        private final int[] rememberedLength = filled(REMEMBERED_NAMES, -1);
        private final boolean[] repeatedAfterPrevious = new boolean[REMEMBERED_NAMES];
        /** the number of the line being read, from 1 */
        private int line;

        // the current sample, and the name a quoted string held: a range of nameBuf, the body or,
        // for a quoted name with escapes, an array of its own
        private Role role;
        private byte[] nameBuf;
        private int nameStart;
        private int nameEnd;
        /** labels with a value added to {@link #labels}: what the series will carry */
        private int labelCount;
        /** the le of a bucket or the quantile of a quantile sample: not a label of the series */
        private double specialLabelValue;
        private boolean specialLabelSeen;

        Run(byte[] body, int bodyStart, int bodyEnd, boolean openMetrics, int maxLabels, Labels grouping,
            HeldLabels held) {
            this.grouping = grouping;
            this.labels = new Labels.Builder(grouping);
            this.body = body;
            this.bodyStart = bodyStart;
            this.bodyEnd = bodyEnd;
            this.openMetrics = openMetrics;
            this.maxLabels = maxLabels;
            this.families = new TextFamilies(openMetrics, held);
        }

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }

        private static int[] filled(int length, int value) {
            int[] array = new int[length];
            Arrays.fill(array, value);
            return array;
        }

        /** The families, or null when a sample carries a grouping label's name (see {@link #groupingClash}). */
        List<MetricFamily> parse() throws PushRejectedException {
            int pos = bodyStart;
            boolean eofSeen = false;
            while (pos < bodyEnd) {
                line++;
                int newline = newlineFrom(pos);
                int end = newline;
                if (end > pos && body[end - 1] == '\r') {
                    end--;
                }
                if (eofSeen) {
                    throw error("expected end of body after # EOF, found "
                            + (pos == end ? "an empty line" : excerpt(pos, end)));
                }
                eofSeen = parseLine(pos, end);
                if (groupingClash) {
                    return null;
                }
                pos = newline + 1;
            }
            if (openMetrics && !eofSeen) {
                line++;
                throw error("missing # EOF at end of body");
            }
            return families.result();
        }

        /**
         * The position of the first '\n' from {@code pos} on, or the body's end. Eight bytes at a
         * time: this pass touches every byte of the body before the line is parsed.
         */
        private int newlineFrom(int pos) {
            int i = pos;
            for (; i + Long.BYTES <= bodyEnd; i += Long.BYTES) {
                long newlines = ByteWords.bytesEqualTo(ByteWords.read(body, i), '\n');
                if (newlines != 0) {
                    return i + (Long.numberOfTrailingZeros(newlines) >>> 3);
                }
            }
            while (i < bodyEnd && body[i] != '\n') {
                i++;
            }
            return i;
        }

        /**
         * The position of the first quote, backslash or non-ASCII byte from {@code pos} on, or
         * {@code end} (or {@code pos} when past it). Eight bytes at a time: label values are most
         * of a sample line's bytes.
         */
        private int plainRunEnd(int pos, int end) {
            int i = pos;
            for (; i + Long.BYTES <= end; i += Long.BYTES) {
                long x = ByteWords.read(body, i);
                // the lowest flagged byte is the first hit (see bytesEqualTo)
                long hits = ByteWords.bytesEqualTo(x, '"') | ByteWords.bytesEqualTo(x, '\\') | ByteWords.highBits(x);
                if (hits != 0) {
                    return i + (Long.numberOfTrailingZeros(hits) >>> 3);
                }
            }
            while (i < end) {
                byte c = body[i];
                if (c == '"' || c == '\\' || c < 0) {
                    break;
                }
                i++;
            }
            return i;
        }

        /** Returns true when the line is OpenMetrics's {@code # EOF}. */
        private boolean parseLine(int pos, int end) throws PushRejectedException {
            pos = skipBlanks(pos, end);
            if (pos == end) {
                return false;
            }
            if (body[pos] == '#') {
                return parseComment(pos + 1, end);
            }
            parseSample(pos, end);
            return false;
        }

        // --------------------------------------------------------------- comments, metadata

        /** A line after its '#'. Returns true when it is OpenMetrics's {@code # EOF}. */
        private boolean parseComment(int pos, int end) throws PushRejectedException {
            pos = skipBlanks(pos, end);
            int keywordStart = pos;
            pos = skipToken(pos, end);
            byte[] keyword = keyword(keywordStart, pos);
            if (keyword == null || (!openMetrics && (keyword == KEYWORD_UNIT || keyword == KEYWORD_EOF))) {
                if (openMetrics) {
                    throw error("expected HELP, TYPE, UNIT or EOF after '#', found "
                            + (keywordStart == pos ? describeAt(pos, end) : excerpt(keywordStart, pos)));
                }
                return false; // a plain comment
            }
            if (keyword == KEYWORD_EOF) {
                pos = skipBlanks(pos, end);
                if (pos != end) {
                    throw error("expected end of line after # EOF, found " + describeAt(pos, end));
                }
                return true;
            }
            pos = skipBlanks(pos, end);
            if (pos == end) {
                return false; // "# HELP" and nothing else: a plain comment, as in Go's parser
            }
            String after = "after # " + new String(keyword, StandardCharsets.US_ASCII);
            if (body[pos] == '"') {
                pos = parseQuotedMetricName(pos, end, "metric name " + after);
            } else {
                if (!is(body[pos], METRIC_NAME_START)) {
                    throw error("expected metric name " + after + ", found " + describeAt(pos, end));
                }
                nameBuf = body;
                nameStart = pos;
                pos = scanMetricName(pos, end);
                nameEnd = pos;
            }
            if (pos < end && !isBlank(body[pos])) {
                throw error("expected metric name " + after + ", found "
                        + (nameBuf != body ? describeAt(pos, end)
                        : excerpt(body[nameStart - 1] == '"' ? nameStart - 1 : nameStart, skipToken(nameStart, end))));
            }
            pos = skipBlanks(pos, end);
            if (pos == end) {
                return false; // "# HELP name" without text: ignored, as in Go's parser
            }
            if (keyword == KEYWORD_HELP) {
                // a second HELP line is refused before its text is read, as in Go's parser
                TextFamilies.Family named = families.helpOf(nameBuf, nameStart, nameEnd, line);
                families.setHelp(named, parseHelp(pos, end));
            } else if (keyword == KEYWORD_TYPE) {
                families.declare(nameBuf, nameStart, nameEnd, parseType(pos, end), line);
            }
            // # UNIT: syntax checked, unit ignored
            return false;
        }

        /** One of the KEYWORD_ constants (compared by identity later), or null. */
        private byte[] keyword(int from, int to) {
            for (byte[] keyword : KEYWORDS) {
                if (to - from == keyword.length && Arrays.equals(body, from, to, keyword, 0, keyword.length)) {
                    return keyword;
                }
            }
            return null;
        }

        private DeclaredType parseType(int pos, int end) throws PushRejectedException {
            int typeEnd = end;
            while (typeEnd > pos && isBlank(body[typeEnd - 1])) {
                typeEnd--;
            }
            DeclaredType type = DeclaredType.parse(body, pos, typeEnd, openMetrics);
            if (type == null) {
                throw error("unknown metric type " + excerpt(pos, typeEnd) + ", expected "
                        + (openMetrics ? "counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"
                                       : "counter, gauge, histogram, summary or untyped"));
            }
            return type;
        }

        private String parseHelp(int pos, int end) throws PushRejectedException {
            boolean plain = true;
            for (int i = pos; i < end; i++) {
                byte c = body[i];
                if (c == '\\' || c < 0) {
                    plain = false;
                    break;
                }
            }
            if (plain) {
                return new String(body, pos, end - pos, StandardCharsets.US_ASCII);
            }
            if (!Utf8Validator.isValid(body, pos, end)) {
                throw error("invalid UTF-8 in HELP text");
            }
            byte[] out = scratch = ensure(scratch, end - pos);
            int n = 0;
            for (int i = pos; i < end; i++) {
                byte c = body[i];
                if (c != '\\') {
                    out[n++] = c;
                    continue;
                }
                if (++i == end) {
                    throw error("expected an escape sequence (\\\\ or \\n) after '\\' in HELP text, found end of line");
                }
                switch (body[i]) {
                    case '\\' -> out[n++] = '\\';
                    case 'n' -> out[n++] = '\n';
                    case '"' -> {
                        if (!openMetrics) {
                            throw error("invalid escape sequence '\\\"' in HELP text, expected \\\\ or \\n");
                        }
                        out[n++] = '"';
                    }
                    default -> throw error("invalid escape sequence " + escapeSequence(i, end)
                            + " in HELP text, expected " + (openMetrics ? "\\\\, \\\" or \\n" : "\\\\ or \\n"));
                }
            }
            return new String(out, 0, n, StandardCharsets.UTF_8);
        }

        // -------------------------------------------------------------------------- samples

        private void parseSample(int pos, int end) throws PushRejectedException {
            labelCount = 0;
            specialLabelSeen = false;
            if (body[pos] == '{') {
                // {"name", labels}: the name must come first, so that it decides what its labels are
                int quote = skipBlanks(pos + 1, end);
                if (quote == end || body[quote] != '"') {
                    throw error("expected metric name or '#', found '{' without a quoted metric name after it");
                }
                pos = skipBlanks(parseQuotedMetricName(quote, end, METRIC_NAME_AFTER_BRACE), end);
                role = families.startSample(nameBuf, nameStart, nameEnd, line);
                lastNamePlain = false;
                if (pos < end && body[pos] == ',') {
                    pos = parseLabels(pos + 1, end, true);
                } else if (pos < end && body[pos] == '}') {
                    pos++;
                } else {
                    throw error("expected ',' or '}' after metric name " + sampleName() + ", found " + describeAt(pos, end));
                }
                pos = skipBlanks(pos, end);
            } else if (!is(body[pos], METRIC_NAME_START)) {
                throw error("expected metric name or '#', found " + describeAt(pos, end));
            } else {
                nameBuf = body;
                nameStart = pos;
                int known = lastNamePlain ? families.lastNameAt(body, pos, end) : -1;
                if (known > 0 && (pos + known == end || !is(body[pos + known], METRIC_NAME))) {
                    // the last sample's name again, as samples of a family come: neither scanned nor looked up
                    pos += known;
                    nameEnd = pos;
                    role = families.lastRole();
                } else {
                    pos = scanMetricName(pos, end);
                    nameEnd = pos;
                    role = families.startSample(nameBuf, nameStart, nameEnd, line);
                    lastNamePlain = true;
                }
                pos = afterNameOfSample(pos, end);
            }
            parseValueAndRest(pos, end);
        }

        /** After a metric name written before the braces: the labels, if any; the position of the value. */
        private int afterNameOfSample(int pos, int end) throws PushRejectedException {
            int afterBlanks = skipBlanks(pos, end);
            if (afterBlanks < end && body[afterBlanks] == '{') {
                pos = parseLabels(afterBlanks + 1, end, true);
                pos = skipBlanks(pos, end);
            } else {
                if (afterBlanks == pos && pos < end) {
                    throw error("expected '{' or a space after metric name " + sampleName() + ", found "
                            + describeAt(pos, end));
                }
                pos = afterBlanks;
            }
            return pos;
        }

        /** The sample's value, timestamp and exemplar; then files the sample. */
        private void parseValueAndRest(int pos, int end) throws PushRejectedException {
            if (pos == end) {
                throw error("expected sample value after " + sampleName() + ", found end of line");
            }
            double value;
            int digitsEnd = plainIntegerEnd(pos, end);
            if (digitsEnd > pos) {
                value = plainIntegerValue(pos, digitsEnd);
                pos = digitsEnd;
            } else {
                int valueStart = pos;
                pos = skipToken(pos, end);
                value = parseNumber(body, valueStart, pos, "sample value");
            }
            pos = skipBlanks(pos, end);
            if (pos < end) {
                if (!(openMetrics && body[pos] == '#')) {
                    int timestampStart = pos;
                    pos = skipToken(pos, end);
                    checkTimestamp(timestampStart, pos);
                    pos = skipBlanks(pos, end);
                }
                if (pos < end) {
                    if (openMetrics && body[pos] == '#') {
                        checkExemplar(pos + 1, end);
                    } else {
                        throw error("expected end of line after timestamp, found " + describeAt(pos, end));
                    }
                }
            }
            Labels built;
            try {
                built = labels.buildWith(grouping, families.heldLabels());
            } catch (IllegalArgumentException duplicate) {
                throw error(duplicate.getMessage() + " in sample " + sampleName());
            }
            if (built == null) {
                labels.clear();
                groupingClash = true;
                return;
            }
            if (role.specialLabel != null && !specialLabelSeen) {
                throw error("expected label \"" + role.specialLabel + "\" on " + role.specialSampleKind
                        + " sample " + sampleName());
            }
            families.add(built, value, specialLabelValue, line);
        }

        /**
         * Parses labels after '{' up to and including '}' and returns the position after it.
         * A sample's labels ({@code keep}) go into {@link #labels}, but for the role's special
         * label ({@code le} of a bucket, {@code quantile} of a quantile), whose value goes into
         * {@link #specialLabelValue}; an exemplar's are checked, not kept.
         */
        private int parseLabels(int pos, int end, boolean keep) throws PushRejectedException {
            for (int k = 0; ; k++) {
                pos = skipBlanks(pos, end);
                if (pos < end && body[pos] == '}') {
                    return pos + 1;
                }
                byte[] labelBuf = body;
                int labelStart = pos;
                int labelEnd;
                boolean plainName;
                boolean afterLast = false;
                int repeated = keep ? repeatedName(k, pos, end) : -1;
                if (repeated >= 0) {
                    // the name the sample before had here, and '="' right after it: what the general path reads, unscanned
                    labelEnd = pos + repeated;
                    plainName = isPlainUnquotedName(labelStart, labelEnd);
                    afterLast = repeatedAfterPrevious[k] && role.specialLabel == null;
                    pos = labelEnd + 1;
                } else {
                    boolean quotedName = pos < end && body[pos] == '"';
                    if (quotedName) {
                        QuotedName quoted = parseQuoted(pos, end, "label name", labelNameScratch);
                        labelNameScratch = quoted.buf == body ? labelNameScratch : quoted.buf;
                        labelBuf = quoted.buf;
                        labelStart = quoted.from;
                        labelEnd = quoted.to;
                        pos = quoted.next;
                        plainName = Labels.isPlainName(labelBuf, labelStart, labelEnd - labelStart);
                    } else {
                        if (pos == end || !is(body[pos], LABEL_NAME_START)) {
                            throw error("expected label name or '}', found " + describeAt(pos, end));
                        }
                        pos++;
                        while (pos < end && is(body[pos], LABEL_NAME)) {
                            pos++;
                        }
                        labelEnd = pos;
                        plainName = isPlainUnquotedName(labelStart, labelEnd);
                    }
                    pos = skipBlanks(pos, end);
                    if (pos == end || body[pos] != '=') {
                        throw error("expected '=' after label name " + excerpt(labelBuf, labelStart, labelEnd) + ", found " + describeAt(pos, end));
                    }
                    pos = skipBlanks(pos + 1, end);
                    if (pos == end || body[pos] != '"') {
                        throw error("expected '\"' to open the value of label " + excerpt(labelBuf, labelStart, labelEnd) + ", found " + describeAt(pos, end));
                    }
                    if (keep) {
                        rememberName(k, labelStart, !quotedName && pos == labelEnd + 1 ? labelEnd - labelStart : -1);
                    }
                }
                pos++;
                int valueStart = pos;
                boolean escaped = false;
                boolean nonAscii = false;
                while (true) {
                    pos = plainRunEnd(pos, end);
                    if (pos >= end || body[pos] == '"') {
                        break;
                    }
                    if (body[pos] == '\\') {
                        escaped = true;
                        pos += 2;
                    } else {
                        nonAscii = true;
                        pos++;
                    }
                }
                if (pos >= end) {
                    throw error("expected '\"' to close the value of label " + excerpt(labelBuf, labelStart, labelEnd) + ", found end of line");
                }
                int valueEnd = pos;
                pos++;
                if (nonAscii && !Utf8Validator.isValid(body, valueStart, valueEnd)) {
                    throw error("invalid UTF-8 in the value of label " + excerpt(labelBuf, labelStart, labelEnd));
                }
                // the value as it is in the body, or unescaped in scratch
                byte[] valueBuf = body;
                int valueOffset = valueStart;
                int valueLength = valueEnd - valueStart;
                if (escaped) {
                    scratch = ensure(scratch, valueEnd - valueStart);
                    valueLength = unescape(valueStart, valueEnd, scratch);
                    if (valueLength < 0) {
                        throw invalidEscape(~valueLength, valueEnd, "the value of label " + excerpt(labelBuf, labelStart, labelEnd));
                    }
                    valueBuf = scratch;
                    valueOffset = 0;
                }
                if (keep) {
                    keepLabel(labelBuf, labelStart, labelEnd, valueBuf, valueOffset, valueLength, plainName, afterLast);
                }
                pos = skipBlanks(pos, end);
                if (pos < end && body[pos] == ',') {
                    pos++;
                    continue;
                }
                if (pos < end && body[pos] == '}') {
                    return pos + 1;
                }
                throw error("expected ',' or '}' after the value of label " + excerpt(labelBuf, labelStart, labelEnd) + ", found " + describeAt(pos, end));
            }
        }

        /**
         * Whether the unquoted label name body[start, end), read by the legacy character classes, is
         * plain: it is unless it has the reserved prefix {@code __}.
         */
        private boolean isPlainUnquotedName(int start, int end) {
            return end - start < 2 || body[start] != '_' || body[start + 1] != '_';
        }

        /**
         * The length of the {@code k}-th label name of the sample before when body[pos] starts with it
         * and {@code ="} right after it (so the name ends there, as a scan would find), or -1. Samples of
         * a family mostly repeat their label names: one comparison instead of a scan of the name.
         */
        private int repeatedName(int k, int pos, int end) {
            if (k >= REMEMBERED_NAMES) {
                return -1;
            }
            int length = rememberedLength[k];
            int n = length + 2; // with '="'
            if (length < 0 || end - pos < n) {
                return -1;
            }
            int from = rememberedStart[k];
            int i = 0;
            for (; i + Long.BYTES <= n; i += Long.BYTES) {
                if (ByteWords.read(body, pos + i) != ByteWords.read(body, from + i)) {
                    return -1;
                }
            }
            if (i < n) {
                if (pos + i + Long.BYTES <= bodyEnd) {
                    long differing = (ByteWords.read(body, pos + i) ^ ByteWords.read(body, from + i))
                            & (-1L >>> (Long.SIZE - Byte.SIZE * (n - i)));
                    return differing == 0 ? length : -1;
                }
                for (; i < n; i++) {
                    if (body[pos + i] != body[from + i]) {
                        return -1;
                    }
                }
            }
            return length;
        }

        /**
         * Remembers the {@code k}-th label name of this sample, body[start, start + length), read by the
         * general path, for {@link #repeatedName}; a length of -1 when it cannot be matched so (quoted, or
         * not followed by {@code ="} at once). Whether it sorts after the name before it is worked out
         * here, once, and forgotten for the next name, whose predecessor this one now is.
         */
        private void rememberName(int k, int start, int length) {
            if (k >= REMEMBERED_NAMES) {
                return;
            }
            rememberedStart[k] = start;
            rememberedLength[k] = length;
            repeatedAfterPrevious[k] = length >= 0 && k > 0 && rememberedLength[k - 1] >= 0
                    && Labels.compareNames(body, rememberedStart[k - 1], rememberedLength[k - 1], body, start, length) < 0;
            if (k + 1 < REMEMBERED_NAMES) {
                repeatedAfterPrevious[k + 1] = false;
            }
        }

        /** A label of the sample: the role's special label, a label it may not carry, or one of the series. */
        private void keepLabel(byte[] labelBuf, int labelStart, int labelEnd, byte[] valueBuf, int valueOffset,
                               int valueLength, boolean plainName, boolean afterLast) throws PushRejectedException {
            if (isLabelNamed(labelBuf, labelStart, labelEnd, role.specialLabelBytes)) {
                if (specialLabelSeen) {
                    throw error("label name " + new String(labelBuf, labelStart, labelEnd - labelStart,
                            StandardCharsets.UTF_8) + " appears twice in sample " + sampleName());
                }
                specialLabelSeen = true;
                specialLabelValue = parseNumber(valueBuf, valueOffset, valueOffset + valueLength, role.specialValueName);
                if (role == Role.BUCKET && Double.isNaN(specialLabelValue)) {
                    throw error("expected a number other than NaN as value of label \"le\", found \"NaN\"");
                }
            } else if (isLabelNamed(labelBuf, labelStart, labelEnd, role.forbiddenLabel)) {
                throw error("unexpected label " + excerpt(labelBuf, labelStart, labelEnd) + " on sample " + sampleName());
            } else {
                // counted as the series will: a label without a value is no label
                if (valueLength > 0 && ++labelCount > maxLabels) {
                    throw new PushRejectedException(RejectionReason.LABEL_LIMIT_EXCEEDED, "line " + line
                            + ": sample " + sampleName() + " has more labels than the limit of " + maxLabels
                            + " (--max-labels-per-series)");
                }
                labels.addRaw(labelBuf, labelStart, labelEnd - labelStart, valueBuf, valueOffset, valueLength, plainName, afterLast);
            }
        }

        private static boolean isLabelNamed(byte[] buf, int from, int to, byte[] name) {
            return name != null && to - from == name.length && Arrays.equals(buf, from, to, name, 0, name.length);
        }

        /**
         * Unescapes body[from, to), a quoted string's content, into {@code out} (room for {@code to - from}
         * bytes) and returns the length, or {@code ~i} for an invalid escape sequence whose backslash is
         * just before body[i]: the caller words the message, so that no message is built for valid input.
         */
        private int unescape(int from, int to, byte[] out) {
            int n = 0;
            for (int i = from; i < to; i++) {
                byte c = body[i];
                if (c != '\\') {
                    out[n++] = c;
                    continue;
                }
                i++; // the scan guarantees a byte after the backslash
                switch (body[i]) {
                    case '\\' -> out[n++] = '\\';
                    case '"' -> out[n++] = '"';
                    case 'n' -> out[n++] = '\n';
                    default -> {
                        return ~i;
                    }
                }
            }
            return n;
        }

        /** The error for an invalid escape sequence whose backslash is just before body[afterBackslash], in {@code what}. */
        private PushRejectedException invalidEscape(int afterBackslash, int to, String what) {
            return error("invalid escape sequence " + escapeSequence(afterBackslash, to)
                    + " in " + what + ", expected \\\\, \\\" or \\n");
        }

        /** A quoted name's content: buf[from, to), and the position after its closing quote. */
        private record QuotedName(byte[] buf, int from, int to, int next) {
        }

        /**
         * A quoted name at body[pos] (its opening quote): non-empty UTF-8, escaped as label values are.
         * Without escapes it is a range of the body; with escapes it is unescaped into {@code room}
         * when it fits, else into a new array.
         */
        private QuotedName parseQuoted(int pos, int end, String what, byte[] room) throws PushRejectedException {
            int from = pos + 1;
            int i = from;
            boolean escaped = false;
            boolean nonAscii = false;
            while (i < end && body[i] != '"') {
                if (body[i] == '\\') {
                    escaped = true;
                    i += 2;
                    continue;
                }
                nonAscii |= body[i] < 0;
                i++;
            }
            if (i >= end) {
                throw error("expected '\"' to close the quoted " + what + " " + excerpt(pos, Math.min(end, pos + 1 + MAX_EXCERPT_BYTES))
                        + ", found end of line");
            }
            if (i == from) {
                throw error("expected a " + what + " between the quotes, found \"\"");
            }
            if (nonAscii && !Utf8Validator.isValid(body, from, i)) {
                throw error("invalid UTF-8 in the quoted " + what + " " + excerpt(pos, i + 1));
            }
            if (!escaped) {
                return new QuotedName(body, from, i, i + 1);
            }
            byte[] out = room.length >= i - from ? room : new byte[i - from];
            int length = unescape(from, i, out);
            if (length < 0) {
                throw invalidEscape(~length, i, "the quoted " + what + " " + excerpt(pos, i + 1));
            }
            return new QuotedName(out, 0, length, i + 1);
        }

        /**
         * A quoted metric name at body[pos] into {@link #nameBuf}, {@link #nameStart}, {@link #nameEnd};
         * returns the position after it. A name with escapes gets an array of its own: the families keep
         * the last name's bytes to compare the next one with.
         */
        private int parseQuotedMetricName(int pos, int end, String what) throws PushRejectedException {
            QuotedName quoted = parseQuoted(pos, end, what, NO_ROOM);
            nameBuf = quoted.buf;
            nameStart = quoted.from;
            nameEnd = quoted.to;
            return quoted.next;
        }

        /** An OpenMetrics exemplar after its '#': checked, not kept. */
        private void checkExemplar(int pos, int end) throws PushRejectedException {
            pos = skipBlanks(pos, end);
            if (pos == end || body[pos] != '{') {
                throw error("expected '{' to open the exemplar's labels, found " + describeAt(pos, end));
            }
            pos = parseLabels(pos + 1, end, false);
            pos = skipBlanks(pos, end);
            if (pos == end) {
                throw error("expected exemplar value, found end of line");
            }
            int valueStart = pos;
            pos = skipToken(pos, end);
            parseNumber(body, valueStart, pos, "exemplar value");
            pos = skipBlanks(pos, end);
            if (pos < end) {
                int timestampStart = pos;
                pos = skipToken(pos, end);
                checkTimestamp(timestampStart, pos);
                pos = skipBlanks(pos, end);
                if (pos < end) {
                    throw error("expected end of line after exemplar timestamp, found " + describeAt(pos, end));
                }
            }
        }

        // -------------------------------------------------------------------------- numbers

        private double parseNumber(byte[] buf, int from, int to, String what) throws PushRejectedException {
            try {
                return GoNumberSyntax.parseFloat(buf, from, to);
            } catch (GoNumberSyntax.InvalidNumber invalid) {
                if (invalid.outOfRange()) {
                    throw error(what + " out of range, found " + excerpt(buf, from, to));
                }
                throw error("expected a number as " + what + ", found "
                        + (from == to ? "nothing" : excerpt(buf, from, to)));
            }
        }

        /**
         * The end of the token at body[pos] when it is decimal digits only, at most
         * {@value #PLAIN_INTEGER_DIGITS} of them (a counter's value, as senders mostly write it), else
         * {@code pos}. Such a token is a number in Go's syntax whose value is the integer exactly.
         */
        private int plainIntegerEnd(int pos, int end) {
            int i = pos;
            int limit = Math.min(end, pos + PLAIN_INTEGER_DIGITS);
            while (i < limit && body[i] >= '0' && body[i] <= '9') {
                i++;
            }
            return i > pos && (i == end || isBlank(body[i])) ? i : pos;
        }

        /** The value of the digits body[from, to) found by {@link #plainIntegerEnd}: below 2^53, so exact as a double. */
        private double plainIntegerValue(int from, int to) {
            long value = 0;
            for (int i = from; i < to; i++) {
                value = value * 10 + (body[i] - '0');
            }
            return value;
        }

        /** Checks a timestamp's syntax: an integer in 0.0.4, a finite number in OpenMetrics. Its value is not kept. */
        private void checkTimestamp(int from, int to) throws PushRejectedException {
            if (openMetrics) {
                double t = parseNumber(body, from, to, "timestamp");
                if (Double.isNaN(t) || Double.isInfinite(t)) {
                    throw error("expected a finite number as timestamp, found " + excerpt(from, to));
                }
                return;
            }
            try {
                GoNumberSyntax.parseInt64(body, from, to);
            } catch (GoNumberSyntax.InvalidNumber invalid) {
                throw error((invalid.outOfRange() ? "timestamp out of range, found " : "expected an integer timestamp, found ")
                        + excerpt(from, to));
            }
        }

        // ------------------------------------------------------------------------- scanning

        private static boolean isBlank(byte c) {
            return c == ' ' || c == '\t';
        }

        private int skipBlanks(int pos, int end) {
            while (pos < end && isBlank(body[pos])) {
                pos++;
            }
            return pos;
        }

        private int skipToken(int pos, int end) {
            while (pos < end && !isBlank(body[pos])) {
                pos++;
            }
            return pos;
        }

        /** From a name's first character (already checked) to the position after the name. */
        private int scanMetricName(int pos, int end) {
            pos++;
            while (pos < end && is(body[pos], METRIC_NAME)) {
                pos++;
            }
            return pos;
        }

        private static byte[] ensure(byte[] room, int size) {
            return room.length >= size ? room : new byte[Math.max(size, room.length * 2)];
        }

        // ------------------------------------------------------------------------- messages

        private PushRejectedException error(String message) {
            return malformed(line, message);
        }

        /** The current sample's name, quoted. */
        private String sampleName() {
            return excerpt(nameBuf, nameStart, nameEnd);
        }

        private String excerpt(int from, int to) {
            return excerpt(body, from, to);
        }

        /** buf[from, to) quoted for a message, cut to a bounded length. */
        private static String excerpt(byte[] buf, int from, int to) {
            return TextFormatting.quote(new String(buf, from, Math.min(to - from, MAX_EXCERPT_BYTES), StandardCharsets.UTF_8));
        }

        /** What is at body[pos] on a line ending at {@code end}: a quoted character, or "end of line". */
        private String describeAt(int pos, int end) {
            if (pos >= end) {
                return "end of line";
            }
            int c = body[pos] & 0xff;
            if (c == '\'') {
                return "\"'\"";
            }
            if (c >= 0x20 && c < 0x7f) {
                return "'" + (char) c + "'";
            }
            if (c >= 0x80) {
                int n = 1;
                while (n < 4 && pos + n < end && (body[pos + n] & 0xc0) == 0x80) {
                    n++;
                }
                if (Utf8Validator.isValid(body, pos, pos + n)) {
                    return "'" + new String(body, pos, n, StandardCharsets.UTF_8) + "'";
                }
            }
            return String.format("byte 0x%02x", c);
        }

        /** The escape sequence whose backslash is just before body[afterBackslash], quoted. */
        private String escapeSequence(int afterBackslash, int end) {
            int n = 1;
            if ((body[afterBackslash] & 0x80) != 0) {
                while (n < 4 && afterBackslash + n < end && (body[afterBackslash + n] & 0xc0) == 0x80) {
                    n++;
                }
            }
            return "'\\" + new String(body, afterBackslash, n, StandardCharsets.UTF_8) + "'";
        }
    }
}
