package io.aggregationgateway.server.headers;

/**
 * One entry of an {@code Accept-Encoding} header.
 *
 * @param name   the coding in lower case: {@code gzip}, {@code identity}, {@code *}, ...
 * @param weight its {@code q}, 1 when not given; 0 means "not acceptable"
 */
public record ContentCoding(String name, double weight) {
}
