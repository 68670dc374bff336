#!/usr/bin/env bash
# What unauthenticated slow clients cost a running gateway: for each mode (headers never finished, a body
# trickled after its headers, idle connections) hold N connections and report the gateway's resident memory
# and how many connections it closed itself. Bounded: N <= 10000 connections, HOLD seconds per mode.
#   load-tests/slow-clients.sh [--jar PATH] [--connections N] [--hold S] [--limits 'header-timeout: 10s, ...']
# Compare two builds by running it twice with --jar (same machine, same run). Listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=gateway/target/tollgate.jar
CONNECTIONS=1000
HOLD=45
LIMITS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --hold) HOLD="$2"; shift 2 ;;
    --limits) LIMITS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BENCH=load-tests/target/benchmarks.jar
[ -f "$JAR" ] && [ -f "$BENCH" ] || mvn -B -q -DskipTests -DskipNpm=true package
fail() { echo "FAIL: $*" >&2; exit 1; }
root=$(pwd) harness=$(pwd)/load-tests/harness
source load-tests/harness/lib.sh
WORK=$(mktemp -d)
GATEWAY_PID=""
trap '[ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
read -r PORT ADMIN <<<"$(free_ports 2)"
mkdir -p "$WORK/policies"
printf 'name: p\ndefaults: {action: allow}\nrules: []\n' > "$WORK/policies/p.yaml"
cat > "$WORK/gateway.yaml" <<YAML
listeners: [{name: public, host: 127.0.0.1, port: $PORT}]
admin: {host: 127.0.0.1, port: $ADMIN}
policies: {directory: policies}
$( [ -n "$LIMITS" ] && echo "limits: {$LIMITS}" )
routes:
  - {name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:9/mcp", policy: p}
YAML
ulimit -n 65536 2>/dev/null || true
java -Xmx256m -jar "$JAR" run --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ADMIN/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$ADMIN/readyz" >/dev/null || { echo "gateway did not start:"; cat "$WORK/gateway.log"; exit 1; }
echo "jar=$JAR connections=$CONNECTIONS hold=${HOLD}s heap=-Xmx256m"
for MODE in headers body idle; do
  java -cp "$BENCH" dev.tollgate.bench.SlowClientsProbe "$PORT" "$GATEWAY_PID" "$MODE" "$CONNECTIONS" "$HOLD"
done
kill -0 "$GATEWAY_PID" 2>/dev/null && echo "gateway still running" || { echo "gateway died:"; tail -20 "$WORK/gateway.log"; }
