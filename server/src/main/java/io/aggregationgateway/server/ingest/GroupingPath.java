package io.aggregationgateway.server.ingest;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.MetricNames;
import io.aggregationgateway.server.model.NameEscaping;
import io.aggregationgateway.server.model.PushRejectedException;
import io.aggregationgateway.server.model.RejectionReason;
import io.aggregationgateway.server.model.TextFormatting;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Grouping labels from a push or delete path, parsed as the Prometheus Pushgateway does:
 * {@code /job/<job>{/<label>/<value>}}, where any name may carry the suffix {@code @base64}
 * to mark its value as URL-safe base64 (padding optional). A later label of the same name
 * wins, and the job from the path's first pair always wins. Label values must be UTF-8, percent-encoded
 * or base64-encoded: a path segment whose bytes are not is refused (bodies are held to the same).
 *
 * <p>Label names are legacy names ({@code [a-zA-Z_][a-zA-Z0-9_]*}), or any UTF-8 name written as
 * {@link NameEscaping#VALUES} escapes it, which the Pushgateway decodes in the path (with UTF-8 names
 * enabled) and client libraries write: {@code U__http_2e_method} is {@code http.method}. A name that
 * starts with {@code U__} but does not decode is taken as it is, as the Pushgateway takes it.
 */
public final class GroupingPath {
    private static final String BASE64_SUFFIX = "@base64";

    private GroupingPath() {
    }

    /**
     * @param rawPath     the path after {@code /metrics} as sent, percent-encoded: {@code ""}, {@code "/"} or
     *                    {@code "/job/..."}
     * @param jobRequired whether an empty path is refused (deletes must name a group)
     */
    public static Labels parse(String rawPath, boolean jobRequired) throws PushRejectedException {
        String path = percentDecode(rawPath);
        if (path.isEmpty() || path.equals("/")) {
            if (jobRequired) {
                throw malformed("the path must name a group: /metrics/job/<job>{/<label>/<value>}");
            }
            return Labels.EMPTY;
        }
        String rest;
        boolean jobBase64;
        if (path.startsWith("/job/")) {
            rest = path.substring("/job/".length());
            jobBase64 = false;
        } else if (path.startsWith("/job" + BASE64_SUFFIX + "/")) {
            rest = path.substring(("/job" + BASE64_SUFFIX + "/").length());
            jobBase64 = true;
        } else {
            throw malformed("unknown path /metrics" + path + ": expected /metrics/ or /metrics/job/<job>{/<label>/<value>}");
        }
        int slash = rest.indexOf('/');
        String job = slash < 0 ? rest : rest.substring(0, slash);
        String labelPart = slash < 0 ? "" : rest.substring(slash);
        if (jobBase64) {
            job = decodeBase64("job", job);
        }
        if (job.isEmpty()) {
            throw malformed("job name is required in /metrics/job/<job>");
        }
        Map<String, String> labels = splitLabels(labelPart);
        labels.put("job", job);
        Labels.Builder builder = new Labels.Builder();
        labels.forEach(builder::add);
        return builder.build();
    }

    private static Map<String, String> splitLabels(String labelPart) throws PushRejectedException {
        Map<String, String> result = new LinkedHashMap<>();
        if (labelPart.length() <= 1) {
            return result;
        }
        String[] components = labelPart.substring(1).split("/", -1);
        if (components.length % 2 != 0) {
            throw malformed("odd number of components in label path \"" + labelPart + "\": expected /<label>/<value> pairs");
        }
        for (int i = 0; i < components.length; i += 2) {
            String name = components[i];
            String value = components[i + 1];
            boolean base64 = name.endsWith(BASE64_SUFFIX);
            if (base64) {
                name = name.substring(0, name.length() - BASE64_SUFFIX.length());
            }
            String decoded = NameEscaping.unescapeValues(name);
            boolean escaped = !decoded.equals(name);
            boolean valid = !escaped // a legacy name, not reserved
                    ? MetricNames.isLegacyLabelName(name) && MetricNames.isValidLabelName(name)
                    : MetricNames.isValidLabelName(decoded);
            if (!valid) {
                throw new PushRejectedException(RejectionReason.INVALID_NAME, "improper label name "
                        + TextFormatting.quote(name) + " in the path" + (!escaped && MetricNames.isValidLabelName(name)
                        ? ": write a name outside [a-zA-Z_][a-zA-Z0-9_]* escaped, as "
                                + TextFormatting.quote(NameEscaping.VALUES.labelName(name)) : ""));
            }
            result.put(decoded, base64 ? decodeBase64(decoded, value) : value);
        }
        return result;
    }

    private static String decodeBase64(String name, String value) throws PushRejectedException {
        String unpadded = value;
        while (unpadded.endsWith("=")) {
            unpadded = unpadded.substring(0, unpadded.length() - 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(unpadded);
        } catch (IllegalArgumentException e) {
            throw malformed("invalid base64 encoding for label " + name + "=\"" + value + "\": " + e.getMessage());
        }
        if (!Utf8Validator.isValid(bytes, 0, bytes.length)) {
            throw malformed("path segment \"" + value + "\" (base64 for label " + name + ") is not valid UTF-8");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * The path with its percent-encoding undone, each segment checked to be UTF-8: a server's own
     * decoding would silently turn invalid bytes into U+FFFD.
     */
    private static String percentDecode(String rawPath) throws PushRejectedException {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        StringBuilder decoded = new StringBuilder(rawPath.length());
        int from = 0;
        while (from <= rawPath.length()) {
            int slash = rawPath.indexOf('/', from);
            int to = slash < 0 ? rawPath.length() : slash;
            decoded.append(decodeSegment(rawPath.substring(from, to)));
            if (slash < 0) {
                break;
            }
            decoded.append('/');
            from = slash + 1;
        }
        return decoded.toString();
    }

    private static String decodeSegment(String raw) throws PushRejectedException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (low < 0) {
                throw malformed("path segment \"" + raw + "\" has an invalid percent-encoding");
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        byte[] decoded = bytes.toByteArray();
        if (!Utf8Validator.isValid(decoded, 0, decoded.length)) {
            throw malformed("path segment \"" + raw + "\" is not valid UTF-8");
        }
        return new String(decoded, StandardCharsets.UTF_8);
    }

    private static PushRejectedException malformed(String message) {
        return new PushRejectedException(RejectionReason.MALFORMED, message);
    }
}
