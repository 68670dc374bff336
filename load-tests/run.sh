#!/usr/bin/env bash
# End-to-end load harness: MCP tools/call POSTs against the upstream direct, nginx proxy_pass and
# Tollgate, alternated in one run; prints req/s and latency percentiles per target and the ratios.
#
# Usage: load-tests/run.sh [--duration S] [--warmup S] [--connections N] [--rounds N] [--smoke]
#                          [--gateway-template FILE] [--observed]
#   --duration S     seconds per measured wrk run (default 20)
#   --warmup S       seconds of load per target before measuring, results discarded (default 20)
#   --connections N  wrk connections, one wrk thread (default 32)
#   --rounds N       measured rounds; every round runs each target once, in a rotated order (default 2)
#   --smoke          duration 3, warm-up 2, 1 round: proves the harness end to end in seconds (CI)
#   --gateway-template FILE  a gateway yaml with the same @PLACEHOLDERS@ as harness/gateway.yaml.template
#   --observed               also measure "tollgate-obs": the same gateway with tracing (OTLP export to a
#                            loopback sink) and the audit log (full arguments) on, to give the cost of both
# Environment: TOLLGATE_JAVA_OPTS (extra JVM options for the gateway, e.g. "-Xmx512m").
# Exits non-zero if a target answers anything but 2xx, serves no requests, or if Tollgate's answer is
# not byte for byte the upstream's.
set -euo pipefail

duration=20 warmup=20 connections=32 rounds=2 smoke=0
root=$(cd "$(dirname "$0")/.." && pwd)
harness=$root/load-tests/harness
gateway_template=$harness/gateway.yaml.template
observed=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --smoke) smoke=1; duration=3; warmup=2; rounds=1; shift ;;
    --gateway-template) gateway_template=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --observed) observed=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$duration" "$warmup" "$connections" "$rounds"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "not a whole number: $n" >&2; exit 2; }
done
[ "$duration" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$connections" -ge 1 ] || { echo "duration, rounds and connections must be >= 1" >&2; exit 2; }

jar=$root/gateway/target/tollgate.jar
for tool in wrk nginx java curl awk; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk nginx-light; a JDK 17)" >&2; exit 2; }
done
if [ ! -f "$jar" ]; then
  echo "building $jar"
  (cd "$root" && mvn -B -q -DskipTests package)
fi

started=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-load.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ] && [ -f "$work/gateway.log" ]; then
    echo "--- last lines of the gateway log ($work/gateway.log, kept) ---" >&2
    tail -n 30 "$work/gateway.log" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# Six distinct free ports on 127.0.0.1.
ports=()
while [ ${#ports[@]} -lt 6 ]; do
  p=$((20000 + RANDOM % 30000))
  [[ " ${ports[*]} " == *" $p "* ]] && continue
  (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
  ports+=("$p")
done
upstream_port=${ports[0]} proxy_port=${ports[1]} gateway_port=${ports[2]} admin_port=${ports[3]}
obs_port=${ports[4]} obs_admin_port=${ports[5]}

# A ~1 KiB tools/call result, as the MCP server stand-in serves it (no quote, '#' or '&' inside: it goes
# through sed into an nginx single-quoted string).
body='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"'$(printf 'x%.0s' $(seq 1 940))'"}],"isError":false}}'

# --- nginx: upstream + reference proxy -------------------------------------------------------------
mkdir -p "$work"/{client_body,proxy,fastcgi,uwsgi,scgi,logs}
sed -e "s#@WORK@#$work#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" -e "s#@PROXY_PORT@#$proxy_port#g" -e "s#@BODY@#$body#" \
  "$harness/nginx.conf.template" > "$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" 2>>"$work/nginx-error.log" &
nginx_pid=$!
pids+=("$nginx_pid")

# --- Tollgate ----------------------------------------------------------------------------------------
sed -e "s#@GATEWAY_PORT@#$gateway_port#g" -e "s#@ADMIN_PORT@#$admin_port#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" \
  "$gateway_template" > "$work/gateway.yaml"
cp -r "$harness/policies" "$work/policies"
gateway_started=$(date +%s%N)
# shellcheck disable=SC2086 # TOLLGATE_JAVA_OPTS is a list of options
java ${TOLLGATE_JAVA_OPTS:-} -jar "$jar" run --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
if [ "$observed" = 1 ]; then
  # Same gateway, plus tracing exported over OTLP/HTTP (nginx's upstream server accepts /v1/traces) and
  # the audit log writing every decision with its arguments.
  mkdir -p "$work/obs"
  cp -r "$harness/policies" "$work/obs/policies"
  sed -e "s#@GATEWAY_PORT@#$obs_port#g" -e "s#@ADMIN_PORT@#$obs_admin_port#g" -e "s#@UPSTREAM_PORT@#$upstream_port#g" \
    "$harness/gateway-observed.yaml.template" > "$work/obs/gateway.yaml"
  # shellcheck disable=SC2086
  OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$upstream_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    java ${TOLLGATE_JAVA_OPTS:-} -jar "$jar" run --config "$work/obs/gateway.yaml" >"$work/obs/gateway.log" 2>&1 &
  obs_pid=$!
  pids+=("$obs_pid")
fi

post() { # url outfile -> http status; the body goes to outfile, the headers to outfile.headers
  curl -s -o "$2" -D "$2.headers" -w '%{http_code}' "$1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \
    --data-binary '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}' 2>/dev/null || true
}
wait_until() { # description pid seconds command...: polls the command every 0.1 s
  local what=$1 pid=$2 limit=$3 deadline=$((SECONDS + $3)); shift 3
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || fail "$what: the process exited"
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not ready after ${limit}s"
    sleep 0.1
  done
}
status_is() { [ "$(post "$1" "$work/probe")" = 200 ]; }
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin_port/readyz" 2>/dev/null)" = 200 ]; }

wait_until "nginx upstream" "$nginx_pid" 10 status_is "http://127.0.0.1:$upstream_port/mcp"
wait_until "nginx proxy" "$nginx_pid" 10 status_is "http://127.0.0.1:$proxy_port/mcp"
wait_until "tollgate /readyz" "$gateway_pid" 60 ready
startup_ms=$(( ($(date +%s%N) - gateway_started) / 1000000 ))
obs_ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$obs_admin_port/readyz" 2>/dev/null)" = 200 ]; }
[ "$observed" = 1 ] && wait_until "tollgate-obs /readyz" "$obs_pid" 60 obs_ready

declare -A url=(
  [direct]="http://127.0.0.1:$upstream_port/mcp"
  [nginx-proxy]="http://127.0.0.1:$proxy_port/mcp"
  [tollgate]="http://127.0.0.1:$gateway_port/mcp"
  [tollgate-obs]="http://127.0.0.1:$obs_port/mcp"
)
targets=(direct nginx-proxy tollgate)
[ "$observed" = 1 ] && targets+=(tollgate-obs)

# --- correctness before load: every target answers 200 with the upstream's bytes ---------------------
printf '%s' "$body" > "$work/expected"
for t in "${targets[@]}"; do
  code=$(post "${url[$t]}" "$work/answer-$t")
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
run_wrk() { # target seconds phase -> "rps p50 p90 p99 socket-errors"
  local out
  out=$(wrk -t1 -c"$connections" -d"$2"s --latency -s "$harness/tools-call.lua" "${url[$1]}" 2>&1) \
    || { echo "$out" >&2; fail "wrk against $1 failed"; }
  printf '### %s %s %ss\n%s\n' "$3" "$1" "$2" "$out" >>"$work/wrk.log"
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "$out" >&2; fail "$1 answered non-2xx responses ($3)"
  fi
  local rps p50 p90 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p90=$(to_ms "$(awk '$1=="90%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  # "Socket errors: connect 0, read 0, write 0, timeout 0" is printed only when there were some.
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
  if [ -z "$rps" ] || ! awk -v r="$rps" 'BEGIN { exit !(r > 0) }'; then
    echo "$out" >&2; fail "$1 served no requests ($3)"
  fi
  echo "$rps $p50 $p90 $p99 ${errors:-0}"
}

echo "ports: upstream $upstream_port, nginx proxy $proxy_port, tollgate $gateway_port (admin $admin_port); tollgate ready in ${startup_ms} ms"
echo "warm-up ${warmup}s per target, then $rounds round(s) x ${duration}s per target, order rotated each round; wrk -t1 -c$connections"
if [ "$warmup" -gt 0 ]; then
  for t in "${targets[@]}"; do run_wrk "$t" "$warmup" warmup >/dev/null; done
fi
declare -A samples
for r in $(seq 1 "$rounds"); do
  for i in "${!targets[@]}"; do
    t=${targets[$(( (i + r - 1) % ${#targets[@]} ))]}
    sample=$(run_wrk "$t" "$duration" "round$r") || exit 1
    samples[$t]+="$sample"$'\n'
    read -r rps p50 _ p99 errors <<<"$sample"
    printf '  round %d %-12s %10.0f req/s  p50 %6.3f ms  p99 %7.3f ms  socket errors %s\n' "$r" "$t" "$rps" "$p50" "$p99" "$errors"
  done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column_median() { printf '%s' "${samples[$1]}" | awk -v c="$2" '{print $c}' | median; }
column_sum() { printf '%s' "${samples[$1]}" | awk -v c="$2" '{ s += $c } END { print s + 0 }'; }
round_ratios() { # a b -> "r1 r2 ..." of a/b req/s per round
  paste -d' ' <(printf '%s' "${samples[$1]}" | awk '{print $1}') <(printf '%s' "${samples[$2]}" | awk '{print $1}') \
    | awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 / $2 }'
}

# Log lines at WARN/ERROR (also logback's own "|-WARN" status lines) and stack traces.
problem_pattern='\|-(WARN|ERROR)|\b(WARN|ERROR)\b[]: ]|Exception|^\s+at '
gateway_problems=$(grep -Ec "$problem_pattern" "$work/gateway.log" || true)
mkdir -p "$root/load-tests/results"
report=$root/load-tests/results/latest.txt
{
  echo "# $(date -u +%FT%TZ)  $(nproc) cores  commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo '+dirty')  jar built $(date -u -r "$jar" +%FT%TZ)  $(java -version 2>&1 | head -n 1)"
  echo "# wrk -t1 -c$connections, POST tools/call, warm-up ${warmup}s, $rounds round(s) x ${duration}s, medians over rounds$([ "$smoke" = 1 ] && echo ' (SMOKE RUN: figures meaningless)')"
  printf '%-12s %12s %9s %9s %9s %13s  %s\n' target req/s p50_ms p90_ms p99_ms socket_errors "req/s per round"
  for t in "${targets[@]}"; do
    printf '%-12s %12.0f %9.3f %9.3f %9.3f %13s  %s\n' "$t" "$(column_median "$t" 1)" "$(column_median "$t" 2)" \
      "$(column_median "$t" 3)" "$(column_median "$t" 4)" "$(column_sum "$t" 5)" \
      "$(printf '%s' "${samples[$t]}" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }')"
  done
  d=$(column_median direct 1) n=$(column_median nginx-proxy 1) g=$(column_median tollgate 1)
  awk -v g="$g" -v d="$d" -v n="$n" 'BEGIN {
    printf "ratio tollgate/direct      = %.2f\n", g / d
    printf "ratio tollgate/nginx-proxy = %.2f   (goal 1.00; a bare parse-only Vert.x proxy measured 0.84)\n", g / n
    printf "ratio nginx-proxy/direct   = %.2f\n", n / d }'
  echo "per round tollgate/nginx-proxy: $(round_ratios tollgate nginx-proxy)"
  if [ "$observed" = 1 ]; then
    o=$(column_median tollgate-obs 1)
    awk -v o="$o" -v g="$g" -v op99="$(column_median tollgate-obs 4)" -v gp99="$(column_median tollgate 4)" 'BEGIN {
      printf "ratio tollgate-obs/tollgate = %.2f req/s, p99 %.2fx   (tracing exported over OTLP + audit log on, against both off)\n", o / g, op99 / gp99 }'
    echo "per round tollgate-obs/tollgate: $(round_ratios tollgate-obs tollgate); audit lines written: $(cat "$work"/obs/audit/*.jsonl 2>/dev/null | wc -l)"
  fi
  echo "load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?) (above ~2.5 before, something else was competing for the cores)"
  echo "tollgate: ready ${startup_ms} ms after start; ${gateway_problems} ERROR/WARN/Exception line(s) in its log"
} | tee "$report"
# latest.txt is overwritten by every run; a dated copy keeps the full runs from being lost to a smoke run.
cp "$report" "$root/load-tests/results/$(date -u +%Y%m%dT%H%M%SZ)$([ "$smoke" = 1 ] && echo -smoke).txt"
if [ "$gateway_problems" -gt 0 ]; then
  echo "--- first ERROR/WARN/Exception lines of the gateway log ---"
  grep -E "$problem_pattern" "$work/gateway.log" | head -n 10
fi
echo "wrote $report ($((SECONDS - started)) s)"
[ "$smoke" = 1 ] && echo "smoke run passed"
exit 0
