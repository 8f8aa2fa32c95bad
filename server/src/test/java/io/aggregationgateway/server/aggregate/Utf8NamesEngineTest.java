package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.FamilyView;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Metric and label names outside the legacy character set: added up like any other, and refused
 * where scrapers without UTF-8 support, which see them escaped, could not tell two names apart.
 * Every refusal names both names and leaves the store exactly as it was.
 */
class Utf8NamesEngineTest {
    private static final String STORED = """
            # TYPE a_b gauge
            a_b 1
            # TYPE "x.y" gauge
            {"x.y"} 2
            # TYPE "lat.s" histogram
            {"lat.s_bucket",le="+Inf"} 1
            {"lat.s_count"} 1
            {"lat.s_sum"} 0.5
            # TYPE "my.requests_total" counter
            {"my.requests_total","http.method"="GET"} 3
            """;
    /** A valid series that must not land when the rest of its push is refused. */
    private static final String VALID_PREFIX =
            "# TYPE \"my.requests_total\" counter\n{\"my.requests_total\",\"http.method\"=\"GET\"} 100\n";

    @Test
    void utf8NamesAddUpAsAnyOther() throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push("/job/j/U__zone_2e_name/eu", "{\"my.requests_total\",\"http.method\"=\"GET\"} 3\n{\"a.c\"} 1\n");
        engine.push("/job/j/U__zone_2e_name/eu", "{\"my.requests_total\",\"http.method\"=\"GET\"} 4\n{\"a.c\"} 2\n"
                + "{\"a.d\"} 5\n");
        assertEquals("""
                # TYPE "a.c" untyped
                {"a.c",job="j","zone.name"="eu"} 3
                # TYPE "a.d" untyped
                {"a.d",job="j","zone.name"="eu"} 5
                # TYPE "my.requests_total" untyped
                {"my.requests_total","http.method"="GET",job="j","zone.name"="eu"} 7
                """, engine.utf8Exposition());
    }

    /**
     * A family first pushed with legacy label names learns that a later series has a UTF-8 one,
     * whether the name came in the body or as a grouping label: validation saw it, and the merge
     * marks the family so that scrapes escape it.
     */
    @Test
    void aLaterSeriesWithAUtf8LabelNameMarksItsFamilyForEscaping() throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push("/job/j", "# TYPE c counter\nc{a=\"1\"} 1\n");
        assertEquals(List.of(false), utf8LabelNames(engine));
        engine.push("/job/j", "# TYPE c counter\nc{a=\"1\"} 1\nc{\"b.c\"=\"2\"} 1\n");
        assertEquals(List.of(true), utf8LabelNames(engine));
        assertEquals("""
                # TYPE c counter
                c{a="1",job="j"} 2
                c{b_c="2",job="j"} 1
                """, engine.exposition());

        EngineHarness grouped = new EngineHarness();
        grouped.push("/job/j", "# TYPE c counter\nc{a=\"1\"} 1\n");
        grouped.push("/job/j/U__zone_2e_name/eu", "# TYPE c counter\nc{a=\"1\"} 1\n");
        assertEquals(List.of(true), utf8LabelNames(grouped));
        assertEquals("""
                # TYPE c counter
                c{a="1",job="j"} 1
                c{a="1",job="j",zone_name="eu"} 1
                """, grouped.exposition());
    }

    private static List<Boolean> utf8LabelNames(EngineHarness engine) {
        return engine.aggregator.families().stream().map(FamilyView::utf8LabelNames).toList();
    }

    @Test
    void twoSeriesAlikeOnlyOnceEscapedAreBothKept() throws Exception {
        // scrapers that read UTF-8 names tell them apart; scrapes with escaped names leave one out (see the renderers)
        EngineHarness engine = new EngineHarness();
        engine.push("# TYPE m gauge\nm{\"a.b\"=\"1\"} 1\nm{a_b=\"1\"} 2\n");
        assertEquals("# TYPE m gauge\nm{\"a.b\"=\"1\"} 1\nm{a_b=\"1\"} 2\n", engine.utf8Exposition());
    }

    static Stream<Arguments> refusedPushes() {
        return Stream.of(
                arguments("a UTF-8 family escaped like a stored legacy one (underscores)", RejectionReason.NAME_COLLISION,
                        "{\"a.b\"} 1\n",
                        "family a.b (untyped) collides with gauge a_b, which the gateway holds: scrapers without UTF-8 support"
                                + " (escaping=underscores) see a.b as a_b, so both claim the name a_b in their scrapes; one of"
                                + " the two needs another name"),
                arguments("a legacy family like a stored UTF-8 one escaped (underscores)", RejectionReason.NAME_COLLISION,
                        "# TYPE x_y gauge\nx_y 1\n",
                        "family x_y (gauge) collides with gauge x.y, which the gateway holds: scrapers without UTF-8 support"
                                + " (escaping=underscores) see x.y as x_y, so both claim the name x_y in their scrapes; one of"
                                + " the two needs another name"),
                arguments("like a stored UTF-8 one escaped with dots", RejectionReason.NAME_COLLISION,
                        "x_dot_y 1\n",
                        "family x_dot_y (untyped) collides with gauge x.y, which the gateway holds: scrapers without UTF-8"
                                + " support (escaping=dots) see x.y as x_dot_y, so both claim the name x_dot_y in their"
                                + " scrapes; one of the two needs another name"),
                arguments("like a stored UTF-8 one escaped with values", RejectionReason.NAME_COLLISION,
                        "U__x_2e_y 1\n",
                        "family U__x_2e_y (untyped) collides with gauge x.y, which the gateway holds: scrapers without UTF-8"
                                + " support (escaping=values) see x.y as U__x_2e_y, so both claim the name U__x_2e_y in their"
                                + " scrapes; one of the two needs another name"),
                arguments("two UTF-8 families alike once escaped", RejectionReason.NAME_COLLISION,
                        "{\"x-y\"} 1\n",
                        "family x-y (untyped) collides with gauge x.y, which the gateway holds: scrapers without UTF-8 support"
                                + " (escaping=underscores) see x-y as x_y and x.y as x_y, so both claim the name x_y in their"
                                + " scrapes; one of the two needs another name"),
                arguments("a sample name of an escaped histogram", RejectionReason.NAME_COLLISION,
                        "lat_s_bucket 1\n",
                        "family lat_s_bucket (untyped) collides with histogram lat.s, which the gateway holds: scrapers"
                                + " without UTF-8 support (escaping=underscores) see lat.s as lat_s, so both claim the name"
                                + " lat_s_bucket in their scrapes; one of the two needs another name"),
                arguments("two families of one push", RejectionReason.NAME_COLLISION,
                        "{\"c.d\"} 1\nc_d 2\n",
                        "family c_d (untyped) collides with untyped c.d, which this push also carries: scrapers without UTF-8"
                                + " support (escaping=underscores) see c.d as c_d, so both claim the name c_d in their"
                                + " scrapes; one of the two needs another name"),
                arguments("two label names of one series alike once escaped", RejectionReason.INVALID_NAME,
                        "m{\"a.b\"=\"1\",a_b=\"2\"} 1\n",
                        "family m, series {a.b=\"1\",a_b=\"2\"}: label names \"a.b\" and \"a_b\" would both be \"a_b\" for"
                                + " scrapers without UTF-8 support (escaping=underscores)"),
                arguments("a label name and a grouping label name alike once escaped", RejectionReason.INVALID_NAME,
                        "m{\"job.name\"=\"1\",job_name=\"2\"} 1\n",
                        "family m, series {job.name=\"1\",job_name=\"2\"}: label names \"job.name\" and \"job_name\" would"
                                + " both be \"job_name\" for scrapers without UTF-8 support (escaping=underscores)"),
                arguments("a label name reserved once escaped", RejectionReason.INVALID_NAME,
                        "m{\"._x\"=\"1\"} 1\n",
                        "family m, series {._x=\"1\"}: label name \"._x\" would be \"__x\" for scrapers without UTF-8 support"
                                + " (escaping=underscores), a reserved name"),
                arguments("a reserved UTF-8 label name", RejectionReason.INVALID_NAME,
                        "m{\"__a.b\"=\"1\"} 1\n",
                        "family m, series {__a.b=\"1\"}: label name \"__a.b\" is not a valid label name"),
                arguments("the gateway's prefix once escaped", RejectionReason.INVALID_NAME,
                        "{\"aggregation.gateway_x\"} 1\n",
                        "family aggregation.gateway_x: scrapers without UTF-8 support (escaping=underscores) would see it as"
                                + " aggregation_gateway_x, and the prefix aggregation_gateway_ is reserved for the gateway's own"
                                + " metrics"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPushes")
    void refusedPushChangesNothing(String description, RejectionReason reason, String badBody, String message) throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push(STORED);
        String before = engine.utf8Exposition();

        PushRejectedException e = assertThrows(PushRejectedException.class, () -> engine.push(VALID_PREFIX + badBody));

        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(message, e.getMessage());
        assertEquals(before, engine.utf8Exposition());
    }

    @Test
    void aRemovedFamilyFreesItsEscapedNames() throws Exception {
        EngineHarness engine = new EngineHarness();
        engine.push("{\"a.b\"} 1\n");
        assertThrows(PushRejectedException.class, () -> engine.push("a_b 1\n"));
        assertEquals(1, engine.aggregator.deleteFamily("a.b"));
        engine.push("a_b 1\n");
        assertEquals("# TYPE a_b untyped\na_b 1\n", engine.utf8Exposition());
    }
}
