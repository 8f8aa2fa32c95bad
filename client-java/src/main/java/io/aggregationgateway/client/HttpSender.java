package io.aggregationgateway.client;

import io.aggregationgateway.proto.metrics.MetricFamily;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /metrics/job/...} with the JDK's HTTP client, body in protobuf-delimited or text
 * 0.0.4, and {@code DELETE} of the same path. Running totals go as {@code PUT}: they replace what
 * the source pushed before, and sending them twice changes nothing.
 */
final class HttpSender implements Sender {
    static final String PROTOBUF_CONTENT_TYPE =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Longer error bodies are cut: the gateway's messages are one line, a proxy's error page is not. */
    private static final int MAX_MESSAGE_CHARS = 4096;

    private final HttpClient http;
    private final URI uri;
    private final boolean text;
    private final Map<String, String> headers;
    private final Duration requestTimeout;
    private final boolean runningTotals;

    HttpSender(ClientSettings settings) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // plain and predictable; the gateway serves both
                .connectTimeout(settings.connectTimeout());
        if (settings.target().tls() && settings.trustManager() != null) {
            builder.sslContext(sslContext(settings.trustManager()));
        }
        http = builder.build();
        uri = settings.target().httpUri(GroupingPath.of(settings.groupingLabels()));
        text = settings.transport() == Transport.HTTP_TEXT;
        headers = settings.headers();
        requestTimeout = settings.requestTimeout();
        runningTotals = settings.runningTotals();
    }

    private static SSLContext sslContext(TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with the given trust manager: " + e.getMessage(), e);
        }
    }

    @Override
    public void send(List<MetricFamily> families) throws AttemptFailure, InterruptedException {
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofByteArray(body(families));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", text ? TEXT_CONTENT_TYPE : PROTOBUF_CONTENT_TYPE);
        // Increments are not retried after a timeout: the gateway may have applied the push, and a
        // second copy would be added. Running totals may: the gateway adds only what grew.
        exchange(runningTotals ? request.PUT(body) : request.POST(body), runningTotals);
    }

    @Override
    public void delete() throws AttemptFailure, InterruptedException {
        exchange(HttpRequest.newBuilder(uri).DELETE(), true); // deleting twice is deleting once
    }

    /** Sends the request; fails unless the answer is 2xx. */
    private void exchange(HttpRequest.Builder request, boolean idempotent) throws AttemptFailure, InterruptedException {
        request.timeout(requestTimeout).header("User-Agent", ClientSettings.USER_AGENT);
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw AttemptFailure.httpIo("connect timed out: " + e.getMessage(), true, e);
        } catch (HttpTimeoutException e) {
            throw AttemptFailure.httpIo("no response within " + requestTimeout.toMillis() + " ms", idempotent, e);
        } catch (SSLException e) {
            // an untrusted certificate or a TLS/plaintext mismatch: a setting to fix, not a passing failure
            throw AttemptFailure.httpIo("TLS failed: " + describe(e), false, e);
        } catch (ConnectException e) {
            throw AttemptFailure.httpIo("cannot connect: " + describe(e), true, e);
        } catch (IOException e) {
            // the connection broke before an answer arrived, like gRPC's UNAVAILABLE
            throw AttemptFailure.httpIo("connection failed: " + describe(e), true, e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) { // any 2xx: 200 for a push, 200 or 202 for a delete
            String body = response.body().strip();
            if (body.length() > MAX_MESSAGE_CHARS) {
                body = body.substring(0, MAX_MESSAGE_CHARS) + "...";
            }
            throw AttemptFailure.httpStatus(status, body);
        }
    }

    private byte[] body(List<MetricFamily> families) {
        if (text) {
            return TextFormatWriter.write(families).getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (MetricFamily family : families) {
                family.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (message == null && e.getCause() != null) {
            message = e.getCause().toString();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        http.close();
    }
}
