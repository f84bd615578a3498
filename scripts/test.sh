#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests against real Redis 8 processes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
JAVA_HOME=$(scripts/java-home.sh)
export JAVA_HOME
VSC_REDIS_SERVER=$(scripts/install-redis.sh)
export VSC_REDIS_SERVER
exec ./mvnw -B -ntp verify "$@"
