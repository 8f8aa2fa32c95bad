# Multi-stage: build with Maven inside, run on a JRE as a non-root user.
#   docker build -t aggregation-gateway .
#   docker run -p 8080:8080 aggregation-gateway --series-ttl 10m      (flags as arguments)
#   docker run -p 8080:8080 -e GATEWAY_RESET_CRON='0 0 * * *' aggregation-gateway   (or as GATEWAY_* variables)

# JDK 25: its AOT cache (a class-data archive of the loaded and linked classes) cuts startup to about a third.
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
# the archive is made below, by the JVM that will read it: an archive works only with the JVM that wrote it
RUN mvn -B -q -pl server -am -DskipTests -Dgateway.archive.skip=true package

FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 --no-create-home gateway
WORKDIR /app
COPY --from=build /src/server/target/aggregation-gateway.jar /app/aggregation-gateway.jar
COPY --from=build /src/server/target/libs /app/libs
# the training run the Maven build does (start on a free loopback port, a few requests, stop): records the AOT cache,
# as the build does without the training's method profiles (server/pom.xml says why)
RUN java -Xlog:aot=error -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining -XX:AOTCacheOutput=/app/aggregation-gateway.aot \
      -cp /app/aggregation-gateway.jar io.aggregationgateway.server.StartupTraining
USER 10001
ENV GATEWAY_PORT=8080
EXPOSE 8080
# bash's /dev/tcp needs no extra package in the image; follows GATEWAY_PORT if it is changed
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${GATEWAY_PORT:-8080} && printf 'GET /-/healthy HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# exec form: the JVM is PID 1 and gets SIGTERM directly, drains in-flight pushes and exits 0
ENTRYPOINT ["java", "-XX:AOTCache=/app/aggregation-gateway.aot", "-jar", "/app/aggregation-gateway.jar"]
