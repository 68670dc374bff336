#!/usr/bin/env python3
"""Writes load-tests/REPORT.md from the tab-separated files report.sh's runs left in load-tests/report/.

Usage: write-report.py REPORT_DIR REPORT_MD MACHINE COMMIT DATE LOAD_BEFORE LOAD_AFTER QUICK SETTINGS
Missing files leave their section saying so; goals without the numbers to judge them say "not measured".
"""
import os
import sys

out_dir, report_md, machine, commit, date, load_before, load_after, quick, settings = sys.argv[1:10]


def rows(name):
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def fmt(value, pattern="{:.2f}"):
    return "–" if value is None else pattern.format(value)


throughput = {r[0]: r for r in rows("throughput.tsv")}
observers = rows("observers.tsv")
latency = rows("latency.tsv")
gc = {(r[0], r[1]): r[2] for r in rows("latency-gc.tsv")}
sse = rows("sse.tsv")
# The kernel's listen overflow and dropped-handshake counts during each SSE run, in the order of sse.tsv's rows.
sse_kernel = {}
for r in rows("sse-kernel.tsv"):
    sse_kernel.setdefault((r[0], r[1]), []).append(r[2] + " / " + r[3])
rps = {t: num(r[1]) for t, r in throughput.items()}
nginx, plain, full = rps.get("nginx-proxy"), rps.get("tollgate"), rps.get("tollgate-full")
p99 = {(r[0], r[1]): num(r[6]) for r in latency}
# latency.sh with --rounds writes the median over the rounds of the p99 added over the same round's direct run
# (column 10) and every round's p99 (column 11); older files have neither.
added_median = {(r[0], r[1]): num(r[9]) for r in latency if len(r) > 9 and r[9]}
p99_rounds = {(r[0], r[1]): r[10] for r in latency if len(r) > 10}


def p99_added(target, rate):
    if (target, rate) in added_median:
        return added_median[(target, rate)]
    if (target, rate) in p99 and ("direct", rate) in p99:
        return p99[(target, rate)] - p99[("direct", rate)]
    return None


def ratio(a, b):
    return None if a is None or not b else a / b


goals = []


def goal(text, measured, met):
    goals.append((text, measured, "not measured" if met is None else ("**met**" if met else "**not met**")))


# What a JVM proxy doing no work of its own reaches against nginx in the same run: the floor the throughput goals
# are read against (netty-bare: Netty alone; vertx-bare: Vert.x on it).
proxy_floor = ", ".join(f"{t} {ratio(rps.get(t), nginx):.2f}x" for t in ("netty-bare", "vertx-bare") if ratio(rps.get(t), nginx) is not None)
same_run = f" (same run: {proxy_floor})" if proxy_floor else ""
full_vs_nginx = ratio(full, nginx)
goal("full pipeline >= 1.0x nginx proxy_pass (0.8x at the very least)", fmt(full_vs_nginx, "{:.2f}x") + same_run,
     None if full_vs_nginx is None else full_vs_nginx >= 1.0)
plain_vs_nginx = ratio(plain, nginx)
goal("plain >= 1.0x nginx proxy_pass", fmt(plain_vs_nginx, "{:.2f}x") + same_run, None if plain_vs_nginx is None else plain_vs_nginx >= 1.0)
cost = None if ratio(full, plain) is None else 1 - full / plain
goal("full pipeline costs <= 15% of plain's throughput (1 - full/plain)", fmt(cost and cost * 100, "{:.0f}%") if cost is not None else "–",
     None if cost is None else cost <= 0.15)
# What any proxy hop adds on this VM, in the same rounds: the floor the 0.5 ms goal is read against.
hop_floor = ", ".join(f"{t} {p99_added(t, '1000'):+.3f} ms" for t in ("nginx-proxy", "netty-bare", "vertx-bare") if p99_added(t, "1000") is not None)
for target in ("tollgate-full", "tollgate"):
    added = p99_added(target, "1000")
    goal(f"p99 added over direct at 1,000 calls/s <= 0.5 ms ({target})",
         fmt(added, "{:+.3f} ms") + (f" (same rounds: {hop_floor})" if added is not None and hop_floor else ""),
         None if added is None else added <= 0.5)
gateway_sse = [r for r in sse if r[0] not in ("direct", "vertx-bare")]
at_8000 = [r for r in gateway_sse if r[1] == "8000"]


def all_in_seconds(r):
    all_in = num(r[5])
    return fmt(all_in and all_in / 1000, '{:.1f} s') if all_in else 'NOT ALL'


# The same streams through a bare Vert.x proxy (default heap) in the same run: the floor the SSE goals are read against.
sse_floor = next((r for r in sse if r[0] == "vertx-bare" and r[1] == "8000"), None)
if at_8000:
    for r in at_8000:
        how = "JVM default heap" if r[0] == "tollgate" else ("-Xmx256m" if r[0] == "tollgate-heap256" else r[0])
        all_in = num(r[5])
        goal(f"8,000 SSE streams: every first event within 10 s ({how})",
             f"{r[3]} of {r[1]} streams, all in {all_in_seconds(r)}"
             + (f" (same run: vertx-bare all in {all_in_seconds(sse_floor)})" if sse_floor else ""),
             all_in is not None and int(r[4]) == 0 and all_in <= 10_000)
        goal(f"8,000 SSE streams: RSS <= 400 MB ({how})", f"{r[9]} MB at peak"
             + (f" (same run: vertx-bare {sse_floor[9]} MB, default heap)" if sse_floor else ""), num(r[9]) <= 400)
else:
    largest = max(gateway_sse, key=lambda r: int(r[1]), default=None)
    note = f"not run at 8,000 (largest: {largest[1]} streams, {largest[9]} MB)" if largest else "–"
    goal("8,000 SSE streams: every first event within 10 s", note, None)
    goal("8,000 SSE streams: RSS <= 400 MB", note, None)
def drops_zero(metrics):
    """True when every drop/lost metric the gateway exposed ("name=value ...") is 0."""
    values = [num(part.rsplit("=", 1)[-1]) for part in metrics.split() if "=" in part]
    return all(v == 0 for v in values)


full_obs = [o for o in observers if o[0] == "tollgate-full"]
if full_obs:
    o = full_obs[0]
    goal("nothing lost (tollgate-full): SERVER spans = calls, audit lines = calls, drop metrics 0",
         f"calls {o[2]}, SERVER spans {o[3]}, audit lines {o[5]}; {o[6]}; {o[7]}", o[6] == "ok" and drops_zero(o[7]))
else:
    goal("nothing lost (tollgate-full): SERVER spans = calls, audit lines = calls, drop metrics 0", "–", None)

md = []
add = md.append
add("# Load test report")
add("")
add(f"Generated by `load-tests/report.sh` on {date}, commit `{commit}`.  ")
add(f"Machine: {machine}.  ")
add(f"Load average before: {load_before}; after: {load_after} (on 2 cores, above ~2.5 before means something else was competing).  ")
add(f"Settings: {settings}.")
if quick == "1":
    add("")
    add("> **QUICK RUN** (`--quick`): short runs without JIT warm-up prove the pipeline only; the figures are meaningless.")
add("")
add("How to read every figure, and the method's limits: [README.md](README.md#end-to-end-harness).")
add("")
add("## Goals (issue 15)")
add("")
add("| goal | measured | |")
add("|---|---|---|")
for text, measured, met in goals:
    add(f"| {text} | {measured} | {met} |")
add("")
add("## Throughput per configuration")
add("")
if throughput:
    add("wrk -t1 -c32, MCP `tools/call` with a 1 KiB answer; medians over rounds; ratios of req/s measured in the same run. "
        "Gateway CPU per call: the gateway process's user + system time during the measured runs (`/proc/<pid>/stat`) "
        "divided by the calls, every thread included (event loops, span export, audit writer); it moves less between "
        "runs than req/s, which the two cores shared with wrk and nginx make noisy.")
    add("")
    add("| configuration | req/s | p50 ms | p99 ms | vs nginx-proxy | vs tollgate (plain) | gateway CPU µs per call | req/s per round |")
    add("|---|---:|---:|---:|---:|---:|---:|---|")
    for t, r in throughput.items():
        cpu = r[6] if len(r) > 6 and r[6] not in ("", "-") else None
        add(f"| {t} | {num(r[1]):,.0f} | {r[2]} | {r[4]} | {fmt(ratio(num(r[1]), nginx))} | {fmt(ratio(num(r[1]), plain))} | "
            f"{fmt(num(cpu), '{:.1f}') if cpu else '–'} | {r[5]} |")
    add("")
    if cost is not None:
        add(f"Full pipeline cost vs plain (1 - full/plain): **{cost * 100:.0f}%**.")
        add("")
    add("![throughput per configuration](report/throughput.png)")
else:
    add("Not measured in this run.")
add("")
add("## Nothing lost on the way (observers)")
add("")
if observers:
    add("calls (wrk): requests wrk completed in every run of the target, warm-up included, plus the probe; gateway: its own "
        "`tollgate_requests_total` (also counts the calls in flight when wrk stopped, so it is the figure compared); "
        "SERVER spans: counted by the OTLP receiver (one per call); audit lines: lines in the audit files.")
    add("")
    add("| configuration | calls (wrk) | calls (gateway) | SERVER spans | all spans | audit lines | verdict | gateway's drop metrics |")
    add("|---|---:|---:|---:|---:|---:|---|---|")
    for o in observers:
        add(f"| {o[0]} | {o[1]} | {o[2]} | {o[3]} | {o[4]} | {o[5]} | {o[6]} | {o[7]} |")
else:
    add("Not measured in this run.")
add("")
add("## Latency at a fixed rate (open loop)")
add("")
if latency:
    add("Each call's latency is measured from its intended send time (start + i/rate), so a stall counts for every call "
        "scheduled during it. p99 added = p99(configuration) - p99(direct), same client; with several rounds, each "
        "target is compared with the direct run of the same round and the median over the rounds is shown, with the "
        "row of the round whose p99 is the median (every round's p99 in the last column). GC: the gateway's pauses "
        "from its `-Xlog:gc*` log during that rate's runs.")
    for rate in sorted({r[1] for r in latency}, key=int):
        add("")
        add(f"### {int(rate):,} calls/s")
        add("")
        add("| configuration | calls | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 added over direct | GC during the runs | p99 per round |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for r in latency:
            if r[1] != rate:
                continue
            added_text = "–" if r[0] == "direct" else fmt(p99_added(r[0], rate), "{:+.3f} ms")
            add(f"| {r[0]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | {r[8]} | {added_text} | {gc.get((r[0], rate), '–')} "
                f"| {p99_rounds.get((r[0], rate), '–')} |")
        add("")
        add(f"![latency at {rate} calls/s](report/latency-{rate}.png)")
else:
    add("Not measured in this run.")
add("")
add("## SSE scale")
add("")
if sse:
    add("N concurrent `tools/call` streams, one connection each; time to first event from the start of the run (connects "
        "included); RSS of the process that holds the streams (the upstream for `direct`, the gateway otherwise), sampled "
        "every 100 ms.")
    add("")
    add("The last column is the kernel's count, during the run, of full accept queues and of handshakes it dropped "
        "(`TcpExtListenOverflows` / `TcpExtListenDrops`, every listener on the machine): a client whose handshake was "
        "dropped waits on TCP retransmits and looks, from outside, like a stream the gateway stalled.")
    add("")
    add("| target | streams | connected | with first event | none after timeout | all first events in (ms) | p50 ms | p99 ms | RSS before MB | RSS peak MB | KB per stream | listen overflows / drops |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sse:
        kernel = sse_kernel.get((r[0], r[1]), [])
        add("| " + " | ".join(r[:11]) + " | " + (kernel.pop(0) if kernel else "–") + " |")
    add("")
    add("![RSS by stream count](report/sse-rss.png)")
else:
    add("Not measured in this run.")
add("")
add("## CPU per call, by thread and by layer")
add("")
cpu_profiles = [(t, os.path.join(out_dir, f"cpu-{t}.md")) for t in ("tollgate", "tollgate-full")]
if any(os.path.exists(path) for _, path in cpu_profiles):
    add("async-profiler's CPU samples (one per millisecond of CPU time, kernel frames included) divided by the calls "
        "made while sampling: where a call's CPU goes, whichever thread spends it. The frame tables are in "
        "`report/cpu-<target>.md` (`load-tests/profile.sh --cpu --target <target>`).")
    add("")
    for t, path in cpu_profiles:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read()
        add(f"### `{t}`")
        add("")
        # The header lines and the two summary tables; the frame tables stay in the file.
        add(text.split("**The gateway's own frames")[0].rstrip())
        add("")
else:
    add("Not measured in this run (`load-tests/report.sh --skip throughput,latency,sse` runs only this step).")
add("")
add("## Profile")
add("")
profile = os.path.join(out_dir, "profile.md")
if os.path.exists(profile):
    with open(profile) as f:
        add(f.read().rstrip())
else:
    add("No profile yet: write `load-tests/report/profile.md` (top frames and allocation sites of the full pipeline at "
        "saturation) and rerun `load-tests/report.sh --skip throughput,latency,sse` to include it.")
add("")
add("Raw outputs of this run: `report/throughput.txt`, `report/latency.txt`, `report/sse.txt`, GC logs `report/gc-*.log`.")
with open(report_md, "w") as f:
    f.write("\n".join(md) + "\n")
