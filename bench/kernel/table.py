#!/usr/bin/env python3
"""Prints the kernel path table (markdown) from bench/kernel/run.sh's output folder:

  table.py OUT "CALLS ..." FLOOD_CALLS [INSTALL_CALLS_FEW INSTALL_CALLS]

reads OUT/kernel-<relay>.jsonl (the generator's JSON lines: scenarios calls-N for each N and flood-FLOOD_CALLS) and
OUT/install.txt ("<relay> <directions> <mean us> <refused>" from MediaRelay's stop line), then checks issue 9's
targets. A figure that is missing (a run that failed or was skipped) reads "failed"."""
import json
import math
import sys

CONFIG = {"rtpengine": "rtpengine", "MediaRelay": "mediarelay-user", "MediaRelay-kernel": "mediarelay-kernel",
          "bare-kernel": "bare-kernel"}
RELAYS = [("rtpengine", "rtpengine (user space)"), ("MediaRelay", "MediaRelay (user space)"),
          ("MediaRelay-kernel", "MediaRelay (kernel path)"), ("bare-kernel", "bare kernel (no relay)")]


def load(out, relay):
    runs = {}
    try:
        with open(f"{out}/kernel-{relay}.jsonl") as f:
            for line in f:
                try:
                    run = json.loads(line)
                except ValueError:
                    continue
                runs[run["scenario"]] = run
    except OSError:
        pass
    return runs


def num(x, digits=0):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "failed"
    return f"{x:,.{digits}f}"


def us(x):
    if x is None:
        return "failed"
    return num(x, 3 if abs(x) < 0.1 else 2 if abs(x) < 10 else 1)


def main():
    out, calls_list, flood_calls = sys.argv[1], [int(c) for c in sys.argv[2].split()], int(sys.argv[3])
    install_few = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    install_many = int(sys.argv[5]) if len(sys.argv) > 5 else 50
    flood_name = f"flood-{flood_calls}"
    installs = {}
    try:
        with open(f"{out}/install.txt") as f:
            for line in f:
                name, n, mean, refused = line.split()
                installs[name] = (int(n), float(mean), int(refused))
    except OSError:
        pass

    def fig(relay, scenario, key):
        run = data[relay].get(scenario)
        if not run or not run.get("ok"):
            return None
        return run["figures"].get(key)

    data = {relay: load(out, relay) for relay, _ in RELAYS}
    rows = []

    def row(label, render):
        rows.append([label] + [render(relay) for relay, _ in RELAYS])

    for calls in calls_list:
        media_name = f"calls-{calls}"

        def m(r, key, scenario=media_name):
            return fig(r, scenario, key)

        def pair(k1, k2):
            return lambda r: "failed" if m(r, k1) is None else f"{num(m(r, k1))} / {num(m(r, k2))}"

        def loss(r):
            pps = m(r, "pps_each_way")
            return "failed" if pps is None else f"{num(pps)}, {max(m(r, 'a2b_loss_pct') or 0, m(r, 'b2a_loss_pct') or 0):.3g} %"

        def with_pct(key, pct_key):
            return lambda r: "failed" if m(r, key) is None else f"{us(m(r, key))} ({num(m(r, pct_key))} %)"

        def generator_core(r):
            a, b = m(r, "machine_busy_us_per_pkt"), m(r, "relay_core_busy_us_per_pkt")
            return "failed" if a is None or b is None else us(a - b)

        prefix = f"{calls} calls: "
        row(f"**media, {calls} calls**: packets/s each way (asked {calls * 50:,}), loss", loss)
        row(prefix + "CPU window, s (the media run after its warm-up); relay process CPU in the warm-up, s",
            lambda r: "failed" if m(r, "cpu_window_s") is None
            else f"{num(m(r, 'cpu_window_s'), 1)}; {num(m(r, 'relay_cpu_s_warmup'), 2)}")
        row(prefix + "relay process CPU per relayed packet, µs (% of a core) [/proc/PID/stat]",
            with_pct("relay_cpu_us_per_pkt", "relay_cpu_pct"))
        row(prefix + "relay core busy per relayed packet, µs (% busy) [wall − idle, softirq included]",
            with_pct("relay_core_busy_us_per_pkt", "relay_core_busy_pct"))
        row(prefix + "whole machine busy per relayed packet, µs (% of one core) [both cores, wall − idle]",
            with_pct("machine_busy_us_per_pkt", "machine_busy_pct"))
        row(prefix + "of which the generator's core, µs per packet (machine − relay core)", generator_core)
        row(prefix + "latency p50 / p99, µs (at the generator's receive)", pair("latency_p50_us", "latency_p99_us"))
        row(prefix + "kernel-stamped latency p50 / p99, µs", pair("latency_kernel_p50_us", "latency_kernel_p99_us"))

    row(f"**flood, {flood_calls} calls**: best packets/s at < 0.1 % loss", lambda r: num(fig(r, flood_name, "flood_best_pps")))
    row("flood: relay core busy at that rate, % (µs per packet)", lambda r: "failed" if fig(r, flood_name, "flood_relay_core_busy_pct") is None
        else f"{num(fig(r, flood_name, 'flood_relay_core_busy_pct'))} % ({us(fig(r, flood_name, 'flood_relay_core_busy_us_per_pkt'))})")
    row("flood: relay process CPU at that rate, % (µs per packet)", lambda r: "failed" if fig(r, flood_name, "flood_relay_cpu_pct") is None
        else f"{num(fig(r, flood_name, 'flood_relay_cpu_pct'), 1)} % ({us(fig(r, flood_name, 'flood_relay_cpu_us_per_pkt'))})")

    def install_text(name):
        return "failed" if name not in installs else f"{num(installs[name][1])} ({installs[name][0]:,}, {installs[name][2]})"

    # Every mean holds the relay's first install (JIT, the interface list); from two fresh relays with n1 and n2
    # directions: n·mean = first + (n − 1)·later, so later = (n2·m2 − n1·m1) / (n2 − n1).
    few, many = f"MediaRelay-kernel-install-{install_few}", f"MediaRelay-kernel-install-{install_many}"
    later = first = None
    if few in installs and many in installs and installs[many][0] != installs[few][0]:
        (n1, m1, _), (n2, m2, _) = installs[few], installs[many]
        later = (n2 * m2 - n1 * m1) / (n2 - n1)
        first = n1 * m1 - (n1 - 1) * later

    def only_kernel(text):
        return lambda r: text if r == "MediaRelay-kernel" else "n/a"

    row("install of one direction, mean µs (directions, refused), over the media and flood runs [stop log]",
        only_kernel(install_text("MediaRelay-kernel")))
    row(f"install, mean µs (directions, refused): fresh relay, {install_few} calls, 100 ms ptime", only_kernel(install_text(few)))
    row(f"install, mean µs (directions, refused): fresh relay, {install_many} calls, 100 ms ptime", only_kernel(install_text(many)))
    row("install, µs: the relay's first / each later one (from the two fresh relays)",
        only_kernel("failed" if later is None else f"{num(first)} / {num(later)}"))

    # A configuration during which a test run or a build was seen (run.sh's sampler) is marked.
    disturbed = {}
    for relay, _ in RELAYS:
        try:
            with open(f"{out}/disturbed-{CONFIG[relay]}.txt") as f:
                disturbed[relay] = sum(1 for _ in f)
        except OSError:
            pass

    print("| figure | " + " | ".join(title + (" (*)" if disturbed.get(relay) else "") for relay, title in RELAYS) + " |")
    print("| --- | " + " | ".join("---:" for _ in RELAYS) + " |")
    for r in rows:
        print("| " + " | ".join(r) + " |")

    def ratio(a, b):
        return a / b if a is not None and b not in (None, 0) else None

    def verdict(value, ok):
        return "n/a" if value is None else ("met" if ok(value) else "NOT met")

    def at(calls, relay, key):
        return fig(relay, f"calls-{calls}", key)

    install = later
    install_burst = installs.get("MediaRelay-kernel", (None, None, None))[1]
    print()
    print("| target (issue 9) | measured | |")
    print("| --- | --- | --- |")
    for calls in calls_list:
        kcpu = at(calls, "MediaRelay-kernel", "relay_cpu_us_per_pkt")
        print(f"| relay process CPU per kernel-forwarded packet <= 0.05 µs, {calls} calls | {us(kcpu)} µs | {verdict(kcpu, lambda v: v <= 0.05)} |")
    fcpu = fig("MediaRelay-kernel", flood_name, "flood_relay_cpu_us_per_pkt")
    print(f"| relay process CPU per kernel-forwarded packet <= 0.05 µs, flood ({flood_calls} calls) | {us(fcpu)} µs | {verdict(fcpu, lambda v: v <= 0.05)} |")
    for calls in calls_list:
        machine = ratio(at(calls, "MediaRelay-kernel", "machine_busy_us_per_pkt"), at(calls, "rtpengine", "machine_busy_us_per_pkt"))
        print(f"| whole-machine CPU per packet <= 0.35 x rtpengine user space, {calls} calls | "
              f"{num(machine, 2) if machine is not None else 'n/a'} | {verdict(machine, lambda v: v <= 0.35)} |")
    flood = ratio(fig("MediaRelay-kernel", flood_name, "flood_best_pps"), fig("bare-kernel", flood_name, "flood_best_pps"))
    print(f"| flood >= 95 % of bare kernel | {num(flood * 100, 1) + ' %' if flood is not None else 'n/a'} | {verdict(flood, lambda v: v >= 0.95)} |")
    print(f"| install of one direction <= 50 µs | {num(install) + ' µs' if install is not None else 'n/a'} each after the first "
          f"({num(first) + ' µs' if first is not None else 'n/a'} the first); "
          f"{num(install_burst) + ' µs' if install_burst is not None else 'n/a'} mean in the media and flood runs | {verdict(install, lambda v: v <= 50)} |")
    print()
    if any(disturbed.values()):
        print("(*) a test run or a build was running during part of this configuration (run.sh's sampler, "
              "disturbed-*.txt): its figures are not from a quiet machine.")
    for calls in calls_list:
        machine_user = ratio(at(calls, "MediaRelay-kernel", "machine_busy_us_per_pkt"), at(calls, "MediaRelay", "machine_busy_us_per_pkt"))
        core = ratio(at(calls, "MediaRelay-kernel", "relay_core_busy_us_per_pkt"), at(calls, "rtpengine", "relay_core_busy_us_per_pkt"))
        core_bare = ratio(at(calls, "MediaRelay-kernel", "relay_core_busy_us_per_pkt"), at(calls, "bare-kernel", "relay_core_busy_us_per_pkt"))
        print(f"Also at {calls} calls: whole machine per packet, kernel path / MediaRelay user space = "
              f"{num(machine_user, 2) if machine_user is not None else 'n/a'}; relay core per packet, kernel path / rtpengine = "
              f"{num(core, 2) if core is not None else 'n/a'}, kernel path / bare kernel = {num(core_bare, 2) if core_bare is not None else 'n/a'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
