#!/usr/bin/env python3
"""CPU of one process, thread by thread, with nanosecond resolution: what the relay burns while the kernel forwards.

  bench/kernel/thread-cpu.py PID SECONDS [--every]

/proc/PID/stat counts 10 ms ticks, too coarse for a relay that should burn about a millisecond a second. This reads
each thread's on-CPU time from /proc/PID/task/TID/schedstat (nanoseconds) and its context switches from .../status,
every 100 ms so that threads born or ended in the window count too (an ended thread is marked +), and prints ms of
CPU per second and switches per second for each thread (names from comm: mr-kernel, mr-sweep, mr-uring-N, .NET TP
Worker, ...). --every adds one line a second: the process's ms in that second and its busiest threads. CPU time
here includes the softirq work the kernel did while a thread of the process happened to run.
"""
import os
import sys
import time


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                status = f.read()
            switches = sum(int(status.split(name)[1].split()[0])
                           for name in ("\nvoluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"))
            threads[tid] = (comm, ns, switches)
        except (OSError, IndexError, ValueError):
            pass  # the thread ended while being read
    return threads


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pid, seconds, every = sys.argv[1], float(sys.argv[2]), "--every" in sys.argv[3:]
    first = snapshot(pid)
    last = dict(first)
    start = time.monotonic()
    second, previous = start + 1, dict(first)
    while time.monotonic() < start + seconds:
        time.sleep(0.1)
        last.update(snapshot(pid))
        if every and time.monotonic() >= second:
            deltas = sorted(((v[1] - previous.get(t, (0, 0, 0))[1], v[0]) for t, v in last.items()), reverse=True)
            total = sum(d for d, _ in deltas)
            busiest = ", ".join(f"{name} {d / 1e6:.2f}" for d, name in deltas[:3] if d > 0)
            print(f"  {time.strftime('%H:%M:%S')} {total / 1e6:8.2f} ms  ({busiest})", flush=True)
            second, previous = second + 1, dict(last)
    elapsed = time.monotonic() - start
    alive = snapshot(pid)
    rows = []
    for tid, (comm, ns, switches) in last.items():
        ns0, switches0 = (first[tid][1], first[tid][2]) if tid in first else (0, 0)
        rows.append(((ns - ns0) / 1e6 / elapsed, (switches - switches0) / elapsed, comm + ("" if tid in alive else "+"), tid))
    rows.sort(reverse=True)
    print(f"window {elapsed:.1f} s: {sum(r[0] for r in rows):.3f} ms of CPU a second in {len(alive)} threads")
    for ms, switches, comm, tid in rows:
        if ms >= 0.0005 or switches > 0:
            print(f"  {comm:<18} {tid:>7} {ms:8.3f} ms/s {switches:8.1f} switches/s")


main()
