package io.aggregationgateway.server.connection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Raw bytes to a loopback port, and what came back until the server closed or the time ran out. */
final class RawHttp {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    /**
     * @param text     everything the server sent, as ISO-8859-1
     * @param closed   whether the server closed the connection before the time ran out
     * @param statuses the status codes of the responses in {@code text}, in order
     */
    record Exchange(String text, boolean closed, List<Integer> statuses) {
        /** The body after the last response head. */
        String lastBody() {
            return text.substring(text.lastIndexOf("\r\n\r\n") + 4);
        }
    }

    private RawHttp() {
    }

    /** Sends {@code request} and reads until the server closes, for at most {@code waitMillis}. */
    static Exchange exchange(int port, String request, int waitMillis) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readUntilClosed(socket, waitMillis);
        }
    }

    static Exchange readUntilClosed(Socket socket, int waitMillis) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        boolean closed = false;
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[65536];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            socket.setSoTimeout((int) left);
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received.write(buffer, 0, n);
            } catch (SocketTimeoutException e) {
                break;
            } catch (IOException e) {
                closed = true; // reset by the server
                break;
            }
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        List<Integer> statuses = new ArrayList<>();
        Matcher m = STATUS_LINE.matcher(text);
        while (m.find()) {
            statuses.add(Integer.parseInt(m.group(1)));
        }
        return new Exchange(text, closed, statuses);
    }
}
