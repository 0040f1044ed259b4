#!/usr/bin/env python3
"""Where a process's resident memory lives, sampled over time (the soak's RSS attribution, issue 13).

Every INTERVAL seconds it reads /proc/PID/smaps, sorts the resident kilobytes of its mappings into kinds by
shape:
  files      mapped files (libraries, ReadyToRun images) and shared kernel buffers (io_uring rings, BPF maps)
  code       the runtime's double-mapped executable memory: JIT-compiled code, stubs and loader heaps
  heap       glibc's main arena ([heap], grown with brk)
  arenas     64 MiB-aligned windows of exactly 64 MiB: glibc's per-thread malloc arenas
  stacks     read-write mappings right above a small guard: thread stacks and signal stacks
  runtime    contiguous blocks that hold a reservation of 1 GiB or more: the .NET GC's regions
  other      every other anonymous mapping (mmap'ed buffers, the runtime's loader heaps, large mallocs)
and writes one CSV row per sample: seconds since the start, then the kinds in KiB, then the total.
  bench/smaps-sample.py PID OUT.csv [INTERVAL]
Stops by itself when the process ends.
"""
import sys
import time

GUARD_MAX = 64 * 1024
ARENA = 64 * 1024 * 1024
GIB = 1024 * 1024 * 1024


def read_mappings(pid):
    mappings = []
    current = None
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if not fields:
                continue
            if "-" in fields[0] and not fields[0].endswith(":"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                path = fields[5] if len(fields) > 5 else ""
                current = {"start": start, "end": end, "perms": fields[1], "path": path, "rss": 0}
                mappings.append(current)
            elif fields[0] == "Rss:" and current is not None:
                current["rss"] = int(fields[1])
    return mappings


def classify(mappings):
    kinds = {"files": 0, "code": 0, "heap": 0, "arenas": 0, "stacks": 0, "runtime": 0, "other": 0}
    anonymous = []
    for mapping in mappings:
        path = mapping["path"]
        if path == "[heap]":
            kinds["heap"] += mapping["rss"]
        elif path == "[stack]":
            kinds["stacks"] += mapping["rss"]
        elif path.startswith("/memfd:doublemapper"):
            kinds["code"] += mapping["rss"]
        elif path:
            kinds["files"] += mapping["rss"]
        else:
            anonymous.append(mapping)

    kind = [None] * len(anonymous)
    # glibc's arenas: a 64 MiB-aligned window of contiguous mappings that is exactly 64 MiB long.
    for i, mapping in enumerate(anonymous):
        if mapping["start"] % ARENA != 0:
            continue
        j, end = i, mapping["end"]
        while end < mapping["start"] + ARENA and j + 1 < len(anonymous) and anonymous[j + 1]["start"] == end:
            j += 1
            end = anonymous[j]["end"]
        if end == mapping["start"] + ARENA:
            for k in range(i, j + 1):
                kind[k] = "arenas"
    # Thread stacks and signal stacks: a read-write mapping right above a small inaccessible guard.
    for i in range(1, len(anonymous)):
        guard, mapping = anonymous[i - 1], anonymous[i]
        if kind[i] is None and kind[i - 1] is None and guard["perms"].startswith("---") \
                and guard["end"] - guard["start"] <= GUARD_MAX and guard["end"] == mapping["start"] \
                and mapping["perms"].startswith("rw"):
            kind[i - 1] = kind[i] = "stacks"
    # What is left, in contiguous blocks: a block holding a reservation of 1 GiB or more is the runtime's (GC).
    i = 0
    while i < len(anonymous):
        if kind[i] is not None:
            i += 1
            continue
        j = i
        while j + 1 < len(anonymous) and kind[j + 1] is None and anonymous[j + 1]["start"] == anonymous[j]["end"]:
            j += 1
        big = any(m["end"] - m["start"] >= GIB for m in anonymous[i:j + 1])
        for k in range(i, j + 1):
            kind[k] = "runtime" if big else "other"
        i = j + 1
    for k, mapping in zip(kind, anonymous):
        kinds[k] += mapping["rss"]
    return kinds


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    pid, out = sys.argv[1], sys.argv[2]
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    started = time.monotonic()
    with open(out, "w") as csv:
        csv.write("seconds,files_kib,code_kib,heap_kib,arenas_kib,stacks_kib,runtime_kib,other_kib,total_kib\n")
        while True:
            try:
                kinds = classify(read_mappings(pid))
            except (FileNotFoundError, ProcessLookupError):
                return 0
            total = sum(kinds.values())
            row = [int(time.monotonic() - started)] + list(kinds.values()) + [total]
            csv.write(",".join(str(v) for v in row) + "\n")
            csv.flush()
            time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
