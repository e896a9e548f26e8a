#!/usr/bin/env python3
"""Peak memory of a command and every process it starts, against its plan.

    bench/peak_rss.py [--plan] [--row LABEL] -- slotsim batch ARGS...

/proc's "kB" are KiB (1024 B): every figure here is in MiB, as slotsim's.
Samples the command's RSS and the private pages of all its descendants
(smaps_rollup Private_*: a page shared after fork() is in the command's RSS
already, and summing the children's RSS would count it twice) every 5 ms,
and prints the peak of that sum (at least the command's own VmHWM, what
`time -v` calls maximum resident set size), the VmHWM, and with --plan the `needs` line of the same command run with
--dry-run, and the ratio peak / plan. With --row LABEL (implies --plan)
it prints one Markdown table row instead: | LABEL | plan | peak | ratio |
load |, as bench/peak_rss_table.sh collects them. slotsim reads HDF5 inputs in a child
process (sim/io/isolated_call.hpp), so a peak that left the child out would
flatter the plan.
"""
import os
import re
import subprocess
import sys
import time


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def private_kb(pid):
    """Pages only this process maps: what a forked child adds."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def plan_bytes(cmd):
    r = subprocess.run(cmd + ["--dry-run"], capture_output=True, text=True)
    m = re.search(r"needs ([0-9.]+) (GiB|MiB|KiB|GB|MB|kB|B)\b", r.stdout + r.stderr)
    if not m:
        sys.exit("no plan in the --dry-run output:\n" + r.stdout + r.stderr)
    # sim/units.hpp prints MiB; the decimal units are older builds'.
    scale = {"GiB": 2**30, "MiB": 2**20, "KiB": 2**10, "GB": 1e9, "MB": 1e6, "kB": 1e3, "B": 1}[m.group(2)]
    return float(m.group(1)) * scale


def main():
    args = sys.argv[1:]
    opts = args[: args.index("--")] if "--" in args else []
    row = opts[opts.index("--row") + 1] if "--row" in opts and opts.index("--row") + 1 < len(opts) else None
    want_plan = "--plan" in opts or row is not None
    cmd = args[args.index("--") + 1:] if "--" in args else args
    plan = plan_bytes(cmd) if want_plan else None
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = hwm = 0
    while p.poll() is None:
        # The command's RSS plus what its children hold privately (their
        # pages shared with it after fork() are in its RSS already).
        tree = descendants(p.pid)
        total = rss_kb(p.pid) + sum(private_kb(q) for q in tree[1:])
        peak = max(peak, total)
        hwm = max(hwm, hwm_kb(p.pid))
        time.sleep(0.005)
    peak = max(peak, hwm)
    err = p.stderr.read().decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"exit {p.returncode}: {err.strip().splitlines()[-1] if err.strip() else ''}")
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    if row is not None:
        print(f"| {row} | {plan / 2**20:.1f} MiB | {peak / 2**10:.1f} MiB | {peak * 2**10 / plan:.3f} | {load} |")
        return
    line = f"peak RSS (with children) {peak / 2**10:.1f} MiB, VmHWM {hwm / 2**10:.1f} MiB"
    if plan:
        line += f", plan {plan / 2**20:.1f} MiB, peak/plan {peak * 2**10 / plan:.3f}"
    line += f", load {load}"
    print(line)


if __name__ == "__main__":
    main()
