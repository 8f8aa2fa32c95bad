package io.aggregationgateway.server.security;

import io.helidon.http.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which role each route needs. */
class RouteRolesTest {
    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
            "POST,    /metrics/job/a,             PUSH",
            "PUT,     /metrics,                   PUSH",
            "POST,    /anything,                  PUSH",
            "GET,     /metrics,                   READ",
            "HEAD,    /metrics,                   READ",
            "GET,     /,                          READ",
            "GET,     /status,                    READ",
            "GET,     /api/v1/families,           READ",
            "GET,     /-/healthy,                 OPEN",
            "GET,     /-/ready,                   OPEN",
            "HEAD,    /-/ready,                   OPEN",
            "OPTIONS, /metrics/job/a,             OPEN",
            "DELETE,  /metrics/job/a,             ADMIN",
            "DELETE,  /api/v1/families/x_total,   ADMIN",
            "PATCH,   /metrics,                   ADMIN",
            "POST,    /-/healthy,                 PUSH",
    })
    void http(String method, String path, String role) {
        assertEquals(role, name(HttpGuard.roleOf(Method.create(method), path)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "aggregationgateway.v1.AggregationGateway,            PUSH",
            "grpc.health.v1.Health,                               OPEN",
            "grpc.reflection.v1.ServerReflection,                 READ",
            "grpc.reflection.v1alpha.ServerReflection,            READ",
    })
    void grpc(String service, String role) {
        assertEquals(role, name(GrpcGuard.roleOf(service)));
    }

    private static String name(Role role) {
        return role == null ? "OPEN" : role.name();
    }
}
