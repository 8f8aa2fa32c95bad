package io.aggregationgateway.server.deploy;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One YAML document of a file under deploy/, read as maps and lists, with a path-like accessor for
 * the nested fields a test asserts on.
 */
record Manifest(Path file, Map<String, Object> root) {

    /** Every document of {@code file}; a syntax error fails with the parser's message, naming line and column. */
    static List<Manifest> readAll(Path file) throws IOException {
        Load load = new Load(LoadSettings.builder().setLabel(file.toString()).build());
        List<Manifest> manifests = new ArrayList<>();
        for (Object document : load.loadAllFromString(Files.readString(file))) {
            if (document != null) {
                manifests.add(new Manifest(file, asMap(document, file + ": a document")));
            }
        }
        return manifests;
    }

    /** Reads YAML text, e.g. the inline patch of a kustomization. */
    static Object parse(String yaml, String what) {
        return new Load(LoadSettings.builder().setLabel(what).build()).loadFromString(yaml);
    }

    String kind() {
        return (String) root.get("kind");
    }

    String name() {
        return string("metadata.name");
    }

    /** The value at a dotted path of map keys, or null when any step is missing. */
    Object at(String dottedPath) {
        return at(root, dottedPath);
    }

    static Object at(Object from, String dottedPath) {
        Object value = from;
        for (String key : dottedPath.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(key);
        }
        return value;
    }

    String string(String dottedPath) {
        Object value = at(dottedPath);
        return value == null ? null : value.toString();
    }

    Map<String, Object> map(String dottedPath) {
        Object value = at(dottedPath);
        return value == null ? Map.of() : asMap(value, this + " " + dottedPath);
    }

    List<Map<String, Object>> list(String dottedPath) {
        return listOfMaps(at(dottedPath), this + " " + dottedPath);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value, String what) {
        if (!(value instanceof Map<?, ?>)) {
            throw new AssertionError(what + " is not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    static List<Map<String, Object>> listOfMaps(Object value, String what) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new AssertionError(what + " is not a list: " + value);
        }
        return list.stream().map(element -> asMap(element, what + " element")).toList();
    }

    @Override
    public String toString() {
        return file.getFileName() + " " + kind() + " " + name();
    }
}
