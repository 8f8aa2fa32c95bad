package io.aggregationgateway.server.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A titled part of the status: rendered as a section of the HTML page by {@link StatusPage}, and as
 * one member of a JSON answer by {@link StatusJson}. Every part of the status is described in
 * this one shape, so the page and the API always show the same things. A feature that has state
 * worth showing (live sources, snapshots) adds its own section through {@link StatusReporter}'s
 * feature sections, and appears on the page and in {@code GET /api/v1/status} at once.
 *
 * <p>Values are {@link String}, {@link Long}, {@link Integer}, {@link Double}, {@link Boolean},
 * {@link Instant}, {@link Duration} or {@code null} (none): JSON gets strings, numbers (a duration
 * in seconds), booleans, ISO-8601 times and {@code null}; the page formats them for reading.
 *
 * @param key   the JSON member name and the page's anchor: lower camel case
 * @param title the page's heading
 */
public record Section(String key, String title, Content content) {
    public Section {
        checkKey("section", key);
        Objects.requireNonNull(title);
        Objects.requireNonNull(content);
    }

    /** What a section holds. */
    public sealed interface Content permits Facts, Table {
    }

    /** Single values with labels: a JSON object. */
    public record Facts(List<Fact> facts) implements Content {
        public Facts {
            facts = List.copyOf(facts);
        }
    }

    /** @param key the JSON member name, lower camel case */
    public record Fact(String key, String label, Object value) {
        public Fact {
            checkValue(value);
        }
    }

    /**
     * Rows of values: a JSON array of objects keyed by the columns.
     *
     * @param whenEmpty what the page says when there are no rows
     * @param note      a line the page shows under the table, or {@code null}
     */
    public record Table(List<Column> columns, List<Row> rows, String whenEmpty, String note) implements Content {
        public Table {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
            for (Row row : rows) {
                if (row.cells().size() != columns.size()) {
                    throw new IllegalArgumentException("a row has " + row.cells().size() + " cells for " + columns.size() + " columns");
                }
            }
        }

        /** Whether any row has an action, which gives the page's table a column of buttons. */
        public boolean hasActions() {
            return rows.stream().anyMatch(row -> !row.actions().isEmpty());
        }
    }

    /** How the page shows a column's text values; numbers and times are formatted by their type. */
    public enum Style {
        /** Plain text. */
        TEXT,
        /** Names and values as typed: monospace. */
        CODE,
        /** A short word from a fixed set (a type, a reason): a badge. */
        BADGE,
        /** Long free text (a message): monospace, wrapped. */
        MESSAGE
    }

    /** @param key the JSON member name, lower camel case */
    public record Column(String key, String label, Style style) {
        public Column {
            checkKey("column", key);
            Objects.requireNonNull(label);
            Objects.requireNonNull(style);
        }

        public static Column of(String key, String label) {
            return new Column(key, label, Style.TEXT);
        }
    }

    /** @param actions buttons the page shows for this row; the JSON leaves them out */
    public record Row(List<Object> cells, List<Action> actions) {
        public Row {
            cells = Collections.unmodifiableList(new ArrayList<>(cells)); // null cells are allowed: "none"
            cells.forEach(Section::checkValue);
            actions = List.copyOf(actions);
        }

        public static Row of(Object... cells) {
            return new Row(java.util.Arrays.asList(cells), List.of());
        }
    }

    /**
     * A button that sends a request to one of the gateway's admin routes.
     *
     * @param path    relative to the page (no leading slash), so the page works behind a path prefix
     * @param confirm the question the page asks before sending it
     */
    public record Action(String label, String method, String path, String confirm) {
        public Action {
            if (path.startsWith("/")) {
                throw new IllegalArgumentException("action paths are relative to the page: " + path);
            }
        }
    }

    /** A JSON member name: lower camel case (a section's is also the page's anchor). */
    private static void checkKey(String of, String key) {
        if (!key.matches("[a-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException(of + " key must be lower camel case: " + key);
        }
    }

    private static void checkValue(Object value) {
        if (value != null && !(value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof Double || value instanceof Boolean || value instanceof Instant
                || value instanceof Duration)) {
            throw new IllegalArgumentException("unsupported status value type " + value.getClass().getName());
        }
    }
}
