#!/usr/bin/env bash
# Regenerates load-tests/REPORT.md and its charts (load-tests/report/*.png) in one command:
#   1. throughput of every configuration (run.sh --targets all), with the observers' counts;
#   2. open-loop latency at 1,000 and 5,000 calls/s (latency.sh; direct, nginx, netty-bare, vertx-bare, plain, full), with GC pauses;
#   3. SSE scale at 1,000, 4,000 and 8,000 streams (sse-scale.sh; direct, vertx-bare, plain, plain with -Xmx256m), resident memory per stream count;
#   4. CPU per call of plain and full by thread, layer and frame (profile.sh --cpu, async-profiler).
# Then draws the charts (ReportCharts) and writes the tables, the machine and the goals (met / not met).
#
# Usage: load-tests/report.sh [--quick] [--rounds N] [--duration S] [--warmup S] [--latency-duration S]
#                             [--latency-rounds N] [--sse-streams "1000 4000 8000"] [--sse-timeout S]
#                             [--skip throughput,latency,sse,cpu]
#   --quick   proves the pipeline in a few minutes: 3 s per target, 1 round, 1 s warm-up; latency 3 s per
#             rate; SSE 500 streams. Its figures are meaningless (no JIT warm-up, short runs).
# Defaults: 2 rounds x 20 s after a 20 s warm-up per target; latency 3 rounds x 20 s per rate, each after 15 s at
# the rate (the client JVM's own JIT), once the gateways had 20 s of JIT warm-up;
# SSE 1,000/4,000/8,000 streams, 120 s timeout. Expect ~20 minutes on 2 cores. load-tests/report/profile.md,
# if present (written by hand from a profile), is included as the report's profile section.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lt=$root/load-tests
rounds=2 duration=20 warmup=20 lat_duration=20 lat_warmup=15 lat_rounds=3 jit_warmup=20 sse_streams="1000 4000 8000" sse_timeout=120 skip="" quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 rounds=1 duration=3 warmup=1 lat_duration=3 lat_warmup=3 lat_rounds=1 jit_warmup=3 sse_streams=500 sse_timeout=30; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --latency-duration) lat_duration=$2; shift 2 ;;
    --latency-rounds) lat_rounds=$2; shift 2 ;;
    --sse-streams) sse_streams=${2//,/ }; shift 2 ;;
    --sse-timeout) sse_timeout=$2; shift 2 ;;
    --skip) skip=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
out=$lt/report
mkdir -p "$out"
started=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
skipped() { [[ ",$skip," == *",$1,"* ]]; }
[ -f "$lt/target/benchmarks.jar" ] && [ -f "$root/gateway/target/tollgate.jar" ] \
  || (cd "$root" && mvn -B -q -DskipTests -DskipNpm=true package -pl gateway,load-tests -am)

if ! skipped throughput; then
  rm -f "$out/throughput.tsv" "$out/observers.tsv"
  echo "== throughput: every configuration, $rounds round(s) x ${duration}s after ${warmup}s warm-up"
  bash "$lt/run.sh" --targets all --rounds "$rounds" --duration "$duration" --warmup "$warmup" --tsv-dir "$out" \
    | tee "$out/throughput.txt"
fi
if ! skipped latency; then
  rm -f "$out/latency.tsv" "$out/latency-rounds.tsv" "$out/latency-gc.tsv" "$out"/gc-*.log
  echo "== latency: open loop at 1,000 and 5,000 calls/s, $lat_rounds round(s) x ${lat_duration}s each"
  bash "$lt/latency.sh" --rates "1000 5000" --duration "$lat_duration" --warmup "$lat_warmup" --jit-warmup "$jit_warmup" \
    --rounds "$lat_rounds" --targets direct,nginx-proxy,netty-bare,vertx-bare,tollgate,tollgate-full \
    --tsv-dir "$out" | tee "$out/latency.txt"
fi
if ! skipped sse; then
  rm -f "$out/sse.tsv" "$out/sse-kernel.tsv"
  echo "== SSE scale: $sse_streams streams"
  bash "$lt/sse-scale.sh" --targets direct,vertx-bare,tollgate,tollgate-heap256 --streams "$sse_streams" --timeout "$sse_timeout" --tsv-dir "$out" | tee "$out/sse.txt"
fi

if ! skipped cpu; then
  echo "== CPU profiles: tollgate and tollgate-full at saturation (async-profiler)"
  for t in tollgate tollgate-full; do
    bash "$lt/profile.sh" --cpu --target "$t" --warmup "$((warmup + 10))" --duration "$((duration > 15 ? duration : 15))"
  done
fi

java -Djava.awt.headless=true -cp "$lt/target/benchmarks.jar" dev.tollgate.bench.ReportCharts "$out"

# What the measurements ran on, kept next to their data so that a later `--skip throughput,latency,sse`
# (to add the profile) reports the run's figures with the run's own header.
if ! skipped throughput || ! skipped latency || ! skipped sse; then
  {
    echo "$(nproc) cores, $(free -m | awk '/^Mem:/ {printf "%.1f GiB", $2 / 1024}') memory, kernel $(uname -r), $(java -version 2>&1 | head -n 1)"
    echo "$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- gateway policy protocols || echo '+dirty')"
    date -u +%FT%TZ
    echo "$load_before"
    cut -d' ' -f1-3 /proc/loadavg
    echo "$quick"
    echo "throughput: $rounds round(s) x ${duration}s after ${warmup}s warm-up per target (wrk -t1 -c32); latency: $lat_rounds round(s) x ${lat_duration}s per rate, each after ${lat_warmup}s at the rate, once the gateways had ${jit_warmup}s JIT warm-up; SSE: $sse_streams streams, ${sse_timeout}s timeout$( [ -n "$skip" ] && echo "; skipped: $skip")"
  } > "$out/run-info.txt"
fi
[ -f "$out/run-info.txt" ] || { echo "no measurements in $out yet: run without --skip first" >&2; exit 1; }
mapfile -t info < "$out/run-info.txt"
python3 "$lt/harness/write-report.py" "$out" "$lt/REPORT.md" "${info[@]:0:7}"
echo "wrote $lt/REPORT.md and $out/*.png ($((SECONDS - started)) s)"
