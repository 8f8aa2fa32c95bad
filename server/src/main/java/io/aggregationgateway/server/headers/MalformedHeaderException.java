package io.aggregationgateway.server.headers;

/** A header value that does not follow its grammar; the message names the header, quotes the value and says where. */
public final class MalformedHeaderException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String header;

    MalformedHeaderException(String header, String value, String problem, int position) {
        super("malformed " + header + " header \"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
                + (position >= value.length() ? " at the end" : " at character " + (position + 1)) + ": " + problem);
        this.header = header;
    }

    /** The header's name, as HTTP spells it. */
    public String header() {
        return header;
    }
}
