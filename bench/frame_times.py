#!/usr/bin/env python3
"""Summarise a `slotsim gui --frame-log` CSV: the figures docs/GUI.md quotes.

    python3 bench/frame_times.py f.csv [gui-stdout.txt] [--until-time T]

With --until-time T it also gives the wall time from the window's first
frame until the simulated time reached T (the collision's first pericentre,
t = 14.57: bench/collision_pericentre.py), and the load average meanwhile.
Besides the frame times (median and p95, of every frame and of the frames
drawn; a frame with nothing new to show is not drawn), it gives the steps
per second of each layout the run spent time in (the frames in which that
layout's steps ran, busy frames left out) with the load average beside it,
and the age of the energy readout (how far behind the simulation it was).

Prints one Markdown table of frame times (all frames with particles, the
frames during conversions = busy rows with particles, the frame that saved a
PNG listed apart when the stdout log names it), the simulation's step times
as the window saw them (one value per step: `sim_step_ms` of the first row
showing that step count), and steps against wall time (the frame times
summed), so "does the scene do its thing within a minute" is read off the
log rather than guessed. With the GUI's stdout it also lists the
conversions' own times ("layout a -> b (N ms)").
"""
import csv
import re
import statistics
import sys


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def screenshot_frames(stdout_path):
    """Frames in which a screenshot was saved, from the GUI's stdout."""
    if not stdout_path:
        return set(), []
    frames, conversions = set(), []
    with open(stdout_path) as f:
        for line in f:
            m = re.match(r"slotsim gui: frame (\d+): saved .*\.(png|bmp|tga|jpg)", line)
            if m:
                frames.add(int(m.group(1)))
            m = re.match(r"slotsim gui: frame \d+: layout (\S+) -> (\S+) \(([\d.]+) ms\)", line)
            if m:
                conversions.append((m.group(1), m.group(2), float(m.group(3))))
    return frames, conversions


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def main(argv):
    until = None
    if "--until-time" in argv:
        i = argv.index("--until-time")
        until = float(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    rows = load(argv[1])
    shots, conversions = screenshot_frames(argv[2] if len(argv) > 2 else None)
    live = [r for r in rows if int(r["particles"]) > 0]
    if not live:
        print("no frame with particles in", argv[1])
        return 1
    # frame_ms is display to display, so the frame saving a PNG shows in the
    # row after it: count both as "saving".
    saving = {f for s in shots for f in (s, s + 1)}
    plain = [float(r["frame_ms"]) for r in live if int(r["frame"]) not in saving]
    shot_ms = [float(r["frame_ms"]) for r in live if int(r["frame"]) in saving]
    busy = [float(r["frame_ms"]) for r in live if r["busy"] == "1" and int(r["frame"]) not in saving]

    steps, seen = [], set()
    wall_ms = 0.0
    first_wall = {}  # steps -> wall seconds at the first row showing them
    for r in rows:
        wall_ms += float(r["frame_ms"])
        n = int(r["steps"])
        if int(r["particles"]) > 0 and n not in first_wall:
            first_wall[n] = wall_ms / 1e3
        if n > 0 and n not in seen and float(r["sim_step_ms"]) > 0:
            seen.add(n)
            steps.append(float(r["sim_step_ms"]))

    def fmt(v):
        return f"{v:.1f}"

    print("| | value |")
    print("|---|---:|")
    print(f"| frames logged | {len(rows)} |")
    print(f"| frame ms, frames with particles: median | {fmt(statistics.median(plain))} |")
    print(f"| frame ms, frames with particles: p95 | {fmt(pct(plain, 0.95))} |")
    if "drawn" in rows[0]:
        drawn = [r for r in live if r["drawn"] == "1" and int(r["frame"]) not in saving]
        work = [float(r["work_ms"]) for r in drawn]
        print(f"| frames drawn (the rest had nothing new to show) | {len(drawn)} of {len(live)} |")
        if work:
            print(f"| work ms of a drawn frame (without the sleep to the next slot): median | {fmt(statistics.median(work))} |")
            print(f"| work ms of a drawn frame: p95 | {fmt(pct(work, 0.95))} |")
        ages = [float(r["energy_age_s"]) for r in live if float(r["energy_age_s"]) >= 0 and r["paused"] == "0"]
        if ages:
            print(f"| energy readout age, s: median / max (running frames) | {statistics.median(ages):.2f} / {max(ages):.2f} |")
    print(f"| frame ms, frames with particles: slowest (not saving a PNG) | {fmt(max(plain))} |")
    if shot_ms:
        print(f"| frame ms of the frames saving a PNG: slowest | {fmt(max(shot_ms))} |")
    print(f"| frames during conversions (busy) | {len(busy)} |")
    if busy:
        print(f"| frame ms during conversions: median | {fmt(statistics.median(busy))} |")
        print(f"| frame ms during conversions: **slowest** | **{fmt(max(busy))}** |")
    if steps:
        print(f"| steps seen | {max(seen)} |")
        print(f"| step ms as the window saw them: median (min-max) | {fmt(statistics.median(steps))} "
              f"({fmt(min(steps))}-{fmt(max(steps))}) |")
    last = max(first_wall) if first_wall else 0
    if last:
        t0 = first_wall.get(0, first_wall[min(first_wall)])
        print(f"| wall s from the first particles to step {last} | {fmt(first_wall[last] - t0)} |")
        sim_t = [float(r["sim_time"]) for r in rows if int(r["steps"]) == last]
        print(f"| simulated time at step {last} | {sim_t[0]:.3f} |")
    for a, b, ms in conversions:
        print(f"| conversion `{a} -> {b}` (ms, as reported) | {fmt(ms)} |")
    if "load" in rows[0]:
        loads = [float(r["load"]) for r in live if float(r["load"]) >= 0]
        if loads:
            print(f"| load average during the run: min-max | {min(loads):.2f}-{max(loads):.2f} |")
        # Steps per second per layout: the steps each layout ran over the
        # wall time of its frames (not busy: conversions excluded).
        per = {}
        prev = None
        for r in live:
            if r["busy"] == "1" or r["paused"] == "1":
                prev = None
                continue
            lay, n, ms = r["timing_layout"], int(r["steps"]), float(r["frame_ms"])
            d = per.setdefault(lay, {"steps": 0, "s": 0.0, "load": []})
            if prev is not None and prev[0] == lay and n >= prev[1]:
                d["steps"] += n - prev[1]
                d["s"] += ms / 1e3
                d["load"].append(float(r["load"]))
            prev = (lay, n)
        for lay, d in per.items():
            if d["s"] >= 2 and d["steps"] > 0:
                print(f"| `{lay}`: steps/s in the window (load {min(d['load']):.1f}-{max(d['load']):.1f}) | "
                      f"{d['steps'] / d['s']:.2f} ({d['steps']} steps in {d['s']:.1f} s) |")
    if until is not None:
        wall = 0.0
        for r in rows:
            wall += float(r["frame_ms"])
            if float(r["sim_time"]) >= until:
                loads = [float(x["load"]) for x in rows[: rows.index(r) + 1] if "load" in x and float(x["load"]) >= 0]
                note = f" (load {min(loads):.1f}-{max(loads):.1f})" if loads else ""
                print(f"| wall s from the window's first frame to t = {until} (step {r['steps']}){note} | {fmt(wall / 1e3)} |")
                break
        else:
            print(f"| t = {until} not reached in {fmt(wall / 1e3)} s (last t = {float(rows[-1]['sim_time']):.2f}) | - |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
