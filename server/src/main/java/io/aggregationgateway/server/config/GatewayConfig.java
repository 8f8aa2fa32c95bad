package io.aggregationgateway.server.config;

/**
 * Everything the gateway is configured with, resolved once at startup.
 *
 * @param host         interface to listen on ({@code 0.0.0.0} for all)
 * @param port         TCP port for HTTP/1.1, h2c and gRPC
 * @param maxBodyBytes largest push body accepted (after gzip decoding)
 * @param maxGrpcMessageBytes largest gRPC request message accepted
 */
public record GatewayConfig(String host, int port, int maxBodyBytes, int maxGrpcMessageBytes) {
}
