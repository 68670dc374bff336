#!/usr/bin/env bash
# Profiles one gateway configuration at saturation: starts nginx (the upstream), the counting OTLP receiver
# and the gateway with JFR (CPU samples every millisecond, allocation samples), loads it with wrk for a
# warm-up, records the next S seconds, and writes the profile tables (JfrProfileSummary) to
# load-tests/report/profile-<target>.md, the recording next to it (git-ignored).
#
# With --cpu, async-profiler (resolved from Maven Central into the bench jar) samples CPU time instead, kernel
# frames included, and the tables (CpuProfileSummary) give microseconds of CPU per call by thread, by layer
# (kernel, JVM, Netty, Vert.x, JDK, Jackson, OpenTelemetry, the gateway) and by frame, in
# load-tests/report/cpu-<target>.md; the collapsed stacks are kept next to it (git-ignored).
#
# jar=<path> in the environment profiles another build (a previous version's jar) with the same harness.
#
# Usage: load-tests/profile.sh [--target tollgate-full] [--warmup S] [--duration S] [--top N] [--cpu [--event cpu|itimer]]
set -euo pipefail
target=tollgate-full warmup=30 duration=20 top=25 cpu=false event=cpu
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --cpu) cpu=true; shift ;;
    --event) event=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
# What was profiled: the repository's commit, or the jar named by jar= when another build is profiled (an A/B).
build_label() {
  if [ "$jar" = "$root/gateway/target/tollgate.jar" ]; then echo "commit $(git -C "$root" rev-parse --short HEAD)"
  else echo "jar $jar"; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-profile.XXXXXX")
pids=()
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=harness/lib.sh
source "$harness/lib.sh"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
is_gateway "$target" && tg_features "$target" >/dev/null || fail "not a gateway target: $target"
ensure_bench_jar
out_dir=$root/load-tests/report
mkdir -p "$out_dir"
recording=$out_dir/profile-$target.jfr
# The JDK's "profile" settings with CPU samples every millisecond instead of every 10-20 ms.
jfr configure --input profile jdk.ExecutionSample#period=1ms --output "$work/settings.jfc" >/dev/null

read -r upstream_port proxy_port <<<"$(free_ports 2)"
start_nginx "$upstream_port" "$proxy_port"
has_feature "$target" otlp && start_span_counter
start_gateway "$target" "http://127.0.0.1:$upstream_port/mcp" "" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints
url="http://127.0.0.1:${gw_port[$target]}/mcp"
axid_file=/dev/null
if has_feature "$target" axid; then mint_axid; axid_file=$work/axid-token; fi

echo "profiling $target: ${warmup}s warm-up, then ${duration}s recorded under wrk -t1 -c32"
TOLLGATE_AXID_FILE=$axid_file wrk -t1 -c32 -d"${warmup}"s -s "$harness/tools-call.lua" "$url" >/dev/null
if $cpu; then
  case "$(uname -m)" in aarch64|arm64) platform=linux-arm64 ;; *) platform=linux-x64 ;; esac
  (cd "$work" && jar xf "$bench_jar" "$platform/libasyncProfiler.so") || fail "async-profiler's library is not in $bench_jar"
  agent=$work/$platform/libasyncProfiler.so
  collapsed=$out_dir/cpu-$target.collapsed
  rm -f "$collapsed"   # never summarize an earlier run's stacks with this run's call count
  # jcmd reads name=value pairs: the agent's options go through as one quoted argument.
  jcmd "${gw_pid[$target]}" JVMTI.agent_load "$agent" "\"start,event=$event,interval=1ms,threads\"" >"$work/start.txt"
  grep -q "return code: 0" "$work/start.txt" || fail "async-profiler did not start: $(cat "$work/start.txt")"
  TOLLGATE_AXID_FILE=$axid_file wrk -t1 -c32 -d"${duration}"s -s "$harness/tools-call.lua" "$url" >"$work/wrk.txt"
  jcmd "${gw_pid[$target]}" JVMTI.agent_load "$agent" "\"stop,file=$collapsed,collapsed\"" >"$work/stop.txt"
  grep -q "return code: 0" "$work/stop.txt" && [ -s "$collapsed" ] || fail "async-profiler wrote no profile: $(cat "$work/stop.txt")"
  grep -q "Non-2xx or 3xx responses" "$work/wrk.txt" && fail "$target answered non-2xx responses while profiled (an expired AXID?)"
  calls=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
  {
    echo "CPU profile of \`$target\` at saturation ($(date -u +%FT%TZ), $(build_label), $(nproc) cores):"
    echo "wrk -t1 -c32 at ${rps} req/s, async-profiler (event $event) over ${duration} s after a ${warmup} s warm-up (\`load-tests/profile.sh --cpu --target $target\`)."
    echo
    java -cp "$bench_jar" dev.tollgate.bench.CpuProfileSummary "$collapsed" "$calls" "$work/summary.md" "$top"
    cat "$work/summary.md"
  } > "$out_dir/cpu-$target.md"
  echo "wrote $out_dir/cpu-$target.md (stacks: $collapsed)"
  exit 0
fi
TOLLGATE_AXID_FILE=$axid_file wrk -t1 -c32 -d"$((duration + 4))"s -s "$harness/tools-call.lua" "$url" >"$work/wrk.txt" &
wrk_pid=$!
sleep 2
jcmd "${gw_pid[$target]}" JFR.start name=profile settings="$work/settings.jfc" duration="${duration}s" filename="$recording" >/dev/null
wait "$wrk_pid"
sleep 2
rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
{
  echo "Profile of \`$target\` at saturation ($(date -u +%FT%TZ), $(build_label), $(nproc) cores):"
  echo "wrk -t1 -c32 at ${rps} req/s, JFR over ${duration} s after a ${warmup} s warm-up (\`load-tests/profile.sh --target $target\`)."
  echo
  # Through a file: opening /dev/stdout from Java truncates the file it points to, which erased the lines above.
  java -cp "$bench_jar" dev.tollgate.bench.JfrProfileSummary "$recording" "$work/summary.md" "$top"
  cat "$work/summary.md"
} > "$out_dir/profile-$target.md"
echo "wrote $out_dir/profile-$target.md (recording: $recording)"
