package io.aggregationgateway.server.config;

import java.time.Duration;

/** Prometheus-style durations: {@code 30s}, {@code 10m}, {@code 1h30m}, {@code 500ms}, {@code 2d}, {@code 1w}; {@code 0} for none. */
final class DurationParser {
    private DurationParser() {
    }

    static Duration parse(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("expected a number at \"" + s.substring(start) + "\" (e.g. 10m, 1h30m)");
            }
            long amount = Long.parseLong(s.substring(start, i));
            int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            total = total.plus(switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                case "w" -> Duration.ofDays(7 * amount);
                default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" (use ms, s, m, h, d or w)");
            });
        }
        return total;
    }
}
