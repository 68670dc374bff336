# Shared by run.sh, latency.sh, profile.sh, sse-scale.sh and slow-clients.sh (sourced, not run): free ports, nginx, the gateway
# configurations of every target, AXID tokens, the counting OTLP receiver, observer counts.
# Expects: $root (repository), $work (scratch directory), $harness (this directory), an array `pids`
# whose members the caller's EXIT trap stops, and a `fail` function.

jar=${jar:-$root/gateway/target/tollgate.jar}
bench_jar=$root/load-tests/target/benchmarks.jar

# Every configuration the harness knows, in report order. direct and nginx-proxy are nginx; the rest are
# Tollgate with the features named by tg_features.
all_targets=(direct nginx-proxy vertx-bare netty-bare tollgate tollgate-full tollgate-rules100 tollgate-axid tollgate-otlp tollgate-otlp-sampled tollgate-audit-full tollgate-audit-digest tollgate-results tollgate-noaccess)
basic_targets=(direct nginx-proxy tollgate)

# A target with the suffix @prev (e.g. tollgate-full@prev) is the same configuration run by the jar named in
# TOLLGATE_PREV_JAR, with TOLLGATE_PREV_JAVA_OPTS instead of TOLLGATE_JAVA_OPTS when that is set, and by the java
# binary TOLLGATE_PREV_JAVA when that is set: an A/B of two builds, of two JVM settings or of two JVMs (the same jar
# twice), alternated in one run.
tg_features() { # target -> space-separated features: rules100 axid otlp audit-full audit-digest
  if [[ "$1" == *@prev ]]; then
    [ -n "${TOLLGATE_PREV_JAR:-}" ] || { echo "target $1 needs TOLLGATE_PREV_JAR" >&2; return 1; }
    tg_features "${1%@prev}"
    return
  fi
  case "$1" in
    tollgate) echo "" ;;
    tollgate-full) echo "rules100 axid otlp audit-full" ;;
    tollgate-rules100) echo "rules100" ;;
    tollgate-axid) echo "axid" ;;
    tollgate-otlp) echo "otlp" ;;
    tollgate-otlp-sampled) echo "otlp sample10" ;;   # telemetry.sample-allowed: 0.1 (denials, errors always exported)
    tollgate-audit-full) echo "audit-full" ;;
    tollgate-audit-digest) echo "audit-digest" ;;
    tollgate-results) echo "results" ;;       # result rules: every tool result read by the five shipped detectors
    tollgate-noaccess) echo "noaccess" ;;     # telemetry.access-log: false (what the default access log costs)
    tollgate-heap256) echo "heap256" ;;       # plain, with the heap sized for 8,000 SSE streams (-Xmx256m; see README)
    tollgate-obs) echo "otlp audit-full" ;;   # run.sh --observed, kept for compatibility
    # The full pipeline less one feature: what each costs in combination (the features alone add up to less).
    tollgate-full-no-rules) echo "axid otlp audit-full" ;;
    tollgate-full-no-axid) echo "rules100 otlp audit-full" ;;
    tollgate-full-no-otlp) echo "rules100 axid audit-full" ;;
    tollgate-full-no-audit) echo "rules100 axid otlp" ;;
    *) return 1 ;;
  esac
}
round_position() { # round index count -> which target (0-based) runs at position index of round (1-based): rotated
  # every other round, every even round the one before reversed, so that each pair of targets runs in both orders
  # equally often (the second of two back-to-back runs has a ~4 % edge on this VM: an A/A run of one jar)
  local r=$1 j=$2 n=$3
  [ $(( r % 2 )) = 0 ] && j=$(( n - 1 - j ))
  echo $(( (j + (r - 1) / 2) % n ))
}
is_gateway() { [[ "$1" == tollgate* ]]; }
has_feature() { [[ " $(tg_features "$1") " == *" $2 "* ]]; }

free_ports() { # n -> n distinct free ports on 127.0.0.1, space-separated, none in $used_ports
  # Picked below the kernel's ephemeral range: a port inside it can be free when checked and then taken as the local
  # port of an outgoing connection (wrk's, the gateway's to its upstream) before the server meant for it binds it.
  local n=$1 got=() p low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  [ "$low" -gt 12000 ] || fail "free_ports: the ephemeral port range starts at $low; no room below it for servers"
  while [ ${#got[@]} -lt "$n" ]; do
    p=$((10000 + RANDOM % (low - 10000)))
    [[ " ${got[*]} ${used_ports:-} " == *" $p "* ]] && continue
    (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    got+=("$p")
  done
  used_ports="${used_ports:-} ${got[*]}"
  echo "${got[*]}"
}

post() { # url outfile [axid] -> http status; the body goes to outfile, the headers to outfile.headers
  local axid=()
  [ -n "${3:-}" ] && axid=(-H "X-Waxell-AXID: $3")
  curl -s -o "$2" -D "$2.headers" -w '%{http_code}' "$1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' "${axid[@]}" \
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
tcp_listening() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = 200 ]; }

ensure_bench_jar() {
  [ -f "$bench_jar" ] || (cd "$root" && mvn -B -q -DskipTests -DskipNpm=true package -pl gateway,load-tests -am) \
    || fail "could not build $bench_jar"
}

# --- nginx: upstream + reference proxy --------------------------------------------------------------
# A ~1 KiB tools/call result, as the MCP server stand-in serves it (no quote, '#' or '&' inside: it goes
# through sed into an nginx single-quoted string).
body='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"'$(printf 'x%.0s' $(seq 1 940))'"}],"isError":false}}'
start_nginx() { # upstream_port proxy_port; sets nginx_pid
  mkdir -p "$work"/{client_body,proxy,fastcgi,uwsgi,scgi,logs}
  sed -e "s#@WORK@#$work#g" -e "s#@UPSTREAM_PORT@#$1#g" -e "s#@PROXY_PORT@#$2#g" -e "s#@BODY@#$body#" \
    "$harness/nginx.conf.template" > "$work/nginx.conf"
  nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" 2>>"$work/nginx-error.log" &
  nginx_pid=$!
  pids+=("$nginx_pid")
  wait_until "nginx upstream" "$nginx_pid" 10 status_200 "http://127.0.0.1:$1/mcp"
  wait_until "nginx proxy" "$nginx_pid" 10 status_200 "http://127.0.0.1:$2/mcp"
}
status_200() { [ "$(post "$1" "$work/probe")" = 200 ]; }

# --- AXID ---------------------------------------------------------------------------------------------
axid_keys() { # creates $work/keys once (dev-keys)
  [ -f "$work/keys/axid.jwks.json" ] || java -jar "$jar" dev-keys --out "$work/keys" >/dev/null || fail "tollgate dev-keys failed"
}
mint_axid() { # -> writes a fresh token (5 minutes) to $work/axid-token and prints nothing
  axid_keys
  java -jar "$jar" token --key "$work/keys/axid-private.jwk.json" --tenant bench --agent load --run run-1 \
    --sub bench-user --parent none --tree tree-1 > "$work/axid-token.new" || fail "tollgate token failed"
  mv "$work/axid-token.new" "$work/axid-token"
}

# --- the counting OTLP receiver ---------------------------------------------------------------------------
start_span_counter() { # sets otlp_port, counter_pid
  ensure_bench_jar
  rm -f "$work/otlp-port"
  # OTLP_COUNTER_JAVA_OPTS="-Dotlp.h2c=true": accept HTTP/2 cleartext, as the Collector does not by default.
  java -Xmx512m -XX:+UseParallelGC ${OTLP_COUNTER_JAVA_OPTS:-} -cp "$bench_jar" dev.tollgate.bench.OtlpSpanCounter --port-file "$work/otlp-port" \
    >"$work/otlp-counter.log" 2>&1 &
  counter_pid=$!
  pids+=("$counter_pid")
  wait_until "OTLP span counter" "$counter_pid" 30 test -s "$work/otlp-port"
  otlp_port=$(cat "$work/otlp-port")
}
span_counts() { curl -s "http://127.0.0.1:$otlp_port/counts"; }
span_count() { # target [kind] -> spans received for the target (of that kind, e.g. SERVER), 0 if none
  span_counts | python3 -c 'import json,sys; c=json.load(sys.stdin).get(sys.argv[1],{}); print(c.get("kinds",{}).get(sys.argv[2],0) if len(sys.argv)>2 else c.get("spans",0))' "$@"
}

# --- the gateway ------------------------------------------------------------------------------------------
# Writes $work/<target>/gateway.yaml for a target: the bench route to the nginx upstream (or $2), plus the
# target's features. Extra route lines (e.g. concurrency limits) come from $route_extra.
gateway_yaml() { # target upstream_url port admin_port [template]
  local t=$1 upstream=$2 port=$3 admin=$4 template=${5:-} dir=$work/$1 policy=bench
  mkdir -p "$dir/policies"
  cp "$harness/policies/"*.yaml "$dir/policies/"
  if [ -n "$template" ]; then
    sed -e "s#@GATEWAY_PORT@#$port#g" -e "s#@ADMIN_PORT@#$admin#g" -e "s#http://127.0.0.1:@UPSTREAM_PORT@/mcp#$upstream#g" \
      "$template" > "$dir/gateway.yaml"
    return
  fi
  if has_feature "$t" rules100; then
    "$harness/gen-rules100.sh" > "$dir/policies/rules100.yaml"
    policy=rules100
  fi
  has_feature "$t" results && policy=results
  {
    echo "# generated by load-tests/harness/lib.sh for target $t (features: $(tg_features "$t"))"
    echo "listeners: [{name: public, host: 127.0.0.1, port: $port}]"
    echo "admin: {host: 127.0.0.1, port: $admin}"
    echo "policies: {directory: policies}"
    if has_feature "$t" axid; then
      axid_keys
      echo "identity: {axid: {jwks-file: $work/keys/axid.jwks.json, issuer: dev, audience: tollgate}}"
    fi
    if has_feature "$t" otlp; then
      if has_feature "$t" sample10; then echo "telemetry: {traces-exporter: otlp, sample-allowed: 0.1}"
      else echo "telemetry: {traces-exporter: otlp}"; fi
    fi
    if has_feature "$t" noaccess; then echo "telemetry: {access-log: false}"; fi
    # when-full: drop, so an overloaded writer shows as dropped records (counted) instead of 503s that stop wrk.
    if has_feature "$t" audit-full; then echo "audit: {directory: audit, arguments: full, when-full: drop}"; fi
    if has_feature "$t" audit-digest; then echo "audit: {directory: audit, arguments: digest, when-full: drop}"; fi
    echo "routes:"
    echo "  - name: bench"
    echo "    path: /mcp"
    echo "    protocol: mcp"
    echo "    upstream: $upstream"
    echo "    policy: $policy"
    if [ -n "${route_extra:-}" ]; then printf '%s\n' "$route_extra"; fi
  } > "$dir/gateway.yaml"
}

declare -A gw_pid gw_port gw_admin gw_started_ms
is_bare_proxy() { [ "$1" = vertx-bare ] || [ "$1" = netty-bare ]; }
start_bare_proxy() { # target upstream_url [extra JVM options...]: starts a floor under the gateway (vertx-bare: a bare Vert.x
  # proxy; netty-bare: the same on Netty alone), sets gw_pid/gw_port[target]. With bare_stream_pool=N (sse-scale.sh),
  # vertx-bare pools up to N upstream connections and is ready once it listens: its upstream answers only streams.
  local t=$1 upstream=$2 class pool=()
  shift 2
  [ -n "${bare_stream_pool:-}" ] && pool=("$bare_stream_pool")
  case "$t" in
    vertx-bare) class=dev.tollgate.bench.BareVertxProxy ;;
    netty-bare) class=dev.tollgate.bench.BareNettyProxy ;;
    *) fail "no bare proxy named $t" ;;
  esac
  ensure_bench_jar
  read -r "gw_port[$t]" <<<"$(free_ports 1)"
  # shellcheck disable=SC2086 # the gateways' JVM options, word-split as start_gateway does
  java ${TOLLGATE_JAVA_OPTS:-} "$@" -cp "$bench_jar" "$class" "${gw_port[$t]}" "$upstream" "${pool[@]}" >"$work/$t.log" 2>&1 &
  gw_pid[$t]=$!
  pids+=("${gw_pid[$t]}")
  if [ ${#pool[@]} -gt 0 ]; then
    wait_until "$t proxy" "${gw_pid[$t]}" 20 tcp_listening "${gw_port[$t]}"
  else
    wait_until "$t proxy" "${gw_pid[$t]}" 20 status_200 "http://127.0.0.1:${gw_port[$t]}/mcp"
  fi
}
start_gateway() { # target upstream_url [template] [extra JVM options...]: starts it, returns once /readyz is 200
  local t=$1 upstream=$2 template=${3:-} ports env=()
  shift 3 || shift $#
  read -r -a ports <<<"$(free_ports 2)"
  gw_port[$t]=${ports[0]} gw_admin[$t]=${ports[1]}
  gateway_yaml "$t" "$upstream" "${ports[0]}" "${ports[1]}" "$template"
  if has_feature "$t" otlp; then
    # Each gateway exports to its own path of the one counting receiver, which counts per path.
    env=(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$otlp_port/v1/traces/$t" OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf)
  fi
  local started target_jar=$jar java_opts=${TOLLGATE_JAVA_OPTS:-} java_bin=java
  if [[ "$t" == *@prev ]]; then
    target_jar=$TOLLGATE_PREV_JAR
    java_opts=${TOLLGATE_PREV_JAVA_OPTS-$java_opts}
    java_bin=${TOLLGATE_PREV_JAVA:-java}
  fi
  local sized=()
  has_feature "$t" heap256 && sized=(-Xmx256m)
  started=$(date +%s%N)
  # shellcheck disable=SC2086 # the JVM options and TOLLGATE_RUN_ARGS are lists of options
  (cd "$work/$t" && exec env "${env[@]}" "$java_bin" $java_opts "${sized[@]}" "$@" -jar "$target_jar" run --config "$work/$t/gateway.yaml" ${TOLLGATE_RUN_ARGS:-}) \
    >"$work/$t/gateway.log" 2>&1 &
  gw_pid[$t]=$!
  pids+=("${gw_pid[$t]}")
  wait_until "$t /readyz" "${gw_pid[$t]}" 90 http_ok "http://127.0.0.1:${gw_admin[$t]}/readyz"
  gw_started_ms[$t]=$(( ($(date +%s%N) - started) / 1000000 ))
}
stop_gateway() { # target
  local pid=${gw_pid[$1]:-}
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  gw_pid[$1]=""
}

audit_lines() { # target -> lines in its audit files (0 when there are none)
  local files=("$work/$1"/audit/*.jsonl)
  if [ -e "${files[0]}" ]; then cat "${files[@]}" | wc -l; else echo 0; fi
}
drop_metrics() { # target -> the gateway's /metrics lines about dropped/lost spans or records, one line
  { curl -s "http://127.0.0.1:${gw_admin[$1]}/metrics" 2>/dev/null || true; } | { grep -iE 'drop|lost|tollgate_audit_failed' || true; } \
    | { grep -v '^#' || true; } | awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $1, $2 } END { if (NR == 0) printf "none exposed" }'
}
sampled_out() { # target -> spans the gateway left out by telemetry.sample-allowed (tollgate_spans_sampled_out_total), or 0
  { curl -s "http://127.0.0.1:${gw_admin[$1]}/metrics" 2>/dev/null || true; } \
    | awk '/^tollgate_spans_sampled_out_total[{ ]/ { s += $NF } END { printf "%d\n", s }'
}
gateway_calls() { # target -> calls the gateway itself counted (sum of tollgate_requests_total), or 0
  { curl -s "http://127.0.0.1:${gw_admin[$1]}/metrics" 2>/dev/null || true; } \
    | awk '/^tollgate_requests_total[{ ]/ { s += $NF } END { printf "%d\n", s }'
}
wait_observers_settle() { # target: polls spans and audit lines until each reaches the calls the gateway counted, or
  # stops growing for 6 s, longer than the batch processor's 5 s delay before a partial batch leaves (at most 15 s)
  local t=$1 last="" now want n reached deadline=$((SECONDS + 15)) stable=0
  while [ "$SECONDS" -lt "$deadline" ]; do
    want=$(( $(gateway_calls "$t") - ${refused_probes[$t]:-0} ))
    now=""
    has_feature "$t" otlp && now+=" $(( $(span_count "$t" SERVER) + $(sampled_out "$t") ))"
    { has_feature "$t" audit-full || has_feature "$t" audit-digest; } && now+=" $(audit_lines "$t")"
    reached=1
    for n in $now; do [ "$n" -ge "$want" ] || reached=0; done
    [ "$reached" = 1 ] && return 0
    if [ "$now" = "$last" ]; then
      stable=$((stable + 1)); [ "$stable" -ge 12 ] && return 0
    else
      stable=0
    fi
    last=$now
    sleep 0.5
  done
}
gc_summary() { # gc log [from line] -> "pauses N total X ms max Y ms" over the log's lines after the given one
  tail -n +"$(( ${2:-0} + 1 ))" "$1" 2>/dev/null | awk '
    /\[gc *\] GC\([0-9]+\) Pause/ { v = $NF; sub(/ms$/, "", v); n++; s += v; if (v + 0 > m) m = v + 0 }
    END { printf "gc pauses %d total %.1f ms max %.1f ms", n, s, m }'
}
