package io.aggregationgateway.server.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The JSON API's answers: an object with one member per {@link Section}, named by its key. Facts
 * become an object, a table an array of objects keyed by its columns (row actions are left out).
 */
final class StatusJson {
    private StatusJson() {
    }

    static String document(List<Section> sections) {
        JsonWriter json = new JsonWriter().beginObject();
        for (Section section : sections) {
            json.name(section.key());
            switch (section.content()) {
                case Section.Facts facts -> {
                    json.beginObject();
                    for (Section.Fact fact : facts.facts()) {
                        value(json.name(fact.key()), fact.value());
                    }
                    json.endObject();
                }
                case Section.Table table -> {
                    json.beginArray();
                    List<Section.Column> columns = table.columns();
                    for (Section.Row row : table.rows()) {
                        json.beginObject();
                        for (int i = 0; i < columns.size(); i++) {
                            value(json.name(columns.get(i).key()), row.cells().get(i));
                        }
                        json.endObject();
                    }
                    json.endArray();
                }
            }
        }
        return json.endObject().toJson();
    }

    private static void value(JsonWriter json, Object value) {
        switch (value) {
            case null -> json.nullValue();
            case String s -> json.value(s);
            case Long n -> json.value(n.longValue());
            case Integer n -> json.value(n.longValue());
            case Double d -> json.value(d.doubleValue());
            case Boolean b -> json.value(b.booleanValue());
            case Instant t -> json.value(t.toString());
            case Duration d -> json.value(d.toMillis() / 1000.0);
            default -> throw new IllegalArgumentException("unsupported status value type " + value.getClass().getName());
        }
    }
}
