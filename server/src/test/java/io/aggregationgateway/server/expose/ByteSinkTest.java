package io.aggregationgateway.server.expose;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.TextFormatting;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sink writes what {@link TextFormatting} spells, without making Strings. */
class ByteSinkTest {
    private static String written(ByteSink sink) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sink.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void epochSecondsAsTextFormattingSpellsThem() throws IOException {
        Random random = new Random(17);
        for (int i = 0; i < 10_000; i++) {
            long millis = i < 2000 ? i - 1000 : random.nextLong(4_000_000_000_000L) - 1_000_000_000_000L;
            assertEquals(TextFormatting.epochSeconds(millis), written(new ByteSink().epochSeconds(millis)), "millis " + millis);
        }
    }

    /** One sink keeps the spellings of recent times: many times that share its slots, each again and again. */
    @Test
    void epochSecondsFromOneSinkStayExactWhileItKeepsSpellings() throws IOException {
        Random random = new Random(23);
        long[] times = new long[2_000];
        for (int i = 0; i < times.length; i++) {
            times[i] = i < 10 ? i * 7 - 30 : 1_764_000_000_000L + random.nextInt(100_000_000);
        }
        ByteSink sink = new ByteSink();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            long millis = times[i % 3 == 0 ? random.nextInt(times.length) : random.nextInt(300)];
            sink.epochSeconds(millis).put(' ');
            expected.append(TextFormatting.epochSeconds(millis)).append(' ');
        }
        assertEquals(expected.toString(), written(sink));
    }

    @Test
    void labelNamesAreCopiedQuotedOrEscaped() throws IOException {
        Labels labels = Labels.of("a:b", "1", "http.method", "GET", "job", "j", "q\"x", "2");
        SampleName plain = SampleName.of("m");
        SampleName quoted = SampleName.of("my.m");
        assertEquals("m{\"a:b\"=\"1\",\"http.method\"=\"GET\",job=\"j\",\"q\\\"x\"=\"2\"}",
                written(new ByteSink().series(plain, labels, NameEscaping.ALLOW_UTF8, null, null)));
        assertEquals("{\"my.m\",\"a:b\"=\"1\",\"http.method\"=\"GET\",job=\"j\",\"q\\\"x\"=\"2\",le=\"1.0\"}",
                written(new ByteSink().series(quoted, labels, NameEscaping.ALLOW_UTF8, "le", "1.0")));
        assertEquals("{\"my.m\"}", written(new ByteSink().series(quoted, Labels.EMPTY, NameEscaping.ALLOW_UTF8, null, null)));
        ByteSink again = new ByteSink().series(quoted, labels, NameEscaping.ALLOW_UTF8, null, null).put(' ');
        assertEquals("{\"my.m\",\"a:b\"=\"1\",\"http.method\"=\"GET\",job=\"j\",\"q\\\"x\"=\"2\"} {\"my.m_created\",\"a:b\"=\"1\","
                + "\"http.method\"=\"GET\",job=\"j\",\"q\\\"x\"=\"2\"} {\"my.m_x\",\"a:b\"=\"1\",\"http.method\"=\"GET\",job=\"j\","
                + "\"q\\\"x\"=\"2\"}", written(again.seriesLike(SampleName.of("my.m_created")).put(' ')
                .seriesLike(SampleName.of("my.m_x"))), "a series' labels once more, as written");
        assertEquals("m m_created", written(new ByteSink().series(plain, Labels.EMPTY, null, null, null).put(' ')
                .seriesLike(SampleName.of("m_created"))));
        ByteSink sink = new ByteSink();
        for (NameEscaping scheme : new NameEscaping[] {NameEscaping.VALUES, NameEscaping.UNDERSCORES, NameEscaping.VALUES}) {
            sink.clear().series(plain, labels, scheme, null, null); // the cache of escaped names follows the scheme
            assertEquals("m{" + scheme.labelName("a:b") + "=\"1\"," + scheme.labelName("http.method") + "=\"GET\",job=\"j\","
                    + scheme.labelName("q\"x") + "=\"2\"}", written(sink));
        }
    }

    /** Labels with legacy names only (no escaping scheme given) are written in one loop: the same spelling. */
    @Test
    void legacyLabelNamesAreWrittenAsTheVisitorWritesThem() throws IOException {
        Labels labels = Labels.of("job", "j", "path", "/a\"b\\c\nd", "status", "200");
        SampleName plain = SampleName.of("m");
        SampleName quoted = SampleName.of("my.m");
        for (String extra : new String[] {null, "le"}) {
            for (Labels set : new Labels[] {labels, Labels.EMPTY}) {
                for (SampleName name : new SampleName[] {plain, quoted}) {
                    String viaVisitor = written(new ByteSink().series(name, set, NameEscaping.ALLOW_UTF8, extra, "+Inf"));
                    assertEquals(viaVisitor, written(new ByteSink().series(name, set, null, extra, "+Inf")),
                            name.bytes().length + " " + set + " " + extra);
                }
            }
        }
        assertEquals("m{job=\"j\",path=\"/a\\\"b\\\\c\\nd\",status=\"200\",le=\"+Inf\"}",
                written(new ByteSink().series(plain, labels, null, "le", "+Inf")));
        assertEquals("{\"my.m\",job=\"j\",path=\"/a\\\"b\\\\c\\nd\",status=\"200\"}",
                written(new ByteSink().series(quoted, labels, null, null, null)));
    }
}
