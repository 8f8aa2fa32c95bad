package io.aggregationgateway.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of a text 0.0.4 scrape, with label values unescaped, so a test can look a series up
 * by its labels instead of comparing rendered lines whose spelling (e.g. of {@code le}) may vary.
 */
public final class TextScrape {
    private final List<Sample> samples = new ArrayList<>();

    public TextScrape(String exposition) {
        for (String line : exposition.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                samples.add(parseLine(line));
            }
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Samples named {@code name} carrying at least the given label pairs. */
    public List<Sample> find(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    public boolean hasName(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private static Sample parseLine(String line) {
        int nameEnd = 0;
        while (nameEnd < line.length() && line.charAt(nameEnd) != '{' && line.charAt(nameEnd) != ' ') {
            nameEnd++;
        }
        String name = line.substring(0, nameEnd);
        Map<String, String> labels = new LinkedHashMap<>();
        int i = nameEnd;
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int equals = line.indexOf('=', i);
                String labelName = line.substring(i, equals).replace(",", "").trim();
                StringBuilder value = new StringBuilder();
                i = equals + 2; // past ="
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char escaped = line.charAt(i++);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    } else {
                        value.append(c);
                    }
                }
                i++; // past the closing quote
                labels.put(labelName, value.toString());
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++; // past }
        }
        String[] valueAndTimestamp = line.substring(i).trim().split(" ");
        return new Sample(name, labels, Sample.parseValue(valueAndTimestamp[0]));
    }
}
