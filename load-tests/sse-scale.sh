#!/usr/bin/env bash
# SSE scale run: N concurrent MCP tools/call streams (SseScaleProbe) against an SSE upstream (SseUpstream),
# directly and through a gateway; reports how many streams got their first event, how fast (from the start
# of the run), and the gateway's resident memory before and at peak, per stream.
#
# Usage: load-tests/sse-scale.sh [--streams "N ..."] [--jar PATH] [--timeout S] [--targets direct,tollgate]
#                                [--tsv-dir DIR]
#   --streams N      concurrent streams; several counts (space/comma-separated) run one after another, each
#                    against a freshly started gateway (default 8000)
#   --jar PATH       the gateway jar (default gateway/target/tollgate.jar)
#   --timeout S      how long to wait for every first event (default 120)
#   --targets LIST   direct, vertx-bare (the floor: a bare Vert.x proxy relaying the streams unread) and/or
#                    gateway targets of run.sh (default direct,tollgate)
#   --tsv-dir DIR    append rows to DIR/sse.tsv (report.sh)
#   --hold S         keep the streams open S seconds after measuring (to inspect the gateway's heap)
#   --smoke          CI's check that streams are relayed at all: 200 streams, direct and through a plain gateway, 30 s
#                    timeout; exits 1 if any stream got no first event (the figures mean nothing)
#   --max-connecting N  connects pending at once (default 512); the stream count opens every connect at once,
#                    past the listen backlog: the kernel then drops handshakes (its ListenOverflows/ListenDrops
#                    counters, printed after every run, say how many) and those clients wait on TCP retransmits
# Streams that never get their first event are listed, with the gateway's log and metrics, in
# load-tests/results/sse-stalled-<time>-<target>-<N>/ (kept).
set -euo pipefail
stream_counts=8000 timeout=120 target_list=direct,tollgate tsv_dir="" jar_arg="" hold=0 max_connecting=512 smoke=false
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
while [ $# -gt 0 ]; do
  case "$1" in
    --streams) stream_counts=${2//,/ }; shift 2 ;;
    --jar) jar_arg=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --hold) hold=$2; shift 2 ;;
    --max-connecting) max_connecting=$2; shift 2 ;;
    --smoke) smoke=true stream_counts=200 timeout=30 target_list=direct,tollgate; shift ;;
    --targets) target_list=$2; shift 2 ;;
    --tsv-dir) mkdir -p "$2"; tsv_dir=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$jar_arg" ] && jar=$jar_arg
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-sse.XXXXXX")
pids=()
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=harness/lib.sh
source "$harness/lib.sh"
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
IFS=, read -r -a targets <<<"$target_list"
stalled_runs=()
# The kernel's counts of full accept queues and of handshakes it dropped: a client whose handshake was dropped
# waits on TCP retransmits (seconds to minutes) and looks, from outside, like a stream the gateway stalled.
listen_counters() {
  nstat -az TcpExtListenOverflows TcpExtListenDrops 2>/dev/null | awk '/ListenOverflows/{o=$2} /ListenDrops/{d=$2} END{print o+0, d+0}'
}
ensure_bench_jar
[ -f "$jar" ] || fail "missing $jar"

# Each stream is a socket in the probe, two in the gateway (client and upstream side) and one in the upstream.
max_streams=0
for n in $stream_counts; do [ "$n" -gt "$max_streams" ] && max_streams=$n; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need=$(( 2 * max_streams + 1000 ))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need" ] \
  || fail "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); $max_streams streams need about $need file descriptors in the gateway"

rm -f "$work/sse-port"
java -Xmx1g -cp "$bench_jar" dev.tollgate.bench.SseUpstream --port-file "$work/sse-port" >"$work/sse-upstream.log" 2>&1 &
upstream_pid=$!
pids+=("$upstream_pid")
wait_until "SSE upstream" "$upstream_pid" 30 test -s "$work/sse-port"
upstream_port=$(cat "$work/sse-port")

echo "# $(date -u +%FT%TZ)  $(nproc) cores  commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?)  jar $jar  ulimit -n $(ulimit -n)  first-event timeout ${timeout}s"
for n in $stream_counts; do
  for t in "${targets[@]}"; do
    if [ "$t" = direct ]; then
      port=$upstream_port pid=$upstream_pid metrics=()
    elif [ "$t" = vertx-bare ]; then
      # The floor under the gateway's streams: a Vert.x proxy on the gateway's options that relays them unread.
      bare_stream_pool=$n start_bare_proxy "$t" "http://127.0.0.1:$upstream_port/mcp"
      port=${gw_port[$t]} pid=${gw_pid[$t]} metrics=()
    elif is_bare_proxy "$t"; then
      fail "$t does not relay streams; the SSE floor is vertx-bare"
    else
      # Every stream holds a pooled upstream connection and a route slot for its whole life, and all come
      # from one client address (one caller): the route must allow N of each.
      route_extra="    max-connections: $n
    max-concurrent-calls: $n
    max-concurrent-calls-per-caller: $n"
      start_gateway "$t" "http://127.0.0.1:$upstream_port/mcp" ""
      port=${gw_port[$t]} pid=${gw_pid[$t]} metrics=(--metrics-url "http://127.0.0.1:${gw_admin[$t]}/metrics")
      if has_feature "$t" axid; then fail "sse-scale.sh does not send AXIDs; use a target without axid"; fi
    fi
    listen_before=$(listen_counters)
    java -Xmx1g -cp "$bench_jar" dev.tollgate.bench.SseScaleProbe --port "$port" --streams "$n" --timeout "$timeout" \
      --max-connecting "$max_connecting" --pid "$pid" --label "$t" "${metrics[@]}" ${tsv_dir:+--tsv "$tsv_dir/sse.tsv"} --stalled-file "$work/stalled-$t-$n.tsv" --hold "$hold" \
      | tee "$work/probe-$t-$n.txt" || fail "SseScaleProbe against $t failed"
    read -r overflows drops <<<"$(listen_counters)"
    read -r overflows0 drops0 <<<"$listen_before"
    echo "  kernel, during the run: $((overflows - overflows0)) listen queue overflows, $((drops - drops0)) handshakes dropped (TcpExtListenOverflows/ListenDrops, every listener on the machine)" \
      | tee -a "$work/probe-$t-$n.txt"
    [ -n "$tsv_dir" ] && printf '%s\t%s\t%s\t%s\n' "$t" "$n" "$((overflows - overflows0))" "$((drops - drops0))" >> "$tsv_dir/sse-kernel.tsv"
    if [ -s "$work/stalled-$t-$n.tsv" ]; then
      keep=$root/load-tests/results/sse-stalled-$(date -u +%Y%m%dT%H%M%SZ)-$t-$n
      mkdir -p "$keep"
      cp "$work/stalled-$t-$n.tsv" "$work/probe-$t-$n.txt" "$keep/"
      is_gateway "$t" && cp "$work/$t/gateway.log" "$work/$t/gateway.yaml" "$keep/" \
        && curl -s "http://127.0.0.1:${gw_admin[$t]}/metrics" > "$keep/metrics.txt" 2>/dev/null
      echo "  kept the stalled streams, the gateway's log, config and metrics in $keep"
      stalled_runs+=("$t x $n")
    fi
    if is_bare_proxy "$t"; then
      stop_gateway "$t"
    elif [ "$t" != direct ]; then
      problems=$(grep -Ec '\b(WARN|ERROR)\b[]: ]|Exception' "$work/$t/gateway.log" || true)
      [ "$problems" -gt 0 ] && echo "  $t: $problems WARN/ERROR/Exception line(s) in its log, first: $(grep -Em1 '\b(WARN|ERROR)\b[]: ]|Exception' "$work/$t/gateway.log" | cut -c1-300)"
      stop_gateway "$t"
    fi
  done
done
if [ "$smoke" = true ] && [ ${#stalled_runs[@]} -gt 0 ]; then
  fail "streams without their first event: ${stalled_runs[*]}"
fi
