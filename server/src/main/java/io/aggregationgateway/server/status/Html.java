package io.aggregationgateway.server.status;

/** Escaping for the status page: every text that is not the page's own markup goes through it. */
final class Html {
    private Html() {
    }

    /**
     * {@code text} safe inside an element or a quoted attribute value: {@code & < > " '} become
     * entities, and control chars other than tab and newline become U+FFFD, which HTML forbids.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\t' && c != '\n' || c == 0x7f ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
