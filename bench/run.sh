#!/usr/bin/env bash
# Builds what the benchmark needs and runs it; arguments go to RouterBenchmark (--help lists them).
#   bench/run.sh                      # defaults: 20k x 128-dim vectors, 8 tenants, 4 shards (~2 min)
#   bench/run.sh --vectors 50000 --dims 384
# Environment: VSC_BENCH_SKIP_BUILD=1 reuses the last build; VSC_BENCH_JAVA_OPTS overrides the JVM flags;
# VSC_REDIS_SERVER points at a redis-server >= 8 (otherwise .tools/redis or PATH, see scripts/install-redis.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
if [[ -z "${JAVA_HOME:-}" || "$(java_major "$JAVA_HOME/bin/java" 2>/dev/null || echo 0)" -lt 21 ]]; then
  if command -v java >/dev/null && [[ "$(java_major java)" -ge 21 ]]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  else
    echo "bench/run.sh: a JDK >= 21 is needed (set JAVA_HOME)" >&2
    exit 1
  fi
fi
export JAVA_HOME
# Maven's own Guice warns about sun.misc.Unsafe on JDK >= 24; that noise is not ours.
if [[ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ]]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

cp_file=bench/target/classpath.txt
if [[ "${VSC_BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$cp_file" ]]; then
  echo "building api, core (with its test-jar: the Redis fixture), router and bench in one reactor ..." >&2
  # One reactor build, no install: the classpath points at the modules' own target/ jars, so a shared
  # ~/.m2 is never written. core's test-jar holds RedisShards, so tests are compiled (not run).
  ./mvnw -q -B -pl bench -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
fi

main=io.vectorshard.bench.RouterBenchmark
if [[ "${1:-}" == rebalance ]]; then
  main=io.vectorshard.bench.RebalanceBenchmark # bench/run.sh rebalance [--vectors N] [--dims D] [--buckets B] [--budget-ms M]
  shift
elif [[ "${1:-}" == sidecar ]]; then
  main=io.vectorshard.bench.SidecarBenchmark # bench/run.sh sidecar [--vectors N] [--seconds S] [--clients C]
  shift
  # The router as it was when issue 10 was filed, built from git into bench/target, as a row of its
  # own: the "today" its start-up goal is measured against. VSC_BENCH_BASELINE=none leaves it out.
  baseline="${VSC_BENCH_BASELINE:-440b978}"
  if [[ "$baseline" != none ]] && commit=$(git rev-parse -q --short --verify "$baseline^{commit}"); then
    dir="bench/target/baseline-$commit" # by commit: a branch name would go stale
    if [[ ! -f "$dir/classpath.txt" ]]; then
      echo "building the router at $commit into $dir ..." >&2
      rm -rf "$dir" && mkdir -p "$dir"
      git archive "$commit" | tar -x -C "$dir"
      (cd "$dir" && ./mvnw -q -B -pl router -am package dependency:build-classpath -DskipTests \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime \
        && echo "$PWD/router/target/vectorshard-router-0.1.0-SNAPSHOT.jar:$(cat router/target/classpath.txt)" > classpath.txt) \
        || echo "bench/run.sh: the router at $commit did not build; the sidecar run has no baseline row" >&2
    fi
    if [[ -f "$dir/classpath.txt" ]]; then
      set -- --baseline-label "$commit" --baseline-classpath "$(cat "$dir/classpath.txt")" "$@"
    fi
  elif [[ "$baseline" != none ]]; then
    echo "bench/run.sh: revision $baseline is not in this clone; the sidecar run has no baseline row" >&2
  fi
elif [[ "${1:-}" == soak ]]; then
  main=io.vectorshard.bench.SoakBenchmark # bench/run.sh soak [--seconds S]
  shift
elif [[ "${1:-}" == hostile ]]; then
  main=io.vectorshard.bench.HostileQueryBenchmark # bench/run.sh hostile [--vectors N] [--hostile-clients C] [--seconds S]
  shift
fi
exec "$JAVA_HOME/bin/java" ${VSC_BENCH_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC} \
  -cp "bench/target/classes:$(cat "$cp_file")" "$main" "$@"
