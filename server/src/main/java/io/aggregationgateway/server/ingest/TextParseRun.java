package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricFamily;
import io.aggregationgateway.server.model.PushRejectedException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One {@link TextFormatParser#parse} call: reads the body line by line, checks each line's
 * syntax and hands each sample to its family. Holds only this call's state.
 *
 * <p>Positions are indexes into the body; a method working on one line gets the line's
 * {@code end} (exclusive, without the line break).
 */
final class TextParseRun {
    private static final byte[] KEYWORD_HELP = ascii("HELP");
    private static final byte[] KEYWORD_TYPE = ascii("TYPE");
    private static final byte[] KEYWORD_UNIT = ascii("UNIT");
    private static final byte[] KEYWORD_EOF = ascii("EOF");
    private static final byte[] LABEL_LE = ascii("le");
    private static final byte[] LABEL_QUANTILE = ascii("quantile");

    private final byte[] body;
    private final int bodyStart;
    private final int bodyEnd;
    private final boolean openMetrics;
    /** the number of the line being read, from 1 */
    private int line;

    private final Labels.Builder labels = new Labels.Builder();
    private final FamilyTable families = new FamilyTable();
    private final SampleNameResolver names;
    /** room for an unescaped label value or HELP text */
    private byte[] scratch = new byte[128];

    // the current sample
    private FamilyBuilder family;
    private SampleRole role;
    private int nameStart;
    private int nameEnd;
    /** the le of a bucket or the quantile of a quantile sample: not a label of the series */
    private double specialLabelValue;
    private boolean specialLabelSeen;

    TextParseRun(byte[] body, int bodyStart, int bodyEnd, boolean openMetrics) {
        this.body = body;
        this.bodyStart = bodyStart;
        this.bodyEnd = bodyEnd;
        this.openMetrics = openMetrics;
        this.names = new SampleNameResolver(body, openMetrics, families);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    List<MetricFamily> parse() throws PushRejectedException {
        int pos = bodyStart;
        boolean eofSeen = false;
        while (pos < bodyEnd) {
            line++;
            int newline = pos;
            while (newline < bodyEnd && body[newline] != '\n') {
                newline++;
            }
            int end = newline;
            if (end > pos && body[end - 1] == '\r') {
                end--;
            }
            if (eofSeen) {
                throw error("expected end of body after # EOF, found "
                        + (pos == end ? "an empty line" : excerpt(pos, end)));
            }
            eofSeen = parseLine(pos, end);
            pos = newline + 1;
        }
        if (openMetrics && !eofSeen) {
            line++;
            throw error("missing # EOF at end of body");
        }
        return families.toMetricFamilies(openMetrics);
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

    // ------------------------------------------------------------------- comments, metadata

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
        if (!NameCharacters.isMetricNameStart(body[pos])) {
            throw error("expected metric name after # " + new String(keyword, StandardCharsets.US_ASCII)
                    + ", found " + describeAt(pos, end));
        }
        int metricNameStart = pos;
        pos = scanMetricName(pos, end);
        if (pos < end && !isBlank(body[pos])) {
            throw error("expected metric name after # " + new String(keyword, StandardCharsets.US_ASCII)
                    + ", found " + excerpt(metricNameStart, skipToken(metricNameStart, end)));
        }
        int metricNameEnd = pos;
        pos = skipBlanks(pos, end);
        if (pos == end) {
            return false; // "# HELP name" without text: ignored, as in Go's parser
        }
        if (keyword == KEYWORD_HELP) {
            FamilyBuilder named = names.familyNamed(metricNameStart, metricNameEnd, line);
            if (named.helpSeen) {
                throw error("second HELP line for metric name " + ParseErrors.quote(named.name));
            }
            named.help = parseHelp(pos, end);
            named.helpSeen = true;
        } else if (keyword == KEYWORD_TYPE) {
            DeclaredType type = parseType(pos, end);
            FamilyBuilder named = names.familyNamed(metricNameStart, metricNameEnd, line);
            if (named.type != null) {
                throw error("second TYPE line for metric name " + ParseErrors.quote(named.name));
            }
            if (named.hasSamples) {
                throw error("TYPE line for metric name " + ParseErrors.quote(named.name) + " after its samples");
            }
            names.declare(named, type);
        }
        // # UNIT: syntax checked, unit ignored
        return false;
    }

    /** One of the KEYWORD_ constants (compared by identity later), or null. */
    private byte[] keyword(int from, int to) {
        if (equalsAscii(from, to, KEYWORD_HELP)) {
            return KEYWORD_HELP;
        }
        if (equalsAscii(from, to, KEYWORD_TYPE)) {
            return KEYWORD_TYPE;
        }
        if (equalsAscii(from, to, KEYWORD_UNIT)) {
            return KEYWORD_UNIT;
        }
        if (equalsAscii(from, to, KEYWORD_EOF)) {
            return KEYWORD_EOF;
        }
        return null;
    }

    private boolean equalsAscii(int from, int to, byte[] word) {
        return to - from == word.length && Arrays.equals(body, from, to, word, 0, word.length);
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
        byte[] out = ensureScratch(end - pos);
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
                default -> throw error("invalid escape sequence " + ParseErrors.escapeSequence(body, i, end)
                        + " in HELP text, expected " + (openMetrics ? "\\\\, \\\" or \\n" : "\\\\ or \\n"));
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------ samples

    private void parseSample(int pos, int end) throws PushRejectedException {
        if (!NameCharacters.isMetricNameStart(body[pos])) {
            throw error("expected metric name or '#', found " + describeAt(pos, end));
        }
        nameStart = pos;
        pos = scanMetricName(pos, end);
        nameEnd = pos;
        family = names.resolve(nameStart, nameEnd, line);
        role = names.role();
        specialLabelSeen = false;
        int afterBlanks = skipBlanks(pos, end);
        if (afterBlanks < end && body[afterBlanks] == '{') {
            pos = parseLabels(afterBlanks + 1, end, role);
            pos = skipBlanks(pos, end);
        } else {
            if (afterBlanks == pos && pos < end) {
                throw error("expected '{' or a space after metric name " + sampleName() + ", found " + describeAt(pos, end));
            }
            pos = afterBlanks;
        }
        if (pos == end) {
            throw error("expected sample value after " + sampleName() + ", found end of line");
        }
        int valueStart = pos;
        pos = skipToken(pos, end);
        double value = parseNumber(body, valueStart, pos, "sample value");
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
            built = labels.build();
        } catch (IllegalArgumentException duplicate) {
            throw error(duplicate.getMessage() + " in sample " + sampleName());
        }
        addToFamily(built, value);
    }

    private void addToFamily(Labels sampleLabels, double value) throws PushRejectedException {
        FamilyBuilder f = family;
        switch (role) {
            case SCALAR -> f.addScalar(sampleLabels, value);
            case BUCKET -> {
                if (!specialLabelSeen) {
                    throw error("expected label \"le\" on histogram bucket sample " + sampleName());
                }
                f.histogram(sampleLabels).addBucket(specialLabelValue, value, line);
            }
            case HISTOGRAM_COUNT -> {
                HistogramAccumulator histogram = f.histogram(sampleLabels);
                if (histogram.count != null) {
                    throw duplicateSample(f, sampleLabels, "histogram");
                }
                histogram.count = value;
            }
            case HISTOGRAM_SUM -> {
                HistogramAccumulator histogram = f.histogram(sampleLabels);
                if (histogram.sum != null) {
                    throw duplicateSample(f, sampleLabels, "histogram");
                }
                histogram.sum = value;
            }
            case QUANTILE -> {
                if (!specialLabelSeen) {
                    throw error("expected label \"quantile\" on summary sample " + sampleName());
                }
                f.summary(sampleLabels);
            }
            case SUMMARY_COUNT -> {
                SummaryAccumulator summary = f.summary(sampleLabels);
                if (summary.count != null) {
                    throw duplicateSample(f, sampleLabels, "summary");
                }
                summary.count = value;
            }
            case SUMMARY_SUM -> {
                SummaryAccumulator summary = f.summary(sampleLabels);
                if (summary.sum != null) {
                    throw duplicateSample(f, sampleLabels, "summary");
                }
                summary.sum = value;
            }
            case DROPPED, EXEMPLAR -> {
                // a _created sample (EXEMPLAR is never a sample's role)
            }
        }
    }

    private PushRejectedException duplicateSample(FamilyBuilder f, Labels sampleLabels, String type) {
        return error("duplicate sample " + sampleName() + " for " + type + " " + ParseErrors.quote(f.name)
                + " series " + ParseErrors.cap(sampleLabels.toString()));
    }

    /**
     * Parses labels after '{' up to and including '}' and returns the position after it.
     * Regular labels go into {@link #labels}; the {@code le}/{@code quantile} label of a
     * bucket/quantile sample goes into {@link #specialLabelValue}.
     */
    private int parseLabels(int pos, int end, SampleRole sampleRole) throws PushRejectedException {
        while (true) {
            pos = skipBlanks(pos, end);
            if (pos < end && body[pos] == '}') {
                return pos + 1;
            }
            if (pos == end || !NameCharacters.isLabelNameStart(body[pos])) {
                throw error("expected label name or '}', found " + describeAt(pos, end));
            }
            int labelStart = pos;
            pos++;
            while (pos < end && NameCharacters.isLabelName(body[pos])) {
                pos++;
            }
            int labelEnd = pos;
            pos = skipBlanks(pos, end);
            if (pos == end || body[pos] != '=') {
                throw error("expected '=' after label name " + excerpt(labelStart, labelEnd) + ", found " + describeAt(pos, end));
            }
            pos = skipBlanks(pos + 1, end);
            if (pos == end || body[pos] != '"') {
                throw error("expected '\"' to open the value of label " + excerpt(labelStart, labelEnd)
                        + ", found " + describeAt(pos, end));
            }
            pos++;
            int valueStart = pos;
            boolean escaped = false;
            boolean nonAscii = false;
            while (pos < end) {
                byte c = body[pos];
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    escaped = true;
                    pos += 2;
                    continue;
                }
                if (c < 0) {
                    nonAscii = true;
                }
                pos++;
            }
            if (pos >= end) {
                throw error("expected '\"' to close the value of label " + excerpt(labelStart, labelEnd)
                        + ", found end of line");
            }
            int valueEnd = pos;
            pos++;
            if (nonAscii && !Utf8Validator.isValid(body, valueStart, valueEnd)) {
                throw error("invalid UTF-8 in the value of label " + excerpt(labelStart, labelEnd));
            }
            // the value as it is in the body, or unescaped in scratch
            byte[] valueBuf = body;
            int valueOffset = valueStart;
            int valueLength = valueEnd - valueStart;
            if (escaped) {
                valueLength = unescapeLabelValue(valueStart, valueEnd, labelStart, labelEnd);
                valueBuf = scratch;
                valueOffset = 0;
            }
            int nameLength = labelEnd - labelStart;
            if (sampleRole == SampleRole.EXEMPLAR) {
                // checked, not kept
            } else if (isLabelNamed(labelStart, nameLength, LABEL_LE) && sampleRole == SampleRole.BUCKET) {
                parseSpecialLabel(valueBuf, valueOffset, valueLength, labelStart, labelEnd, "value of label \"le\"");
                if (Double.isNaN(specialLabelValue)) {
                    throw error("expected a number other than NaN as value of label \"le\", found \"NaN\"");
                }
            } else if (isLabelNamed(labelStart, nameLength, LABEL_QUANTILE) && sampleRole == SampleRole.QUANTILE) {
                parseSpecialLabel(valueBuf, valueOffset, valueLength, labelStart, labelEnd, "value of label \"quantile\"");
            } else if (isLabelNamed(labelStart, nameLength, LABEL_LE)
                    && (sampleRole == SampleRole.HISTOGRAM_COUNT || sampleRole == SampleRole.HISTOGRAM_SUM)
                    || isLabelNamed(labelStart, nameLength, LABEL_QUANTILE)
                    && (sampleRole == SampleRole.SUMMARY_COUNT || sampleRole == SampleRole.SUMMARY_SUM)) {
                throw error("unexpected label " + excerpt(labelStart, labelEnd) + " on sample " + sampleName());
            } else {
                labels.addRaw(body, labelStart, nameLength, valueBuf, valueOffset, valueLength);
            }
            pos = skipBlanks(pos, end);
            if (pos < end && body[pos] == ',') {
                pos++;
                continue;
            }
            if (pos < end && body[pos] == '}') {
                return pos + 1;
            }
            throw error("expected ',' or '}' after the value of label " + excerpt(labelStart, labelEnd)
                    + ", found " + describeAt(pos, end));
        }
    }

    private boolean isLabelNamed(int from, int length, byte[] name) {
        return length == name.length && Arrays.equals(body, from, from + length, name, 0, length);
    }

    private void parseSpecialLabel(byte[] valueBuf, int valueOffset, int valueLength, int labelStart, int labelEnd,
                                   String what) throws PushRejectedException {
        if (specialLabelSeen) {
            throw error("label name " + new String(body, labelStart, labelEnd - labelStart, StandardCharsets.US_ASCII)
                    + " appears twice in sample " + sampleName());
        }
        specialLabelSeen = true;
        specialLabelValue = parseNumber(valueBuf, valueOffset, valueOffset + valueLength, what);
    }

    /** Unescapes body[valueStart, valueEnd) into scratch and returns the length. */
    private int unescapeLabelValue(int valueStart, int valueEnd, int labelStart, int labelEnd)
            throws PushRejectedException {
        byte[] out = ensureScratch(valueEnd - valueStart);
        int n = 0;
        for (int i = valueStart; i < valueEnd; i++) {
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
                default -> throw error("invalid escape sequence " + ParseErrors.escapeSequence(body, i, valueEnd)
                        + " in the value of label " + excerpt(labelStart, labelEnd) + ", expected \\\\, \\\" or \\n");
            }
        }
        return n;
    }

    /** An OpenMetrics exemplar after its '#': checked, not kept. */
    private void checkExemplar(int pos, int end) throws PushRejectedException {
        pos = skipBlanks(pos, end);
        if (pos == end || body[pos] != '{') {
            throw error("expected '{' to open the exemplar's labels, found " + describeAt(pos, end));
        }
        pos = parseLabels(pos + 1, end, SampleRole.EXEMPLAR);
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

    // ------------------------------------------------------------------------------ numbers

    private double parseNumber(byte[] buf, int from, int to, String what) throws PushRejectedException {
        try {
            return GoNumberSyntax.parseFloat(buf, from, to);
        } catch (GoNumberSyntax.InvalidNumber invalid) {
            if (invalid.outOfRange()) {
                throw error(what + " out of range, found " + ParseErrors.excerpt(buf, from, to));
            }
            throw error("expected a number as " + what + ", found "
                    + (from == to ? "nothing" : ParseErrors.excerpt(buf, from, to)));
        }
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

    // ----------------------------------------------------------------------------- scanning

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
        while (pos < end && NameCharacters.isMetricName(body[pos])) {
            pos++;
        }
        return pos;
    }

    private byte[] ensureScratch(int size) {
        if (scratch.length < size) {
            scratch = new byte[Math.max(size, scratch.length * 2)];
        }
        return scratch;
    }

    // ----------------------------------------------------------------------------- messages

    private PushRejectedException error(String message) {
        return ParseErrors.atLine(line, message);
    }

    private String describeAt(int pos, int end) {
        return ParseErrors.describeAt(body, pos, end);
    }

    private String excerpt(int from, int to) {
        return ParseErrors.excerpt(body, from, to);
    }

    /** The current sample's name, quoted. */
    private String sampleName() {
        return excerpt(nameStart, nameEnd);
    }
}
