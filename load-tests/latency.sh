#!/usr/bin/env bash
# Fixed-rate latency (open loop, coordinated-omission corrected: OpenLoopLatency) of MCP tools/call POSTs
# against direct, nginx-proxy, tollgate and tollgate-full at 1,000 and 5,000 calls/s, with the gateways'
# GC logs of the same runs; prints p50/p90/p99/p99.9/max per target and rate, the GC pauses during each run,
# and the p99 each target adds over direct (same client, same run).
#
# Usage: load-tests/latency.sh [--rates "1000 5000"] [--duration S] [--warmup S] [--jit-warmup S]
#                              [--connections N] [--targets LIST] [--tsv-dir DIR]
#   --rates R        calls/s, space- or comma-separated (default "1000 5000")
#   --duration S     measured seconds per target and rate (default 30)
#   --warmup S       seconds at the same rate before each measurement, not recorded (default 10)
#   --jit-warmup S   seconds of wrk load on each gateway after it starts, before any measurement (default 20)
#   --connections N  keep-alive connections of the client's pool (default 128)
#   --targets LIST   comma list (default direct,nginx-proxy,tollgate,tollgate-full; see run.sh --targets)
#   --tsv-dir DIR    append rows to DIR/latency.tsv and DIR/latency-gc.tsv, copy GC logs there (report.sh)
# Gateways run one at a time (start, JIT warm-up, every rate, stop), with -Xlog:gc* to <work>/gc-<target>.log.
set -euo pipefail

rates="1000 5000" duration=30 warmup=10 jit_warmup=20 connections=128 target_list=direct,nginx-proxy,tollgate,tollgate-full tsv_dir=""
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) rates=${2//,/ }; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --jit-warmup) jit_warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --targets) target_list=$2; shift 2 ;;
    --tsv-dir) mkdir -p "$2"; tsv_dir=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-latency.XXXXXX")
pids=()
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=harness/lib.sh
source "$harness/lib.sh"
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then echo "kept $work (gateway logs, GC logs)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
IFS=, read -r -a targets <<<"$target_list"
ensure_bench_jar
[ -f "$jar" ] || fail "missing $jar (mvn -B -q -DskipTests -DskipNpm=true package -pl gateway,load-tests -am)"

read -r upstream_port proxy_port <<<"$(free_ports 2)"
start_nginx "$upstream_port" "$proxy_port"
upstream_url="http://127.0.0.1:$upstream_port/mcp"
for t in "${targets[@]}"; do is_gateway "$t" && has_feature "$t" otlp && { start_span_counter; break; }; done
# The client may have up to --connections calls in flight from one caller: the gateway's per-caller limit
# (default 64) would answer the excess 429 during a stall and hide it; the pool (max-connections) must fit too.
route_extra="    max-connections: $(( connections > 256 ? connections : 256 ))
    max-concurrent-calls-per-caller: $connections"

declare -A p99
out=$work/latency.txt
echo "# $(date -u +%FT%TZ)  $(nproc) cores  commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?)  open loop, ${duration}s per rate after ${warmup}s at the rate, $connections connections, latency from the intended send time" | tee "$out"
for t in "${targets[@]}"; do
  url="" axid=()
  case "$t" in
    direct) url="http://127.0.0.1:$upstream_port/mcp" ;;
    nginx-proxy) url="http://127.0.0.1:$proxy_port/mcp" ;;
    *)
      start_gateway "$t" "$upstream_url" "" "-Xlog:gc*:file=$work/gc-$t.log"
      url="http://127.0.0.1:${gw_port[$t]}/mcp"
      if has_feature "$t" axid; then mint_axid; axid=(--axid-file "$work/axid-token"); fi
      if [ "$jit_warmup" -gt 0 ]; then
        TOLLGATE_AXID_FILE=${axid[1]:-} wrk -t1 -c32 -d"${jit_warmup}s" -s "$harness/tools-call.lua" "$url" >"$work/jit-warmup-$t.txt" 2>&1 \
          || fail "wrk warm-up against $t failed"
      fi ;;
  esac
  for rate in $rates; do
    if is_gateway "$t" && has_feature "$t" axid; then mint_axid; fi   # a fresh 5-minute token per run
    gc_from=0
    if is_gateway "$t"; then gc_from=$(wc -l < "$work/gc-$t.log"); fi
    line=$(java -cp "$bench_jar" dev.tollgate.bench.OpenLoopLatency --url "$url" --rate "$rate" --duration "$duration" \
      --warmup "$warmup" --connections "$connections" --label "$t" "${axid[@]}" \
      ${tsv_dir:+--tsv "$tsv_dir/latency.tsv"} --hlog "$work/latency-$t-$rate.hlog") || fail "OpenLoopLatency against $t failed"
    gc=""
    if is_gateway "$t"; then
      gc=$(gc_summary "$work/gc-$t.log" "$gc_from")
      [ -n "$tsv_dir" ] && printf '%s\t%s\t%s\n' "$t" "$rate" "$gc" >>"$tsv_dir/latency-gc.tsv"
    fi
    echo "$line${gc:+  | $gc (gateway, during this run incl. its warm-up)}" | tee -a "$out"
    p99[$t/$rate]=$(awk '{ for (i = 1; i < NF; i++) if ($i == "p99") print $(i + 1) }' <<<"$line")
  done
  if is_gateway "$t"; then
    stop_gateway "$t"
    [ -n "$tsv_dir" ] && cp "$work/gc-$t.log" "$tsv_dir/gc-$t.log"
    problems=$(grep -Ec '\b(WARN|ERROR)\b[]: ]|Exception' "$work/$t/gateway.log" || true)
    [ "$problems" -gt 0 ] && echo "  $t: $problems WARN/ERROR/Exception line(s) in its log, first: $(grep -Em1 '\b(WARN|ERROR)\b[]: ]|Exception' "$work/$t/gateway.log" | cut -c1-300)" | tee -a "$out"
  fi
done
if [[ " ${targets[*]} " == *" direct "* ]]; then
  for t in "${targets[@]}"; do
    [ "$t" = direct ] && continue
    for rate in $rates; do
      awk -v t="$t" -v r="$rate" -v a="${p99[$t/$rate]}" -v d="${p99[direct/$rate]}" \
        'BEGIN { printf "p99 added over direct: %-22s at %5d/s: %+8.3f ms\n", t, r, a - d }' | tee -a "$out"
    done
  done
fi
mkdir -p "$root/load-tests/results"
cp "$out" "$root/load-tests/results/latency-latest.txt"
