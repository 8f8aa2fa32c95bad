package io.aggregationgateway.server.headers;

import java.util.Map;

/**
 * A media type or media range as a header names it, with the case rules of RFC 9110: type,
 * subtype and parameter names compare case-insensitively, so they are held in lower case;
 * parameter values are held as sent (quotes and escapes removed), since whether their case
 * matters depends on the parameter.
 *
 * @param parameters by lower-case name
 */
public record MediaType(String type, String subtype, Map<String, String> parameters) {
    public MediaType {
        parameters = Map.copyOf(parameters);
    }

    /** Whether this is {@code type/subtype}; both given in lower case. */
    public boolean is(String type, String subtype) {
        return this.type.equals(type) && this.subtype.equals(subtype);
    }

    /** The value of a parameter (name in lower case), or {@code null} when absent. */
    public String parameter(String name) {
        return parameters.get(name);
    }
}
