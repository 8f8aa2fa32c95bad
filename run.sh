#!/usr/bin/env bash
# Builds the gateway (tests skipped) and starts it with defaults; extra arguments are gateway flags,
# e.g. ./run.sh --port 9091. See ./run.sh --help.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
find_jdk
./mvnw -q -B -pl server -am -DskipTests package  # the server and what it needs, not client-java or bench
. scripts/gateway-java-options.sh
# the class-data archive the build made next to the jar: startup in about a third of the time
# shellcheck disable=SC2046 # one flag or none, a path without spaces under server/target
exec "$JAVA_HOME/bin/java" $(gateway_java_options server/target/aggregation-gateway.jar) -jar server/target/aggregation-gateway.jar "$@"
