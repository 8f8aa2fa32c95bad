package io.aggregationgateway.server.connection;

/** A request whose framing is refused: the status to answer with and a message naming what was wrong. */
final class FramingException extends Exception {
    private final int status;

    private FramingException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static FramingException badRequest(String message) {
        return new FramingException(400, message);
    }

    static FramingException contentTooLarge(String message) {
        return new FramingException(413, message);
    }

    static FramingException uriTooLong(String message) {
        return new FramingException(414, message);
    }

    static FramingException headersTooLarge(String message) {
        return new FramingException(431, message);
    }

    static FramingException notImplemented(String message) {
        return new FramingException(501, message);
    }

    static FramingException versionNotSupported(String message) {
        return new FramingException(505, message);
    }

    /** The reason phrase of {@link #status()}. */
    String reasonPhrase() {
        return switch (status) {
            case 400 -> "Bad Request";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 505 -> "HTTP Version Not Supported";
            default -> throw new IllegalStateException("no reason phrase for " + status);
        };
    }
}
