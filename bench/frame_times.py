#!/usr/bin/env python3
"""Summarise a `slotsim gui --frame-log` CSV: the figures docs/GUI.md quotes.

    python3 bench/frame_times.py f.csv [gui-stdout.txt]

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


def main(argv):
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
