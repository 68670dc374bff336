#!/usr/bin/env bash
# End-to-end load harness: MCP tools/call POSTs against the upstream direct, nginx proxy_pass and
# Tollgate in several configurations, alternated in one run; prints req/s and latency percentiles per
# target, the ratios, and what the observers (OTLP receiver, audit log) received against the calls made.
#
# Usage: load-tests/run.sh [--targets basic|all|LIST] [--duration S] [--warmup S] [--connections N]
#                          [--rounds N] [--smoke] [--gateway-template FILE] [--observed] [--tsv-dir DIR]
#   --targets T      basic (default: direct,nginx-proxy,tollgate), all (also vertx-bare, netty-bare, tollgate-full and one target per
#                    feature: tollgate-rules100, -axid, -otlp, -otlp-sampled (10% of allowed calls traced), -audit-full, -audit-digest,
#                    -results (result rules, five detectors), -noaccess (access log off)), or a comma list;
#                    vertx-bare is the floor under the gateway: a bare Vert.x proxy that parses both messages;
#                    netty-bare the same work on Netty's HTTP codec alone (one upstream connection per client connection)
#   --duration S     seconds per measured wrk run (default 20)
#   --warmup S       seconds of load per target before measuring, results discarded (default 20)
#   --connections N  wrk connections, one wrk thread (default 32)
#   --rounds N       measured rounds; every round runs each target once, in an order rotated every other round and
#                    reversed every even round, so that each target runs before and after each other one (default 2)
#   --smoke          duration 3, warm-up 2, 1 round: proves the harness end to end in seconds (CI)
#   --gateway-template FILE  the `tollgate` target's yaml, with the @PLACEHOLDERS@ of harness/gateway.yaml.template
#   --observed       also measure "tollgate-obs": OTLP tracing + audit (full arguments), no AXID, bench policy
#   --tsv-dir DIR    also write throughput.tsv and observers.tsv there (report.sh)
# Environment: TOLLGATE_JAVA_OPTS (extra JVM options for the gateways, e.g. "-Xmx512m"); TOLLGATE_RUN_ARGS
#              (extra `tollgate run` options, e.g. "--event-loops 1").
#              TOLLGATE_PREV_JAR: the jar of the targets suffixed @prev (e.g. --targets tollgate,tollgate@prev), an A/B
#              of two builds alternated in the same run; TOLLGATE_PREV_JAVA_OPTS: the @prev targets' JVM options
#              instead of TOLLGATE_JAVA_OPTS (with TOLLGATE_PREV_JAR the same jar: an A/B of JVM settings);
#              TOLLGATE_PREV_JAVA: the java binary of the @prev targets (e.g. a newer JDK's bin/java: an A/B of JVMs).
# Exits non-zero if a target answers anything but 2xx, serves no requests, or if a gateway's answer is
# not byte for byte the upstream's. Lost spans or audit lines are reported (LOST n), not a failure.
set -euo pipefail

duration=20 warmup=20 connections=32 rounds=2 smoke=0 target_spec=basic tsv_dir=""
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
gateway_template=$harness/gateway.yaml.template
observed=0
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) target_spec=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --smoke) smoke=1; duration=3; warmup=2; rounds=1; shift ;;
    --gateway-template) gateway_template=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --observed) observed=1; shift ;;
    --tsv-dir) mkdir -p "$2"; tsv_dir=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$duration" "$warmup" "$connections" "$rounds"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "not a whole number: $n" >&2; exit 2; }
done
[ "$duration" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$connections" -ge 1 ] || { echo "duration, rounds and connections must be >= 1" >&2; exit 2; }

started=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-load.XXXXXX")
pids=()
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=harness/lib.sh
source "$harness/lib.sh"

case "$target_spec" in
  basic) targets=("${basic_targets[@]}") ;;
  all) targets=("${all_targets[@]}") ;;
  *) IFS=, read -r -a targets <<<"$target_spec" ;;
esac
[ "$observed" = 1 ] && targets+=(tollgate-obs)
for t in "${targets[@]}"; do
  [[ "$t" == direct || "$t" == nginx-proxy ]] || is_bare_proxy "$t" || tg_features "$t" >/dev/null || { echo "unknown target $t" >&2; exit 2; }
done

for tool in wrk nginx java curl awk python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk nginx-light; a JDK 17)" >&2; exit 2; }
done
if [ ! -f "$jar" ]; then
  echo "building $jar"
  (cd "$root" && mvn -B -q -DskipTests -DskipNpm=true package -pl gateway,load-tests -am)
fi

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/tollgate*/gateway.log; do
      [ -f "$log" ] || continue
      echo "--- last lines of $log (kept) ---" >&2
      tail -n 30 "$log" >&2
    done
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r upstream_port proxy_port <<<"$(free_ports 2)"
start_nginx "$upstream_port" "$proxy_port"
upstream_url="http://127.0.0.1:$upstream_port/mcp"

needs_counter=0
for t in "${targets[@]}"; do is_gateway "$t" && has_feature "$t" otlp && needs_counter=1; done
[ "$needs_counter" = 1 ] && start_span_counter

declare -A url calls refused_probes
url[direct]="http://127.0.0.1:$upstream_port/mcp"
url[nginx-proxy]="http://127.0.0.1:$proxy_port/mcp"
for t in "${targets[@]}"; do
  is_bare_proxy "$t" || continue
  start_bare_proxy "$t" "$upstream_url"
  url[$t]="http://127.0.0.1:${gw_port[$t]}/mcp"
done
for t in "${targets[@]}"; do
  is_gateway "$t" || continue
  template=""
  [ "$t" = tollgate ] && template=$gateway_template
  start_gateway "$t" "$upstream_url" "$template"
  url[$t]="http://127.0.0.1:${gw_port[$t]}/mcp"
done

# --- correctness before load: every target answers 200 with the upstream's bytes ---------------------
printf '%s' "$body" > "$work/expected"
for t in "${targets[@]}"; do
  token=""
  if is_gateway "$t" && has_feature "$t" axid; then
    mint_axid; token=$(cat "$work/axid-token")
    code=$(post "${url[$t]}" "$work/answer-$t-noaxid")
    [ "$code" = 401 ] || fail "$t answered HTTP $code without an AXID (401 expected: is the AXID required?)"
    refused_probes[$t]=1
  fi
  code=$(post "${url[$t]}" "$work/answer-$t" "$token")
  calls[$t]=1
  [ "$code" = 200 ] || fail "$t answered HTTP $code: $(head -c 400 "$work/answer-$t" 2>/dev/null)"
  grep -qi '^content-type: application/json' "$work/answer-$t.headers" \
    || fail "$t answered without Content-Type: application/json: $(tr -d '\r' < "$work/answer-$t.headers")"
  cmp -s "$work/expected" "$work/answer-$t" \
    || fail "$t's answer differs from the upstream's body (got: $(head -c 400 "$work/answer-$t"))"
done

# --- load ----------------------------------------------------------------------------------------------
to_ms() { # wrk latency like 812.00us / 1.20ms / 1.01s / 1.00m -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
                         else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
run_wrk() { # target seconds phase -> "rps p50 p90 p99 socket-errors requests"
  local out axid_file=""
  if is_gateway "$1" && has_feature "$1" axid; then
    mint_axid   # tokens live at most 5 minutes: a fresh one for every run
    axid_file=$work/axid-token
  fi
  out=$(TOLLGATE_AXID_FILE=$axid_file wrk -t1 -c"$connections" -d"$2"s --latency -s "$harness/tools-call.lua" "${url[$1]}" 2>&1) \
    || { echo "$out" >&2; fail "wrk against $1 failed"; }
  printf '### %s %s %ss\n%s\n' "$3" "$1" "$2" "$out" >>"$work/wrk.log"
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "$out" >&2; fail "$1 answered non-2xx responses ($3)"
  fi
  local rps p50 p90 p99 errors requests
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p90=$(to_ms "$(awk '$1=="90%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  # "Socket errors: connect 0, read 0, write 0, timeout 0" is printed only when there were some.
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
  if [ -z "$rps" ] || ! awk -v r="$rps" 'BEGIN { exit !(r > 0) }'; then
    echo "$out" >&2; fail "$1 served no requests ($3)"
  fi
  echo "$rps $p50 $p90 $p99 ${errors:-0} ${requests:-0}"
}
count_calls() { calls[$1]=$(( ${calls[$1]} + $2 )); }
# The gateway's CPU time (user + system, all threads, clock ticks) from /proc: per call, it is what a change
# costs or saves, and it moves far less between runs than req/s on two cores shared with wrk and nginx.
clock_ticks=$(getconf CLK_TCK 2>/dev/null || echo 100)
gateway_cpu_ticks() {
  [ -n "${gw_pid[$1]:-}" ] || { echo -; return; }
  awk '{ print $14 + $15 }' "/proc/${gw_pid[$1]}/stat" 2>/dev/null || echo -
}
# Of that, the JIT compiler threads' share: a configuration still compiling when it is measured (C2 took 17 us of
# 85 us per call for OTLP after 10 s of load here, 4 us after 40 s) shows its warm-up, not its steady state.
gateway_jit_ticks() {
  [ -n "${gw_pid[$1]:-}" ] || { echo -; return; }
  local task sum=0 ticks
  for task in /proc/"${gw_pid[$1]}"/task/*; do
    [[ "$(cat "$task/comm" 2>/dev/null)" == C[12]" Compiler"* ]] || continue
    ticks=$(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null) && sum=$((sum + ticks))
  done
  echo "$sum"
}
# The OTLP receiver's CPU: a collector would run elsewhere, but this one shares the two cores with the gateway, so a
# target that exports spans also pays for receiving them here (shown beside its own CPU, not added to it).
receiver_cpu_ticks() {
  [ -n "${counter_pid:-}" ] || { echo -; return; }
  awk '{ print $14 + $15 }' "/proc/$counter_pid/stat" 2>/dev/null || echo -
}
cpu_us_per_call() { # ticks-before ticks-after calls
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$clock_ticks" 'BEGIN { if (a == "-" || b == "-" || n <= 0) print "-"; else printf "%.1f\n", (b - a) * 1e6 / hz / n }'
}

echo "ports: upstream $upstream_port, nginx proxy $proxy_port$(for t in "${targets[@]}"; do is_gateway "$t" && printf ', %s %s (admin %s, ready in %s ms)' "$t" "${gw_port[$t]}" "${gw_admin[$t]}" "${gw_started_ms[$t]}"; done)"
echo "warm-up ${warmup}s per target, then $rounds round(s) x ${duration}s per target, order rotated and reversed in turn; wrk -t1 -c$connections"
if [ "$warmup" -gt 0 ]; then
  for t in "${targets[@]}"; do
    sample=$(run_wrk "$t" "$warmup" warmup) || exit 1
    count_calls "$t" "$(awk '{print $6}' <<<"$sample")"
  done
fi
declare -A samples
for r in $(seq 1 "$rounds"); do
  for i in "${!targets[@]}"; do
    # Rotation alone kept an A/B's @prev always right after its twin (an A/A run gave it 4 % more req/s).
    t=${targets[$(round_position "$r" "$i" "${#targets[@]}")]}
    cpu_before=$(gateway_cpu_ticks "$t") jit_before=$(gateway_jit_ticks "$t") receiver_before=$(receiver_cpu_ticks)
    sample=$(run_wrk "$t" "$duration" "round$r") || exit 1
    read -r rps p50 _ p99 errors requests <<<"$sample"
    cpu_us=$(cpu_us_per_call "$cpu_before" "$(gateway_cpu_ticks "$t")" "$requests")
    jit_us=$(cpu_us_per_call "$jit_before" "$(gateway_jit_ticks "$t")" "$requests")
    receiver=""
    if is_gateway "$t" && has_feature "$t" otlp; then
      receiver="; OTLP receiver $(cpu_us_per_call "$receiver_before" "$(receiver_cpu_ticks)" "$requests") us/call"
    fi
    samples[$t]+="$sample $cpu_us"$'\n'
    count_calls "$t" "$requests"
    printf '  round %d %-22s %10.0f req/s  p50 %6.3f ms  p99 %7.3f ms  socket errors %s  gateway CPU %s us/call (JIT %s)%s\n' "$r" "$t" "$rps" "$p50" "$p99" "$errors" "$cpu_us" "$jit_us" "$receiver"
  done
done

# grep -v finds no line when every round is "-" (targets that are not a gateway have no CPU figure): not an error.
median() { { grep -v '^-$' || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column_median() { printf '%s' "${samples[$1]}" | awk -v c="$2" '{print $c}' | median; }
column_sum() { printf '%s' "${samples[$1]}" | awk -v c="$2" '{ s += $c } END { print s + 0 }'; }
round_ratios() { # a b -> "r1 r2 ..." of a/b req/s per round
  paste -d' ' <(printf '%s' "${samples[$1]}" | awk '{print $1}') <(printf '%s' "${samples[$2]}" | awk '{print $1}') \
    | awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 / $2 }'
}
has_target() { [[ " ${targets[*]} " == *" $1 "* ]]; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

# --- observers: what the OTLP receiver and the audit log got, against the calls made ---------------------
observer_rows=()
for t in "${targets[@]}"; do
  is_gateway "$t" || continue
  has_feature "$t" otlp || has_feature "$t" audit-full || has_feature "$t" audit-digest || continue
  wait_observers_settle "$t"
  # wrk does not count the calls still in flight when it stops (up to one per connection and run), the
  # gateway does: its own count is the exact figure to compare with, wrk's the cross-check.
  # minus the probe without an AXID, refused with 401 before any span or audit record exists
  gw_calls=$(( $(gateway_calls "$t") - ${refused_probes[$t]:-0} ))
  expected=$(( gw_calls > ${calls[$t]} ? gw_calls : ${calls[$t]} ))
  spans=- server=- audit=- verdict=""
  if has_feature "$t" otlp; then
    spans=$(span_count "$t"); server=$(span_count "$t" SERVER)
    # A sampled target exports a share of its allowed calls: exported + sampled out must still be every call.
    left_out=0
    has_feature "$t" sample10 && left_out=$(sampled_out "$t")
    [ $(( server + left_out )) -lt "$expected" ] && verdict+="LOST $(( expected - server - left_out )) spans "
    [ "$left_out" -gt 0 ] && verdict+="(sampled out $left_out) "
  fi
  if has_feature "$t" audit-full || has_feature "$t" audit-digest; then
    audit=$(audit_lines "$t")
    [ "$audit" -lt "$expected" ] && verdict+="LOST $(( expected - audit )) audit lines "
  fi
  observer_rows+=("$t ${calls[$t]} $gw_calls $server $spans $audit ${verdict:-ok}|$(drop_metrics "$t")")
done

# Log lines at WARN/ERROR (also logback's own "|-WARN" status lines) and stack traces.
problem_pattern='\|-(WARN|ERROR)|\b(WARN|ERROR)\b[]: ]|Exception|^\s+at '
mkdir -p "$root/load-tests/results"
report=$root/load-tests/results/latest.txt
{
  echo "# $(date -u +%FT%TZ)  $(nproc) cores  commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo '+dirty')  jar built $(date -u -r "$jar" +%FT%TZ)  $(java -version 2>&1 | head -n 1)"
  echo "# wrk -t1 -c$connections, POST tools/call, warm-up ${warmup}s, $rounds round(s) x ${duration}s, medians over rounds$([ "$smoke" = 1 ] && echo ' (SMOKE RUN: figures meaningless)')"
  printf '%-22s %12s %9s %9s %9s %13s %8s %8s %12s  %s\n' target req/s p50_ms p90_ms p99_ms socket_errors vs_nginx vs_plain cpu_us/call "req/s per round"
  n=0 g=0
  has_target nginx-proxy && n=$(column_median nginx-proxy 1)
  has_target tollgate && g=$(column_median tollgate 1)
  for t in "${targets[@]}"; do
    rps=$(column_median "$t" 1)
    cpu=$(column_median "$t" 7)
    printf '%-22s %12.0f %9.3f %9.3f %9.3f %13s %8s %8s %12s  %s\n' "$t" "$rps" "$(column_median "$t" 2)" \
      "$(column_median "$t" 3)" "$(column_median "$t" 4)" "$(column_sum "$t" 5)" "$(ratio "$rps" "$n")" "$(ratio "$rps" "$g")" \
      "$([ "$cpu" = - ] && echo - || printf '%.1f' "$cpu")" \
      "$(printf '%s' "${samples[$t]}" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }')"
    [ -n "$tsv_dir" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$rps" "$(column_median "$t" 2)" "$(column_median "$t" 3)" \
      "$(column_median "$t" 4)" "$(printf '%s' "${samples[$t]}" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }')" "$cpu" >>"$tsv_dir/throughput.tsv"
  done
  if has_target direct && has_target nginx-proxy && has_target tollgate; then
    d=$(column_median direct 1)
    awk -v g="$g" -v d="$d" -v n="$n" 'BEGIN {
      printf "ratio tollgate/direct      = %.2f\n", g / d
      printf "ratio tollgate/nginx-proxy = %.2f   (goal 1.00)\n", g / n
      printf "ratio nginx-proxy/direct   = %.2f\n", n / d }'
    echo "per round tollgate/nginx-proxy: $(round_ratios tollgate nginx-proxy)"
  fi
  if has_target vertx-bare && has_target tollgate; then
    awk -v g="$g" -v b="$(column_median vertx-bare 1)" -v n="$n" 'BEGIN {
      printf "ratio tollgate/vertx-bare  = %.2f   (what the gateway adds to the Vert.x floor)   vertx-bare/nginx-proxy = %.2f\n", g / b, (n > 0 ? b / n : 0) }'
    echo "per round tollgate/vertx-bare: $(round_ratios tollgate vertx-bare)"
  fi
  if has_target netty-bare && has_target vertx-bare; then
    awk -v v="$(column_median vertx-bare 1)" -v b="$(column_median netty-bare 1)" -v n="$n" 'BEGIN {
      printf "ratio vertx-bare/netty-bare = %.2f   (what Vert.x costs over Netty alone)   netty-bare/nginx-proxy = %.2f\n", v / b, (n > 0 ? b / n : 0) }'
    echo "per round vertx-bare/netty-bare: $(round_ratios vertx-bare netty-bare)"
  fi
  if has_target tollgate-full && has_target tollgate; then
    awk -v f="$(column_median tollgate-full 1)" -v g="$g" -v n="$n" 'BEGIN {
      printf "full pipeline cost vs plain = %.0f%%   (1 - full/plain; goal <= 15%%)   full/nginx-proxy = %.2f (goal >= 1.0)\n", 100 * (1 - f / g), (n > 0 ? f / n : 0) }'
    echo "per round tollgate-full/tollgate: $(round_ratios tollgate-full tollgate)"
  fi
  if [ ${#observer_rows[@]} -gt 0 ]; then
    echo "observers (calls: wrk's requests of every run incl. warm-up + the probes; gateway: its tollgate_requests_total;"
    echo "  server spans: SERVER spans the OTLP receiver counted (one per call); audit: lines in audit/*.jsonl):"
    printf '  %-22s %10s %10s %12s %10s %10s  %s\n' target calls gateway server_spans all_spans audit_lines "verdict; the gateway's drop/lost metrics"
    for row in "${observer_rows[@]}"; do
      read -r t c gc s a l v <<<"${row%%|*}"
      printf '  %-22s %10s %10s %12s %10s %10s  %s; %s\n' "$t" "$c" "$gc" "$s" "$a" "$l" "$v" "${row#*|}"
      [ -n "$tsv_dir" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$c" "$gc" "$s" "$a" "$l" "$v" "${row#*|}" >>"$tsv_dir/observers.tsv"
    done
    [ "$needs_counter" = 1 ] && echo "  spans by name: $(span_counts | python3 -c 'import json,sys; print("; ".join(k+": "+", ".join(f"{n}={c}" for n,c in v["names"].items()) for k,v in json.load(sys.stdin).items()))')"
  fi
  echo "load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?) (above ~2.5 before, something else was competing for the cores)"
  for t in "${targets[@]}"; do
    is_gateway "$t" || continue
    echo "$t: ready ${gw_started_ms[$t]} ms after start; $(grep -Ec "$problem_pattern" "$work/$t/gateway.log" || true) ERROR/WARN/Exception line(s) in its log"
  done
} | tee "$report"
# latest.txt is overwritten by every run; a dated copy keeps the full runs from being lost to a smoke run.
cp "$report" "$root/load-tests/results/$(date -u +%Y%m%dT%H%M%SZ)$([ "$smoke" = 1 ] && echo -smoke).txt"
for t in "${targets[@]}"; do
  is_gateway "$t" || continue
  if grep -Eq "$problem_pattern" "$work/$t/gateway.log"; then
    echo "--- first ERROR/WARN/Exception lines of the $t gateway log ---"
    grep -E "$problem_pattern" "$work/$t/gateway.log" | head -n 10
  fi
done
echo "wrote $report ($((SECONDS - started)) s)"
[ "$smoke" = 1 ] && echo "smoke run passed"
exit 0
