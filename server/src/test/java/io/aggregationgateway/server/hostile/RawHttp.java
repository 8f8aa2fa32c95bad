package io.aggregationgateway.server.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, so that requests can be exactly as malformed as a test wants.
 * Reads responses framed by Content-Length or chunked encoding, or up to the end of the stream.
 */
final class RawHttp implements AutoCloseable {
    /** A response: status (0 when there was none), headers in lower case, body. */
    record Response(int status, List<String> headers, byte[] body) {
        boolean closes() {
            return headers.contains("connection: close");
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** Sends one request on the kept-alive connection (opening one if needed) and reads its response. */
    Response exchange(byte[] request, boolean headRequest) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request);
            out.flush();
            Response response = read(in, headRequest);
            if (response.status() == 0 || response.closes()) {
                close();
            }
            return response;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /**
     * Sends raw bytes on a fresh connection, half-closes it, and reads every response the server sends
     * until it closes the connection (or the timeout passes). A server that refuses a long request
     * early closes the connection while the rest is still being written, and the write fails (broken
     * pipe, reset); what it answered before is read all the same.
     */
    static List<Response> sendAlone(int port, int timeoutMillis, byte[] bytes) throws IOException {
        List<Response> responses = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMillis);
            IOException writeFailed = null;
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                s.shutdownOutput();
            } catch (IOException e) {
                writeFailed = e;
            }
            InputStream in = new BufferedInputStream(s.getInputStream());
            while (true) {
                Response r;
                try {
                    r = read(in, false);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (IOException e) {
                    break; // reset after the answers it gave
                }
                if (r.status() == 0) {
                    break;
                }
                responses.add(r);
                if (r.closes()) {
                    break;
                }
            }
            if (writeFailed != null && responses.isEmpty()) {
                throw writeFailed;
            }
        }
        return responses;
    }

    private void connect() throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private static Response read(InputStream in, boolean headRequest) throws IOException {
        while (true) {
            String statusLine = line(in);
            if (statusLine == null) {
                return new Response(0, List.of(), new byte[0]);
            }
            if (statusLine.isEmpty()) {
                continue;
            }
            String[] parts = statusLine.split(" ", 3);
            int status;
            try {
                status = parts.length > 1 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : -1;
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 0) {
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            List<String> headers = new ArrayList<>();
            long length = -1;
            boolean chunked = false;
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                headers.add(lower.replaceFirst(":\\s*", ": "));
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring("content-length:".length()).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (status == 100) {
                continue; // Expect: 100-continue; the real answer follows
            }
            byte[] body;
            if (headRequest || status == 204 || status == 304) {
                body = new byte[0];
            } else if (chunked) {
                body = chunks(in);
            } else if (length >= 0) {
                body = in.readNBytes((int) length);
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body);
        }
    }

    private static byte[] chunks(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (true) { // trailers
                    String trailer = line(in);
                    if (trailer == null || trailer.isEmpty()) {
                        return body.toByteArray();
                    }
                }
            }
            body.writeBytes(in.readNBytes(n));
            line(in);
        }
    }

    /** A CRLF- or LF-terminated line in ISO-8859-1, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = s.length();
                return end > 0 && s.charAt(end - 1) == '\r' ? s.substring(0, end - 1) : s.toString();
            }
            s.append((char) c);
        }
        return s.isEmpty() ? null : s.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
