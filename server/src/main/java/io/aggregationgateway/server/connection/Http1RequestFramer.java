package io.aggregationgateway.server.connection;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads HTTP/1.x requests off a connection as RFC 9112 frames them and hands each one on in the
 * only framing Helidon 4.4.0's HTTP/1.1 reader gets right: one canonical {@code Content-Length}, or
 * {@code Transfer-Encoding: chunked} with bare chunk sizes and no trailer fields.
 *
 * <p>Helidon 4.4.0 frames requests loosely, so a proxy in front of the gateway and the gateway could
 * disagree about where a request ends (request smuggling): it takes the first of two conflicting
 * {@code Content-Length}s, accepts {@code Content-Length} next to {@code Transfer-Encoding}, and reads
 * {@code Transfer-Encoding: chunked, identity} (or {@code Chunked}) as no body and the chunks as the
 * next request; chunk extensions and malformed chunk sizes fail the body (500, or no answer at all),
 * trailer fields get 400, HTTP/1.0 requests no answer at all. This class refuses what could be framed two
 * ways (400, then the connection is closed), accepts what RFC 9112 allows, and rewrites it:
 * <ul>
 *   <li>refused: {@code Content-Length} with {@code Transfer-Encoding}, differing {@code Content-Length}s,
 *       a length that is not digits, a coding list that does not end in exactly one {@code chunked}
 *       (known-to-be-unsupported codings before it get 501), {@code Transfer-Encoding} in HTTP/1.0,
 *       folded header lines, space before a header's colon, bare CR or LF, malformed chunks;</li>
 *   <li>chunk extensions are dropped, trailer fields read and discarded, chunks re-sized to what arrived;</li>
 *   <li>an HTTP/1.0 request goes on as HTTP/1.1 with {@code Connection: close} (and a {@code Host} when it
 *       has none; its {@code Expect} is dropped, as RFC 9110 asks), and is the last one read from its
 *       connection;</li>
 *   <li>a request line over {@link Limits#maxRequestLineBytes()} gets 414; a header section over
 *       {@link Limits#maxHeaderBytes()} or with more than {@link Limits#maxHeaderFields()} fields, 431.</li>
 * </ul>
 * {@code Upgrade} changes nothing: the gateway switches no HTTP/1.1 connection to another protocol.
 *
 * <p>It stops at the end of each request: nothing of the next request is read until this one has been
 * handed on whole, so a refusal of the next request never overtakes the answer to this one. No I/O
 * here: bytes go in through {@link #feed}, framed bytes come out of {@link #next}.
 */
final class Http1RequestFramer {
    /**
     * @param maxRequestLineBytes longest request line (method, target, version), without its CRLF
     * @param maxHeaderBytes      largest header section after the request line, CRLFs included
     * @param maxHeaderFields     most header fields in one request
     */
    record Limits(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderFields) {
        /** Longest chunk-size line, extensions included. */
        int maxChunkLineBytes() {
            return 4096;
        }
    }

    private enum Phase { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, DONE }

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LENGTH_DIGITS = 18; // below Long.MAX_VALUE

    private final Limits limits;
    private final String defaultHost;

    // unread input: buf[start, end)
    private byte[] buf = EMPTY;
    private int start;
    private int end;

    private Phase phase = Phase.HEAD;
    // while reading a head or a chunk/trailer line: how far it has been scanned, relative to start
    private int scanned;
    private int requestLineEnd = -1;
    private int lineStart;
    private int fields;
    private long remaining;
    private int trailerBytes;
    private boolean lastRequest;
    private boolean http10;

    /** @param defaultHost the {@code Host} given to HTTP/1.0 requests that have none */
    Http1RequestFramer(Limits limits, String defaultHost) {
        this.limits = limits;
        this.defaultHost = defaultHost;
    }

    /** Adds bytes read from the connection. The framer may keep the array and hand it out of {@link #next}. */
    void feed(byte[] bytes) {
        if (start == end) {
            buf = bytes;
            start = 0;
            end = bytes.length;
            return;
        }
        int unread = end - start;
        if (buf.length - end < bytes.length) {
            byte[] grown = unread + bytes.length <= buf.length ? buf : new byte[Math.max(unread + bytes.length, 2 * unread)];
            System.arraycopy(buf, start, grown, 0, unread);
            buf = grown;
            start = 0;
            end = unread;
        }
        System.arraycopy(bytes, 0, buf, end, bytes.length);
        end += bytes.length;
    }

    /**
     * The next framed bytes of the current request, or {@code null} when more input is needed (or,
     * once {@link #done()}, never again).
     *
     * @throws FramingException when the request cannot be accepted; the connection must be closed
     */
    byte[] next() throws FramingException {
        return switch (phase) {
            case HEAD -> head();
            case LENGTH -> lengthBody();
            case CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS -> chunkedBody();
            case DONE -> null;
        };
    }

    /** Whether the framer waits for a request head: between requests, or part way into one. */
    boolean readingHead() {
        return phase == Phase.HEAD;
    }

    /** Whether input is buffered that has not been handed on yet. */
    boolean hasUnreadInput() {
        return start < end;
    }

    /** Whether no more requests are read from this connection (after HTTP/1.0 or {@code Connection: close}). */
    boolean done() {
        return phase == Phase.DONE;
    }

    /** Whether the last head handed on came as HTTP/1.0: its response must not be chunked. */
    boolean http10() {
        return http10;
    }

    // ---- request head

    private byte[] head() throws FramingException {
        int headEnd = scanHead();
        if (headEnd < 0) {
            return null;
        }
        ByteBuilder head = parseHead(headEnd);
        start += headEnd;
        scanned = 0;
        requestLineEnd = -1;
        lineStart = 0;
        fields = 0;
        if (phase == Phase.LENGTH && start < end) {
            // the usual small push: head and body in one array
            int n = (int) Math.min(remaining, end - start);
            head.write(buf, start, n);
            consumeBody(n, n);
        }
        return head.toByteArray();
    }

    /** Scans the buffered head for its end; returns its length (after the empty line) or -1 if incomplete. */
    private int scanHead() throws FramingException {
        for (; scanned < end - start; scanned++) {
            byte b = buf[start + scanned];
            if (scanned > 0 && buf[start + scanned - 1] == '\r' && b != '\n') {
                throw FramingException.badRequest("CR without LF in the request head");
            }
            if (b == '\n') {
                if (scanned == 0 || buf[start + scanned - 1] != '\r') {
                    throw FramingException.badRequest("LF without CR in the request head");
                }
                int lineEnd = scanned - 1;
                if (requestLineEnd < 0 && lineEnd == 0) {
                    // RFC 9112 2.2: a server should ignore empty lines received before a request line
                    start += 2;
                    scanned = -1;
                    continue;
                }
                if (requestLineEnd < 0) {
                    requestLineEnd = lineEnd;
                } else if (lineEnd == lineStart) {
                    return scanned + 1;
                } else if (++fields > limits.maxHeaderFields()) {
                    throw FramingException.headersTooLarge("more than " + limits.maxHeaderFields() + " header fields");
                }
                lineStart = scanned + 1;
            }
            if (requestLineEnd < 0 && scanned > limits.maxRequestLineBytes()) {
                throw FramingException.uriTooLong("request line longer than " + limits.maxRequestLineBytes() + " bytes");
            }
            if (requestLineEnd >= 0 && scanned + 1 - (requestLineEnd + 2) > limits.maxHeaderBytes()) {
                throw FramingException.headersTooLarge("header section larger than " + limits.maxHeaderBytes() + " bytes");
            }
        }
        return -1;
    }

    /** Checks the complete head buf[start, start + headEnd) and returns it as Helidon gets it. */
    private ByteBuilder parseHead(int headEnd) throws FramingException {
        int from = start;
        int lineEnd = from + requestLineEnd;
        RequestLine line = requestLine(from, lineEnd);
        boolean oldVersion = line.http10();

        ByteBuilder out = new ByteBuilder(headEnd + 64 + (int) Math.min(remainingInput(headEnd), 16 * 1024));
        if (line.rewriteVersion()) {
            out.write(buf, from, line.versionStart() - from);
            out.write(ascii("HTTP/1.1"));
        } else {
            out.write(buf, from, lineEnd - from);
        }
        out.write(CRLF);

        long contentLength = -1;
        StringBuilder codings = null;
        boolean host = false;
        boolean close = oldVersion;
        int fieldStart = lineEnd + 2;
        int headLimit = start + headEnd - 2; // the final empty line's CRLF
        while (fieldStart < headLimit) {
            int fieldEnd = indexOfCr(fieldStart, headLimit);
            int colon = checkField(fieldStart, fieldEnd, "header");
            boolean keep = true;
            switch (FramingField.of(buf, fieldStart, colon)) {
                case CONTENT_LENGTH -> {
                    long length = contentLength(colon + 1, fieldEnd);
                    if (contentLength >= 0 && length != contentLength) {
                        throw FramingException.badRequest("conflicting Content-Length headers: " + contentLength + " and " + length);
                    }
                    contentLength = length;
                    keep = false;
                }
                case TRANSFER_ENCODING -> {
                    String value = value(colon, fieldEnd);
                    codings = codings == null ? new StringBuilder(value) : codings.append(',').append(value);
                    keep = false;
                }
                case HOST -> host = true;
                case CONNECTION -> {
                    close |= hasToken(value(colon, fieldEnd), "close");
                    keep = !oldVersion;
                }
                case KEEP_ALIVE, EXPECT -> keep = !oldVersion;
                case OTHER -> {
                }
            }
            if (keep) {
                out.write(buf, fieldStart, fieldEnd - fieldStart);
                out.write(CRLF);
            }
            fieldStart = fieldEnd + 2;
        }

        boolean chunked = false;
        if (codings != null) {
            if (oldVersion) {
                throw FramingException.badRequest("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (contentLength >= 0) {
                throw FramingException.badRequest("both Content-Length and Transfer-Encoding: the body length is ambiguous");
            }
            requireChunkedLast(codings.toString());
            chunked = true;
            out.write(ascii("Transfer-Encoding: chunked\r\n"));
        } else if (contentLength >= 0) {
            out.write(ascii("Content-Length: " + contentLength + "\r\n"));
        }
        if (oldVersion) {
            out.write(ascii("Connection: close\r\n"));
            if (!host) {
                out.write(ascii("Host: " + defaultHost + "\r\n"));
            }
        }
        out.write(CRLF);

        http10 = oldVersion;
        lastRequest = close;
        if (chunked) {
            phase = Phase.CHUNK_SIZE;
        } else if (contentLength > 0) {
            phase = Phase.LENGTH;
            remaining = contentLength;
        } else {
            requestDone();
        }
        return out;
    }

    /** Input buffered after a head of {@code headEnd} bytes: the body the head's array may carry along. */
    private int remainingInput(int headEnd) {
        return end - start - headEnd;
    }

    private record RequestLine(boolean http10, boolean rewriteVersion, int versionStart) {
    }

    /** {@code method SP request-target SP HTTP-version}, each part checked. */
    private RequestLine requestLine(int from, int to) throws FramingException {
        int methodEnd = indexOf(' ', from, to);
        int targetEnd = methodEnd < 0 ? -1 : indexOf(' ', methodEnd + 1, to);
        if (methodEnd <= from || targetEnd < 0 || targetEnd == methodEnd + 1 || indexOf(' ', targetEnd + 1, to) >= 0) {
            throw FramingException.badRequest("malformed request line " + quote(from, to)
                    + ": expected method, target and version separated by single spaces");
        }
        for (int i = from; i < methodEnd; i++) {
            if (!isTokenChar(buf[i])) {
                throw FramingException.badRequest("invalid method " + quote(from, methodEnd));
            }
        }
        for (int i = methodEnd + 1; i < targetEnd; i++) {
            if (buf[i] < 0x21 || buf[i] > 0x7e) {
                throw FramingException.badRequest("invalid character 0x" + hex(buf[i]) + " in the request target");
            }
        }
        int v = targetEnd + 1;
        if (to - v == 8 && startsWith(v, "HTTP/") && isDigit(buf[v + 5]) && buf[v + 6] == '.' && isDigit(buf[v + 7])) {
            if (buf[v + 5] == '1') {
                boolean old = buf[v + 7] == '0';
                // HTTP/1.2 and later minor versions are read as HTTP/1.1 (RFC 9110 2.5)
                return new RequestLine(old, buf[v + 7] != '1', v);
            }
            throw FramingException.versionNotSupported("HTTP version " + new String(buf, v + 5, 3, StandardCharsets.US_ASCII)
                    + " is not supported; use HTTP/1.1");
        }
        throw FramingException.badRequest("malformed HTTP version " + quote(v, to));
    }

    /**
     * Checks a header or trailer field line, {@code field-name ":" OWS field-value OWS}; returns the
     * index of its colon.
     */
    private int checkField(int from, int to, String kind) throws FramingException {
        if (buf[from] == ' ' || buf[from] == '\t') {
            throw FramingException.badRequest("obsolete line folding in " + kind + " field line " + quote(from, to));
        }
        int colon = indexOf(':', from, to);
        if (colon <= from) {
            throw FramingException.badRequest(kind + " field line without a name and colon: " + quote(from, to));
        }
        for (int i = from; i < colon; i++) {
            if (!isTokenChar(buf[i])) {
                throw FramingException.badRequest("invalid " + kind + " field name " + quote(from, colon));
            }
        }
        for (int i = colon + 1; i < to; i++) {
            int b = buf[i] & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                throw FramingException.badRequest("control character 0x" + hex(buf[i]) + " in " + kind + " field "
                        + quote(from, colon));
            }
        }
        return colon;
    }

    /** The field value after {@code colon}, without the optional whitespace around it. */
    private String value(int colon, int to) {
        int from = skipWhitespace(colon + 1, to);
        while (to > from && isWhitespace(buf[to - 1])) {
            to--;
        }
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@code Content-Length = 1*DIGIT} in buf[from, to), whitespace around it allowed; a list of equal
     * values counts as one (RFC 9110 8.6).
     */
    private long contentLength(int from, int to) throws FramingException {
        long length = -1;
        int element = from;
        while (element <= to) {
            int comma = indexOf(',', element, to);
            int elementEnd = comma < 0 ? to : comma;
            int first = skipWhitespace(element, elementEnd);
            int last = elementEnd;
            while (last > first && isWhitespace(buf[last - 1])) {
                last--;
            }
            if (first == last) {
                throw FramingException.badRequest("invalid Content-Length \"" + value(from - 1, to) + "\": expected digits");
            }
            long parsed = 0;
            int significant = 0;
            for (int i = first; i < last; i++) {
                if (!isDigit(buf[i])) {
                    throw FramingException.badRequest("invalid Content-Length \"" + value(from - 1, to) + "\": expected digits");
                }
                if ((parsed > 0 || buf[i] != '0') && ++significant > MAX_LENGTH_DIGITS) {
                    throw FramingException.contentTooLarge("Content-Length " + value(from - 1, to) + " is too large");
                }
                parsed = parsed * 10 + (buf[i] - '0');
            }
            if (length >= 0 && parsed != length) {
                throw FramingException.badRequest("conflicting Content-Length values \"" + value(from - 1, to) + "\"");
            }
            length = parsed;
            element = elementEnd + 1;
        }
        return length;
    }

    /**
     * RFC 9112 6.3: chunked must be the final coding, else the length cannot be determined (400); it
     * may appear once. Other codings could be decoded, but the gateway decodes none (501).
     */
    private static void requireChunkedLast(String codings) throws FramingException {
        String[] elements = Arrays.stream(codings.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        if (elements.length == 0 || !elements[elements.length - 1].equalsIgnoreCase("chunked")) {
            throw FramingException.badRequest("Transfer-Encoding \"" + codings
                    + "\" does not end in chunked: the body length cannot be determined");
        }
        for (int i = 0; i < elements.length - 1; i++) {
            String coding = elements[i];
            if (coding.equalsIgnoreCase("chunked")) {
                throw FramingException.badRequest("Transfer-Encoding \"" + codings + "\" applies chunked twice");
            }
            String name = coding.split(";", 2)[0].strip();
            if (name.isEmpty() || !name.chars().allMatch(c -> c < 0x80 && isTokenChar((byte) c))) {
                throw FramingException.badRequest("invalid transfer coding \"" + coding + "\"");
            }
            throw FramingException.notImplemented("transfer coding " + name + " is not supported (only chunked)");
        }
    }

    private static boolean hasToken(String list, String token) {
        for (String element : list.split(",")) {
            if (element.strip().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    // ---- bodies

    private byte[] lengthBody() {
        if (start == end) {
            return null;
        }
        int n = (int) Math.min(remaining, end - start);
        if (start == 0 && n == buf.length) {
            byte[] whole = buf; // handed on as it came: the framer keeps no reference to it
            buf = EMPTY;
            end = 0;
            consumeBody(0, n);
            return whole;
        }
        byte[] part = Arrays.copyOfRange(buf, start, start + n);
        consumeBody(n, n);
        return part;
    }

    private void consumeBody(int bytesOfBuffer, int bodyBytes) {
        start += bytesOfBuffer;
        remaining -= bodyBytes;
        if (remaining == 0) {
            requestDone();
        }
    }

    private byte[] chunkedBody() throws FramingException {
        ByteBuilder out = null;
        while (true) {
            switch (phase) {
                case CHUNK_SIZE -> {
                    int lineEnd = scanLine(limits.maxChunkLineBytes(), "chunk size line");
                    if (lineEnd < 0) {
                        return bytes(out);
                    }
                    long size = chunkSize(start, start + lineEnd);
                    start += lineEnd + 2;
                    scanned = 0;
                    if (size == 0) {
                        phase = Phase.TRAILERS;
                        trailerBytes = 0;
                    } else {
                        remaining = size;
                        phase = Phase.CHUNK_DATA;
                    }
                }
                case CHUNK_DATA -> {
                    if (start == end) {
                        return bytes(out);
                    }
                    int n = (int) Math.min(remaining, end - start);
                    out = out == null ? new ByteBuilder(n + 16) : out;
                    out.write(ascii(Integer.toHexString(n)));
                    out.write(CRLF);
                    out.write(buf, start, n);
                    out.write(CRLF);
                    start += n;
                    remaining -= n;
                    if (remaining == 0) {
                        phase = Phase.CHUNK_DATA_END;
                    }
                }
                case CHUNK_DATA_END -> {
                    if (end - start < 2) {
                        if (start < end && buf[start] != '\r') {
                            throw FramingException.badRequest("chunk data longer than its chunk size");
                        }
                        return bytes(out);
                    }
                    if (buf[start] != '\r' || buf[start + 1] != '\n') {
                        throw FramingException.badRequest("chunk data longer than its chunk size");
                    }
                    start += 2;
                    phase = Phase.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    int lineEnd = scanLine(limits.maxHeaderBytes(), "trailer field line");
                    if (lineEnd < 0) {
                        return bytes(out);
                    }
                    if (lineEnd > 0) {
                        checkField(start, start + lineEnd, "trailer"); // then dropped: the gateway reads none
                        trailerBytes += lineEnd + 2;
                        if (trailerBytes > limits.maxHeaderBytes()) {
                            throw FramingException.badRequest("trailer section larger than " + limits.maxHeaderBytes() + " bytes");
                        }
                        start += lineEnd + 2;
                        scanned = 0;
                        continue;
                    }
                    start += 2;
                    scanned = 0;
                    out = out == null ? new ByteBuilder(LAST_CHUNK.length) : out;
                    out.write(LAST_CHUNK);
                    requestDone();
                    return out.toByteArray();
                }
                default -> throw new IllegalStateException("not in a chunked body: " + phase);
            }
        }
    }

    private static byte[] bytes(ByteBuilder out) {
        return out == null ? null : out.toByteArray();
    }

    /** Scans for the CRLF ending the line at start; returns the line's length, or -1 if it is incomplete. */
    private int scanLine(int maxBytes, String what) throws FramingException {
        int available = end - start;
        for (; scanned < available; scanned++) {
            byte b = buf[start + scanned];
            if (scanned > 0 && buf[start + scanned - 1] == '\r' && b != '\n') {
                throw FramingException.badRequest("CR without LF in the " + what);
            }
            if (b == '\n') {
                if (scanned == 0 || buf[start + scanned - 1] != '\r') {
                    throw FramingException.badRequest("LF without CR in the " + what);
                }
                return scanned - 1;
            }
            if (scanned >= maxBytes) {
                throw FramingException.badRequest(what + " longer than " + maxBytes + " bytes");
            }
        }
        return -1;
    }

    /**
     * {@code chunk-size [ chunk-ext ]} where {@code chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] )}
     * and a value is a token or a quoted string (RFC 9112 7.1.1).
     */
    private long chunkSize(int from, int to) throws FramingException {
        int i = from;
        long size = 0;
        int significant = 0;
        while (i < to && Character.digit(buf[i], 16) >= 0) {
            if ((size > 0 || buf[i] != '0') && ++significant > 15) {
                throw FramingException.contentTooLarge("chunk size " + quote(from, to) + " is too large");
            }
            size = size * 16 + Character.digit(buf[i], 16);
            i++;
        }
        if (i == from) {
            throw FramingException.badRequest("invalid chunk size line " + quote(from, to) + ": expected hexadecimal digits");
        }
        while (i < to) {
            int semicolon = skipWhitespace(i, to);
            if (semicolon == to || buf[semicolon] != ';') {
                throw FramingException.badRequest("invalid chunk size line " + quote(from, to));
            }
            int name = skipWhitespace(semicolon + 1, to);
            int nameEnd = skipToken(name, to);
            if (nameEnd == name) {
                throw FramingException.badRequest("invalid chunk extension in " + quote(from, to));
            }
            i = nameEnd;
            int equals = skipWhitespace(i, to);
            if (equals < to && buf[equals] == '=') {
                int value = skipWhitespace(equals + 1, to);
                int valueEnd = value < to && buf[value] == '"' ? skipQuotedString(value, to) : skipToken(value, to);
                if (valueEnd == value) {
                    throw FramingException.badRequest("invalid chunk extension value in " + quote(from, to));
                }
                i = valueEnd;
            }
        }
        return size;
    }

    private int skipQuotedString(int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int b = buf[i] & 0xff;
            if (b == '"') {
                return i + 1;
            }
            if (b == '\\') {
                i++;
                if (i == to || ((buf[i] & 0xff) < 0x20 && buf[i] != '\t') || buf[i] == 0x7f) {
                    return from;
                }
            } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                return from;
            }
        }
        return from; // unterminated
    }

    private int skipToken(int from, int to) {
        int i = from;
        while (i < to && isTokenChar(buf[i])) {
            i++;
        }
        return i;
    }

    private int skipWhitespace(int from, int to) {
        int i = from;
        while (i < to && isWhitespace(buf[i])) {
            i++;
        }
        return i;
    }

    private void requestDone() {
        phase = lastRequest ? Phase.DONE : Phase.HEAD;
    }

    // ---- bytes

    private int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfCr(int from, int to) {
        int cr = indexOf('\r', from, to);
        return cr < 0 ? to : cr;
    }

    private boolean startsWith(int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (buf[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Up to 64 bytes of buf[from, to) in quotes, anything not printable ASCII as {@code \xNN}. */
    private String quote(int from, int to) {
        StringBuilder s = new StringBuilder("\"");
        int shown = Math.min(to, from + 64);
        for (int i = from; i < shown; i++) {
            int b = buf[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                s.append((char) b);
            } else {
                s.append("\\x").append(hex(buf[i]));
            }
        }
        s.append('"');
        if (shown < to) {
            s.append(" (").append(to - from).append(" bytes)");
        }
        return s.toString();
    }

    private static String hex(byte b) {
        return String.format("%02X", b & 0xff);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** RFC 9110 5.6.2 {@code tchar}. */
    private static boolean isTokenChar(byte b) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) {
            return true;
        }
        return b > 0 && "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }

    /** A growing byte array, unsynchronized: what the framer hands on, built once per read. */
    private static final class ByteBuilder {
        private byte[] bytes;
        private int size;

        ByteBuilder(int capacity) {
            bytes = new byte[capacity];
        }

        void write(byte[] from) {
            write(from, 0, from.length);
        }

        void write(byte[] from, int offset, int length) {
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + length, 2 * bytes.length));
            }
            System.arraycopy(from, offset, bytes, size, length);
            size += length;
        }

        byte[] toByteArray() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
