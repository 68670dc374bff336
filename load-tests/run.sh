#!/usr/bin/env bash
# End-to-end load harness: MCP tools/call POSTs against the upstream direct, nginx proxy_pass and
# Tollgate, alternated in one run; prints req/s and latency percentiles per target and the ratios.
# Usage: load-tests/run.sh [--duration S] [--warmup S] [--connections N] [--rounds N] [--smoke]
set -euo pipefail

duration=20 warmup=20 connections=32 rounds=2 smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --smoke) smoke=1; duration=3; warmup=2; rounds=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
jar=$root/gateway/target/tollgate.jar
for tool in wrk nginx java curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk nginx-light)" >&2; exit 2; }
done
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}
wait_for() { # url expected-status
  for _ in $(seq 1 100); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -X "${3:-GET}" "$1" -H 'Content-Type: application/json' --data-binary "${4:-}" 2>/dev/null)" = "$2" ]; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2; exit 1
}

upstream_port=$(free_port); proxy_port=$(free_port); gateway_port=$(free_port); admin_port=$(free_port)
# A ~1 KiB tools/call result, as nginx serves it (single quotes are not used inside).
body='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"'$(printf 'x%.0s' $(seq 1 940))'"}],"isError":false}}'

mkdir -p "$work"/{client_body,proxy,fastcgi,uwsgi,scgi}
sed -e "s#@WORK@#$work#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" -e "s#@PROXY_PORT@#$proxy_port#g" -e "s#@BODY@#$body#" \
  "$harness/nginx.conf.template" > "$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" 2>>"$work/nginx-error.log" &
pids+=($!)
sed -e "s#@GATEWAY_PORT@#$gateway_port#" -e "s#@ADMIN_PORT@#$admin_port#" -e "s#@UPSTREAM_PORT@#$upstream_port#" \
  "$harness/gateway.yaml.template" > "$work/gateway.yaml"
java -jar "$jar" run --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 &
pids+=($!)

wait_for "http://127.0.0.1:$upstream_port/mcp" 200 POST '{}'
wait_for "http://127.0.0.1:$proxy_port/mcp" 200 POST '{}'
wait_for "http://127.0.0.1:$admin_port/readyz" 200

declare -A url=(
  [direct]="http://127.0.0.1:$upstream_port/mcp"
  [nginx-proxy]="http://127.0.0.1:$proxy_port/mcp"
  [tollgate]="http://127.0.0.1:$gateway_port/mcp"
)
targets=(direct nginx-proxy tollgate)

# The gateway must relay the upstream's answer byte for byte.
call() { curl -s "$1" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  --data-binary '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'; }
if [ "$(call "${url[direct]}")" != "$(call "${url[tollgate]}")" ]; then
  echo "tollgate's answer differs from the upstream's" >&2; exit 1
fi

to_ms() { # wrk latency like 812.00us / 1.20ms / 1.01s -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
run_wrk() { # target seconds -> "rps p50 p90 p99"
  local out
  out=$(wrk -t1 -c"$connections" -d"$2"s --latency -s "$harness/tools-call.lua" "${url[$1]}")
  echo "$out" >>"$work/wrk-$1.log"
  if echo "$out" | grep -q "Non-2xx or 3xx responses"; then
    echo "$1: non-2xx responses:" >&2; echo "$out" >&2; exit 1
  fi
  local rps p50 p90 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
  p90=$(to_ms "$(echo "$out" | awk '$1=="90%" {print $2}')")
  p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
  if [ -z "$rps" ] || [ "${rps%.*}" -le 0 ]; then echo "$1 served no requests" >&2; echo "$out" >&2; exit 1; fi
  echo "$rps $p50 $p90 $p99"
}

echo "warm-up: ${warmup}s per target (JIT), then $rounds round(s) of ${duration}s, alternating; wrk -t1 -c$connections"
for t in "${targets[@]}"; do run_wrk "$t" "$warmup" >/dev/null; done
declare -A samples
for r in $(seq 1 "$rounds"); do
  for t in "${targets[@]}"; do
    samples[$t]+="$(run_wrk "$t" "$duration")"$'\n'
  done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column_median() { echo -n "${samples[$1]}" | awk -v c="$2" '{print $c}' | median; }

mkdir -p "$root/load-tests/results"
report=$root/load-tests/results/latest.txt
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores, wrk -t1 -c$connections, ${duration}s x $rounds round(s), medians"
  printf '%-12s %12s %10s %10s %10s\n' target req/s p50_ms p90_ms p99_ms
  for t in "${targets[@]}"; do
    printf '%-12s %12s %10s %10s %10s\n' "$t" "$(column_median "$t" 1)" "$(column_median "$t" 2)" "$(column_median "$t" 3)" "$(column_median "$t" 4)"
  done
  d=$(column_median direct 1); n=$(column_median nginx-proxy 1); g=$(column_median tollgate 1)
  awk -v g="$g" -v d="$d" -v n="$n" 'BEGIN { printf "ratio tollgate/direct      = %.2f\nratio tollgate/nginx-proxy = %.2f\n", g / d, g / n }'
} | tee "$report"
[ "$smoke" = 1 ] && echo "smoke run passed"
exit 0
