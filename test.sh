#!/usr/bin/env bash
# Runs every test of every module (unit, golden, end-to-end through a real server).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
find_jdk
exec ./mvnw -B verify "$@"
