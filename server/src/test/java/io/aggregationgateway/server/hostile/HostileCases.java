package io.aggregationgateway.server.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Requests that play tricks with headers and HTTP/1.1 framing, each sent alone on a fresh
 * connection, each with what it must get.
 */
final class HostileCases {
    /** What a request must get, beyond what every request must (no 5xx, nothing changed unless accepted). */
    enum Expect {
        /** anything but a 5xx */
        ANY,
        /** an answer, and no 5xx */
        ANSWERED,
        /** only 4xx answers (at least one), and nothing changed */
        REFUSED,
        /** only 2xx answers (at least one) */
        ACCEPTED
    }

    record RawCase(String name, byte[] bytes, Expect expect) {
    }

    static final String PUSH_PATH = "/metrics/job/hostile";
    private static final String BODY = "# TYPE tricks_total counter\ntricks_total{k=\"v\"} 1\n";

    private HostileCases() {
    }

    static List<RawCase> all() {
        List<RawCase> cases = new ArrayList<>();
        contentTypes(cases);
        contentEncodings(cases);
        scrapeHeaders(cases);
        otherHeaders(cases);
        methodsAndPaths(cases);
        framing(cases);
        return cases;
    }

    private static void contentTypes(List<RawCase> cases) {
        String[] types = {";", "", " ", ";;;", "text/plain;", "text/plain; version=", "text/plain; version=0.0.5",
                "text/plain; charset=ebcdic", "TEXT/PLAIN; VERSION=0.0.4", "text/plain; version=\"0.0.4\"",
                "text/plain; version=\"0.0.4", "application/openmetrics-text", "application/openmetrics-text; version=0.0.1",
                "application/openmetrics-text; version=2.0.0", "application/openmetrics-text; version=1.0.0; charset=utf-16",
                "application/vnd.google.protobuf", SeedBodies.PROTOBUF_TYPE,
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text",
                "application/vnd.google.protobuf; proto=; encoding=", "application/json", "*/*", "text/*",
                "multipart/form-data; boundary=", "text/plain; " + "a=b;".repeat(2_000), "text/plain\u00e9",
                "=", "text/plain; =", "text/plain; q", "/", "text/", "/plain", "text/plain, application/json"};
        for (int i = 0; i < types.length; i++) {
            cases.add(new RawCase("content-type-" + i + " [" + abbreviate(types[i]) + "]",
                    push(List.of("Content-Type: " + types[i]), utf8(BODY)), Expect.ANSWERED));
        }
    }

    private static void contentEncodings(List<RawCase> cases) {
        String[] encodings = {";", "", "gzip", "gzip, gzip", "identity", "br", "deflate", "x-gzip", "GZIP", "gzip;q=1",
                "compress", "gzip, identity", "*", "gzip\u00e9"};
        for (int i = 0; i < encodings.length; i++) {
            cases.add(new RawCase("content-encoding-" + i + " [" + encodings[i] + "] on a plain body",
                    push(List.of("Content-Type: text/plain", "Content-Encoding: " + encodings[i]), utf8(BODY)), Expect.ANSWERED));
        }
        byte[] gzipped = gzip(utf8(BODY));
        cases.add(new RawCase("gzip-truncated", push(List.of("Content-Encoding: gzip"),
                java.util.Arrays.copyOf(gzipped, gzipped.length / 2)), Expect.REFUSED));
        byte[] flipped = gzipped.clone();
        flipped[flipped.length - 3] ^= 0x55; // the CRC
        cases.add(new RawCase("gzip-bad-crc", push(List.of("Content-Encoding: gzip"), flipped), Expect.REFUSED));
        cases.add(new RawCase("gzip-bomb-64MB", push(List.of("Content-Encoding: gzip"), gzip(new byte[64 << 20])),
                Expect.REFUSED));
        cases.add(new RawCase("gzip-twice-declared-once", push(List.of("Content-Encoding: gzip"), gzip(gzipped)),
                Expect.REFUSED));
        cases.add(new RawCase("gzip-valid", push(List.of("Content-Encoding: gzip"), gzipped), Expect.ACCEPTED));
    }

    private static void scrapeHeaders(List<RawCase> cases) {
        String[] accepts = {";", "", "*/*;q=", "application/openmetrics-text;version=1.0.0;q=abc",
                SeedBodies.PROTOBUF_TYPE + ";q=0.5, text/plain;q=0.6", "\"", "text/plain; version=\"unterminated",
                "a/b;".repeat(5_000), "application/openmetrics-text;version=1.0.0,".repeat(1_000), "*/*;q=0",
                "*/*;q=-1", "*/*;q=1e400", "text/plain;q=0.5;q=0.9", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=1.0000000001"};
        for (int i = 0; i < accepts.length; i++) {
            cases.add(new RawCase("accept-" + i + " [" + abbreviate(accepts[i]) + "]",
                    request("GET", "/metrics", List.of("Accept: " + accepts[i]), null), Expect.ANSWERED));
        }
        String[] encodings = {";", "", "gzip;q=", "*;q=0", "gzip;q=NaN", "gzip;q=0.5;q=", "gzip, " .repeat(5_000), "identity;q=0"};
        for (int i = 0; i < encodings.length; i++) {
            cases.add(new RawCase("accept-encoding-" + i + " [" + abbreviate(encodings[i]) + "]",
                    request("GET", "/metrics", List.of("Accept-Encoding: " + encodings[i]), null), Expect.ANSWERED));
        }
    }

    private static void otherHeaders(List<RawCase> cases) {
        cases.add(new RawCase("no-host", raw("POST " + PUSH_PATH + " HTTP/1.1\r\nContent-Length: " + BODY.length()
                + "\r\n\r\n" + BODY), Expect.ANSWERED));
        cases.add(new RawCase("two-hosts", push(List.of("Host: a", "Host: b"), utf8(BODY)), Expect.ANSWERED));
        cases.add(new RawCase("header-without-colon", push(List.of("Garbage"), utf8(BODY)), Expect.ANSWERED));
        cases.add(new RawCase("header-name-with-space", push(List.of("Content Type: text/plain"), utf8(BODY)), Expect.ANSWERED));
        cases.add(new RawCase("obs-fold", push(List.of("X-A: b", " folded"), utf8(BODY)), Expect.ANSWERED));
        cases.add(new RawCase("nul-in-header", push(List.of("X-A: a\u0000b"), utf8(BODY)), Expect.ANSWERED));
        cases.add(new RawCase("header-64KB", push(List.of("X-A: " + "a".repeat(64 * 1024)), utf8(BODY)), Expect.ANSWERED));
        List<String> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add("X-H" + i + ": " + i);
        }
        cases.add(new RawCase("headers-100", push(hundred, utf8(BODY)), Expect.ACCEPTED));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add("X-H" + i + ": " + i);
        }
        cases.add(new RawCase("headers-10k", push(many, utf8(BODY)), Expect.REFUSED));
        cases.add(new RawCase("expect-100-continue", push(List.of("Expect: 100-continue"), utf8(BODY)), Expect.ACCEPTED));
        cases.add(new RawCase("expect-unknown", push(List.of("Expect: teapot"), utf8(BODY)), Expect.ANSWERED));
        cases.add(new RawCase("upgrade-h2c-on-push", push(List.of("Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
                "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"), utf8(BODY)), Expect.ANY));
        cases.add(new RawCase("upgrade-websocket", request("GET", "/metrics", List.of("Connection: Upgrade", "Upgrade: websocket"),
                null), Expect.ANSWERED));
        cases.add(new RawCase("te-trailers", push(List.of("TE: trailers"), utf8(BODY)), Expect.ACCEPTED));
        cases.add(new RawCase("content-type-twice", push(List.of("Content-Type: text/plain",
                "Content-Type: " + SeedBodies.PROTOBUF_TYPE), utf8(BODY)), Expect.ANSWERED));
    }

    private static void methodsAndPaths(List<RawCase> cases) {
        String[][] requests = {
                {"PATCH", "/metrics"}, {"HEAD", "/metrics"}, {"FOO", "/metrics"}, {"post", PUSH_PATH}, {"GET", "/metrics/job/x"},
                {"DELETE", "/metrics"}, {"DELETE", "/metrics/job/"}, {"PUT", "/metrics/job//a"}, {"POST", "/metrics/job/a/b"},
                {"POST", "/metrics/job@base64/!!!!"}, {"POST", "/metrics/job/%zz"}, {"POST", "/metrics/job/%00"},
                {"POST", "/metrics/job/%ff%fe"}, {"POST", "/metrics/job@base64/__4"}, {"POST", "/metrics/job/a/__name__/x"},
                {"POST", "/metrics/job/a/le/1"}, {"POST", "/metrics/job/a/1bad/x"}, {"GET", "/metrics?x=%zz&&=="},
                {"GET", "/../../etc/passwd"}, {"GET", "*"}, {"OPTIONS", "*"}, {"GET", "http://evil.example/metrics"},
                {"CONNECT", "127.0.0.1:1"}, {"POST", "/metrics/job/" + "a".repeat(8_000)}, {"POST", "/metrics/" + "job/a/".repeat(500)},
                {"GET", "/-/healthy/../../metrics"}, {"POST", "/metrics/job/a%2Fb"}, {"POST", "/metrics/job/a b"},
                {"POST", "/metrics/\u00e9"}, {"GET", ""}, {"GET", "//metrics"}, {"TRACE", "/metrics"}};
        for (String[] r : requests) {
            cases.add(new RawCase("request " + r[0] + " " + abbreviate(r[1]), request(r[0], r[1],
                    List.of("Content-Type: text/plain"), "HEAD".equals(r[0]) || "GET".equals(r[0]) ? null : utf8(BODY)),
                    Expect.ANY));
        }
        cases.add(new RawCase("url-100KB", request("GET", "/metrics?" + "a".repeat(100_000), List.of(), null), Expect.REFUSED));
        cases.add(new RawCase("method-8KB", raw("P".repeat(8_000) + " /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), Expect.ANY));
    }

    private static void framing(List<RawCase> cases) {
        String head = "POST " + PUSH_PATH + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n";
        String smuggled = "POST /metrics/job/smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
        cases.add(new RawCase("chunked-valid", raw(head + "Transfer-Encoding: chunked\r\n\r\n"
                + chunk(BODY) + "0\r\n\r\n"), Expect.ACCEPTED));
        cases.add(new RawCase("pipelined-two-pushes", concat(push(List.of(), utf8(BODY)), push(List.of(), utf8(BODY))),
                Expect.ACCEPTED));
        cases.add(new RawCase("pipelined-scrape-and-health", raw("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"), Expect.ACCEPTED));
        cases.add(new RawCase("leading-empty-lines", raw("\r\n\r\n" + head + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY),
                Expect.ANY));
        cases.add(new RawCase("bare-lf-lines", raw(head.replace("\r\n", "\n") + "Content-Length: " + BODY.length() + "\n\n" + BODY),
                Expect.ANY));
        cases.add(new RawCase("body-shorter-than-content-length", raw(head + "Content-Length: 500\r\n\r\n" + BODY), Expect.REFUSED));
        cases.add(new RawCase("body-longer-than-content-length", raw(head + "Content-Length: 10\r\n\r\n" + BODY), Expect.ANY));
        cases.add(new RawCase("content-length-huge", raw(head + "Content-Length: 99999999999999999999\r\n\r\n" + BODY), Expect.REFUSED));
        cases.add(new RawCase("content-length-plus", raw(head + "Content-Length: +" + BODY.length() + "\r\n\r\n" + BODY), Expect.ANY));
        cases.add(new RawCase("content-length-spaces", raw(head + "Content-Length:   " + BODY.length() + "  \r\n\r\n" + BODY), Expect.ANY));
        cases.add(new RawCase("content-length-hex", raw(head + "Content-Length: 0x10\r\n\r\n" + BODY), Expect.ANY));
        cases.add(new RawCase("version-9.9", raw("GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n"), Expect.ANY));
        cases.add(new RawCase("version-garbage", raw("GET /metrics HTTQ/1.1\r\nHost: x\r\n\r\n"), Expect.ANY));
        cases.add(new RawCase("request-line-nul", raw("GET /metr\u0000ics HTTP/1.1\r\nHost: x\r\n\r\n"), Expect.ANY));
        cases.add(new RawCase("request-line-only-spaces", raw("   \r\n\r\n"), Expect.ANY));
        cases.add(new RawCase("h2-preface-then-garbage", raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0012\u0004garbage"), Expect.ANY));
        // what RFC 9112 says must be refused, or allowed, and the server got wrong
        cases.add(new RawCase("content-length-conflicting", raw(head + "Content-Length: " + BODY.length()
                + "\r\nContent-Length: 3\r\n\r\n" + BODY), Expect.REFUSED));
        cases.add(new RawCase("content-length-negative", raw(head + "Content-Length: -1\r\n\r\n" + BODY), Expect.REFUSED));
        cases.add(new RawCase("content-length-and-chunked", raw(head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk(smuggled) + "0\r\n\r\n"), Expect.REFUSED));
        cases.add(new RawCase("chunked-then-identity", raw(head + "Transfer-Encoding: chunked, identity\r\n\r\n"
                + chunk(smuggled) + "0\r\n\r\n"), Expect.REFUSED));
        cases.add(new RawCase("chunk-extension", raw(head + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(BODY.length()) + ";ext=1\r\n" + BODY + "\r\n0\r\n\r\n"), Expect.ACCEPTED));
        cases.add(new RawCase("chunk-size-garbage", raw(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + BODY + "\r\n0\r\n\r\n"),
                Expect.REFUSED));
        cases.add(new RawCase("chunk-size-negative", raw(head + "Transfer-Encoding: chunked\r\n\r\n-5\r\n" + BODY + "\r\n0\r\n\r\n"),
                Expect.REFUSED));
        cases.add(new RawCase("chunk-size-huge", raw(head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" + BODY
                + "\r\n0\r\n\r\n"), Expect.REFUSED));
        cases.add(new RawCase("http-1.0-push", raw("POST " + PUSH_PATH + " HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: "
                + BODY.length() + "\r\n\r\n" + BODY), Expect.ACCEPTED));
        cases.add(new RawCase("http-1.0-health-check", raw("GET /-/healthy HTTP/1.0\r\n\r\n"), Expect.ACCEPTED));
    }

    /** A push of {@code body} to {@link #PUSH_PATH} with these extra headers (Content-Length added unless given). */
    static byte[] push(List<String> headers, byte[] body) {
        return request("POST", PUSH_PATH, headers, body);
    }

    static byte[] request(String method, String target, List<String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (headers.stream().noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            head.append("Host: 127.0.0.1\r\n");
        }
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (body != null && headers.stream().noneMatch(h -> h.regionMatches(true, 0, "Content-Length:", 0, 15))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        return body == null ? latin1(head.toString()) : concat(latin1(head.toString()), body);
    }

    private static String chunk(String data) {
        return Integer.toHexString(utf8(data).length) + "\r\n" + data + "\r\n";
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] raw(String s) {
        return latin1(s);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "... (" + s.length() + " chars)";
    }
}
