package io.aggregationgateway.server.headers;

/**
 * One entry of an {@code Accept} header.
 *
 * @param mediaType the range; {@code *} as type or subtype for wildcards; its parameters without {@code q}
 * @param weight    its {@code q}, 1 when not given; 0 means "not acceptable"
 */
public record MediaRange(MediaType mediaType, double weight) {
}
