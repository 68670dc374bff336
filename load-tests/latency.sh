#!/usr/bin/env bash
# Fixed-rate latency (open loop, coordinated-omission corrected: OpenLoopLatency) of MCP tools/call POSTs
# against direct, nginx-proxy, tollgate and tollgate-full at 1,000 and 5,000 calls/s, with the gateways'
# GC logs of the same runs; prints p50/p90/p99/p99.9/max per target, rate and round, the GC pauses, and the
# p99 each target adds over direct (same client, same round), as the median over the rounds.
#
# Usage: load-tests/latency.sh [--rates "1000 5000"] [--duration S] [--warmup S] [--jit-warmup S]
#                              [--connections N] [--rounds N] [--targets LIST] [--tsv-dir DIR]
#   --rates R        calls/s, space- or comma-separated (default "1000 5000")
#   --duration S     measured seconds per target, rate and round (default 30)
#   --warmup S       seconds at the same rate before each measurement, not recorded (default 15: each run starts a
#                    fresh client JVM, whose own JIT burst takes 8-10 s of both cores on this VM)
#   --jit-warmup S   seconds of wrk load on each gateway after it starts, before any measurement (default 20)
#   --connections N  keep-alive connections of the client's pool (default 128)
#   --rounds N       measured rounds per rate; each round runs every target once, in an order rotated every other round
#                    and reversed every even round (default 1; even for an A/B)
#   --targets LIST   comma list (default direct,nginx-proxy,tollgate,tollgate-full; see run.sh --targets; vertx-bare,
#                    the bare Vert.x proxy, and netty-bare, the same on Netty alone, show what any JVM proxy hop adds
#                    on this machine)
#   --tsv-dir DIR    write DIR/latency.tsv (per target and rate: the round with the median p99, and the median
#                    p99 added), DIR/latency-rounds.tsv (every run), DIR/latency-gc.tsv; copy GC logs there
# Every gateway is started first (with -Xlog:gc* to <work>/gc-<target>.log) and warmed up, then the targets
# are measured in turn: a tail on this 2-core VM varies by a millisecond from one 30 s run to the next, so a
# target is compared with the direct run of the same round, and the rounds' median is what counts.
set -euo pipefail

rates="1000 5000" duration=30 warmup=15 jit_warmup=20 connections=128 rounds=1 target_list=direct,nginx-proxy,tollgate,tollgate-full tsv_dir=""
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) rates=${2//,/ }; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --jit-warmup) jit_warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --targets) target_list=$2; shift 2 ;;
    --tsv-dir) mkdir -p "$2"; tsv_dir=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

declare -A url axid_args gc_from
out=$work/latency.txt
runs=$work/latency-rounds.tsv
: >"$runs"
echo "# $(date -u +%FT%TZ)  $(nproc) cores  commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?)  open loop, $rounds round(s) x ${duration}s per rate after ${warmup}s at the rate, $connections connections, latency from the intended send time" | tee "$out"
jit_warm_up() { # target: wrk at saturation for --jit-warmup seconds, so every JVM under test starts compiled
  [ "$jit_warmup" -gt 0 ] || return 0
  TOLLGATE_AXID_FILE=$(is_gateway "$1" && has_feature "$1" axid && echo "$work/axid-token") \
    wrk -t1 -c32 -d"${jit_warmup}s" -s "$harness/tools-call.lua" "${url[$1]}" >"$work/jit-warmup-$1.txt" 2>&1 \
    || fail "wrk warm-up against $1 failed"
}
has_gc_log() { is_gateway "$1" || is_bare_proxy "$1"; }
for t in "${targets[@]}"; do
  axid_args[$t]=""
  case "$t" in
    direct) url[$t]="http://127.0.0.1:$upstream_port/mcp" ;;
    nginx-proxy) url[$t]="http://127.0.0.1:$proxy_port/mcp" ;;
    vertx-bare|netty-bare)
      start_bare_proxy "$t" "$upstream_url" "-Xlog:gc*:file=$work/gc-$t.log"
      url[$t]="http://127.0.0.1:${gw_port[$t]}/mcp"
      jit_warm_up "$t" ;;
    *)
      start_gateway "$t" "$upstream_url" "" "-Xlog:gc*:file=$work/gc-$t.log"
      url[$t]="http://127.0.0.1:${gw_port[$t]}/mcp"
      if has_feature "$t" axid; then mint_axid; axid_args[$t]="--axid-file $work/axid-token"; fi
      jit_warm_up "$t" ;;
  esac
done
n=${#targets[@]}
for rate in $rates; do
  for t in "${targets[@]}"; do has_gc_log "$t" && gc_from[$t]=$(wc -l < "$work/gc-$t.log"); done
  for round in $(seq 1 "$rounds"); do
    for k in $(seq 0 $(( n - 1 ))); do
      t=${targets[$(round_position "$round" "$k" "$n")]}
      if is_gateway "$t" && has_feature "$t" axid; then mint_axid; fi   # a fresh 5-minute token per run
      # shellcheck disable=SC2086 # axid_args is empty or two words
      line=$(java -cp "$bench_jar" dev.tollgate.bench.OpenLoopLatency --url "${url[$t]}" --rate "$rate" --duration "$duration" \
        --warmup "$warmup" --connections "$connections" --label "$t" ${axid_args[$t]} \
        --tsv "$work/run.tsv" --hlog "$work/latency-$t-$rate-$round.hlog") || fail "OpenLoopLatency against $t failed"
      printf '%s\t%s\n' "$round" "$(tail -n 1 "$work/run.tsv")" >>"$runs"
      echo "round $round  $line" | tee -a "$out"
    done
  done
  for t in "${targets[@]}"; do
    has_gc_log "$t" || continue
    gc=$(gc_summary "$work/gc-$t.log" "${gc_from[$t]}")
    echo "$t at $rate/s, all rounds: $gc" | tee -a "$out"
    [ -n "$tsv_dir" ] && printf '%s\t%s\t%s\n' "$t" "$rate" "$gc" >>"$tsv_dir/latency-gc.tsv"
  done
done
# Per target and rate: the round whose p99 is the median, and the median over the rounds of the p99 added
# over the direct run of the same round.
python3 - "$runs" "$work/latency-median.tsv" <<'PY' | tee -a "$out"
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
runs = {}
for r in rows:  # round, target, rate, calls, errors, p50, p90, p99, p99.9, max
    runs.setdefault((r[1], r[2]), []).append(r)
direct = {(r[2], r[0]): float(r[7]) for r in rows if r[1] == "direct"}
with open(sys.argv[2], "w") as out:
    for (t, rate), rs in runs.items():
        by_p99 = sorted(rs, key=lambda r: float(r[7]))
        median_run = by_p99[(len(by_p99) - 1) // 2]
        added = [float(r[7]) - direct[(rate, r[0])] for r in rs if (rate, r[0]) in direct]
        added_median = statistics.median(added) if added and t != "direct" else None
        p99s = " ".join(f"{float(r[7]):.3f}" for r in sorted(rs, key=lambda r: int(r[0])))
        out.write("\t".join(median_run[1:] + ["" if added_median is None else f"{added_median:.3f}", p99s]) + "\n")
        if added_median is not None:
            print(f"p99 added over direct: {t:<22} at {int(rate):5d}/s: {added_median:+8.3f} ms  (median over {len(added)} round(s); "
                  f"added per round: {' '.join(f'{a:+.3f}' for a in added)})")
PY
if [ -n "$tsv_dir" ]; then
  cat "$work/latency-median.tsv" >>"$tsv_dir/latency.tsv"
  cat "$runs" >>"$tsv_dir/latency-rounds.tsv"
fi
for t in "${targets[@]}"; do
  is_bare_proxy "$t" && [ -n "$tsv_dir" ] && cp "$work/gc-$t.log" "$tsv_dir/gc-$t.log"
  if is_gateway "$t"; then
    stop_gateway "$t"
    [ -n "$tsv_dir" ] && cp "$work/gc-$t.log" "$tsv_dir/gc-$t.log"
    problems=$(grep -Ec '\b(WARN|ERROR)\b[]: ]|Exception' "$work/$t/gateway.log" || true)
    [ "$problems" -gt 0 ] && echo "  $t: $problems WARN/ERROR/Exception line(s) in its log, first: $(grep -Em1 '\b(WARN|ERROR)\b[]: ]|Exception' "$work/$t/gateway.log" | cut -c1-300)" | tee -a "$out"
  fi
done
mkdir -p "$root/load-tests/results"
cp "$out" "$root/load-tests/results/latency-latest.txt"
