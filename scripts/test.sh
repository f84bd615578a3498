#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests against real Redis 8 processes and a real
# Kubernetes control plane (kube-apiserver, etcd, controllers, kwok nodes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
JAVA_HOME=$(scripts/java-home.sh)
export JAVA_HOME
VSC_REDIS_SERVER=$(scripts/install-redis.sh)
export VSC_REDIS_SERVER
# The operator's tests run on a real Kubernetes control plane (built from Go modules on first use).
VSC_KUBE_BINARIES=$(scripts/kube-binaries.sh)
export VSC_KUBE_BINARIES
exec ./mvnw -B -ntp verify "$@"
