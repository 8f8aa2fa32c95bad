#!/usr/bin/env bash
# Builds the gateway (tests skipped) and starts it with defaults; extra arguments are gateway flags,
# e.g. ./run.sh --port 9091. See ./run.sh --help.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
find_jdk
./mvnw -q -B -pl server -am -DskipTests package  # the server and what it needs, not client-java or bench
exec "$JAVA_HOME/bin/java" -jar server/target/aggregation-gateway.jar "$@"
