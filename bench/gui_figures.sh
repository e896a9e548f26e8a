#!/usr/bin/env bash
# Reproduces the GUI's figures and pictures that docs/GUI.md quotes:
#  1. the accuracy study behind the collision's GUI time step (batch, 100,000
#     particles: first pericentre and energy error at dt 0.04 and 0.08);
#  2. the classroom run: `slotsim gui` at its defaults (the collision, a
#     million particles, dict, pm) for 90 s under Xvfb: wall time from the
#     window's first frame to the first pericentre, frame times (median,
#     p95), the energy readout's age;
#  3. steps per second at a million particles for every layout (10 s each);
#  4. the screenshots: 1280x800 and 1920x1080 at UI scales 1.0 and 1.5 after
#     a tour of every layout (docs/gui-WxH-sS.png; the 1280x800 one at the
#     default scale is also the README's docs/screenshot.png), the collision
#     after 90 s, and the heap map before and after a Morton sort.
# Writes docs/gui/figures.md (every table with its command, the machine and
# the load) and the pictures under docs/. Usage:
#   bash bench/gui_figures.sh [build-dir]        # default: build
# Needs Xvfb, xauth and /usr/bin/python3 with h5py. Takes ~15 minutes on a
# quiet 2-core machine. Timings depend on the load: run it with nothing else
# on the machine; the load average is recorded beside every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(realpath "${1:-build}")/app/slotsim
XV=$(realpath tests/ui/e2e/with_xvfb.sh)
ROOT=$(pwd)
OUT=docs/gui
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/slotsim-gui-figures.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
MD="$OUT/figures.md"
gui() {  # WIDTHxHEIGHT, then the gui arguments; stdout to $TMP/gui.out
  local size=$1; shift
  bash "$XV" "$TMP/xvfb.log" -s "-screen 0 ${size}x24" -- "$B" gui --width "${size%x*}" --height "${size#*x}" \
    --out-dir "$TMP/out" "$@" > "$TMP/gui.out"
}
{
  echo "# GUI figures (bench/gui_figures.sh)"
  echo
  echo "Measured $(date -u +'%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') on"
  echo "$(lscpu | grep 'Model name' | sed 's/.*: *//'), $(nproc) cores; load at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
} > "$MD"

echo "== 1. the collision's first pericentre at dt 0.04 and 0.08 (batch, 100k)" >&2
{
  echo "## 1. The collision's time step: first pericentre and energy error"
  echo
  echo '```sh'
  echo "slotsim batch --scene collision -n 100000 --solver pm --grid 128 --layout soa --dt DT --steps 20/DT \\"
  echo "  --snapshot s.h5 --snapshot-every 0.2/DT -q"
  echo "/usr/bin/python3 bench/collision_pericentre.py s_*.h5"
  echo '```'
  echo
  echo "| dt | steps to t = 20 | first pericentre t | energy error at t = 20 |"
  echo "|---:|---:|---:|---:|"
} >> "$MD"
TPERI=
for dt in 0.04 0.08; do
  steps=$(python3 -c "print(round(20/$dt))")
  every=$(python3 -c "print(max(1, round(0.2/$dt)))")
  rm -f "$TMP"/s*.h5
  "$B" batch --scene collision -n 100000 --solver pm --grid 128 --layout soa --dt "$dt" --steps "$steps" \
    --snapshot "$TMP/s.h5" --snapshot-every "$every" -q > "$TMP/batch.txt" 2>&1
  err=$(grep "rel. energy error" "$TMP/batch.txt" | awk -F'|' '{gsub(/ /, "", $3); print $3}')
  peri=$(/usr/bin/python3 bench/collision_pericentre.py "$TMP"/s_*.h5 | tail -n 1 | sed -n 's/first pericentre: t = \([0-9.]*\).*/\1/p')
  echo "| $dt | $steps | ${peri:-none} | $err |" >> "$MD"
  [ "$dt" = 0.08 ] && TPERI=$peri
done
rm -f "$TMP"/s*.h5
TPERI=${TPERI:-14.57}

echo "== 2. the classroom run (defaults, 90 s)" >&2
{
  echo
  echo "## 2. The window at its defaults (collision, 1,000,000 particles, dict, pm), 1280x800, 90 s"
  echo
  echo '```sh'
  echo "xvfb-run -s '-screen 0 1280x800x24' slotsim gui --frames 2700 --frame-log f.csv \\"
  echo "  --screenshot docs/gui-collision-1280.png > out.txt"
  echo "python3 bench/frame_times.py f.csv out.txt --until-time $TPERI"
  echo '```'
  echo
} >> "$MD"
gui 1280x800 --frames 2700 --frame-log "$TMP/peri.csv" --screenshot "$ROOT/docs/gui-collision-1280.png"
python3 bench/frame_times.py "$TMP/peri.csv" "$TMP/gui.out" --until-time "$TPERI" >> "$MD"

echo "== 3. steps per second per layout (1M, 10 s each)" >&2
{
  echo
  echo "## 3. Steps per second at 1,000,000 particles, per layout (the window's own, 10 s each)"
  echo
  echo '```sh'
  echo "xvfb-run -s '-screen 0 1280x800x24' slotsim gui --frames 2130 --frame-log f.csv \\"
  echo "  --script 'at 330 layout slots; at 630 layout slots+dict; at 930 layout aos; at 1230 layout soa; at 1530 layout shared-keys; at 1830 layout split-keys'"
  echo "python3 bench/frame_times.py f.csv"
  echo '```'
  echo
} >> "$MD"
gui 1280x800 --frames 2130 --frame-log "$TMP/layouts.csv" \
  --script 'at 330 layout slots; at 630 layout slots+dict; at 930 layout aos; at 1230 layout soa; at 1530 layout shared-keys; at 1830 layout split-keys'
python3 bench/frame_times.py "$TMP/layouts.csv" | grep -E "steps/s|load average|^\| \||^\|---" >> "$MD"

echo "== 4. screenshots" >&2
for size in 1280x800 1920x1080; do
  for scale in 1.0 1.5; do
    gui "$size" --ui-scale "$scale" --frames 10 \
      --script "at 5 tour 3 1; at 6 screenshot $ROOT/docs/gui-${size}-s${scale}.png"
  done
done
cp docs/gui-1280x800-s1.0.png docs/screenshot.png
gui 1280x800 --scene plummer --particles 200000 --sort-every 3 --frames 10 \
  --script "at 1 pause; at 2 show heap-map; at 40 screenshot $ROOT/docs/gui-heapmap-before-1280.png; at 41 step; at 42 step; at 43 step; at 44 step; at 90 screenshot $ROOT/docs/gui-heapmap-after-1280.png"
{
  echo
  echo "## 4. Pictures"
  echo
  echo "docs/gui-1280x800-s1.0.png (also docs/screenshot.png), docs/gui-1280x800-s1.5.png, docs/gui-1920x1080-s1.0.png,"
  echo "docs/gui-1920x1080-s1.5.png: \`slotsim gui --width W --height H --ui-scale S --frames 10 --script 'at 5 tour 3 1;"
  echo "at 6 screenshot FILE'\` (a million particles, a tour of 3 steps per layout). docs/gui-collision-1280.png: the end"
  echo "of run 2. docs/gui-heapmap-{before,after}-1280.png: \`--scene plummer --particles 200000 --sort-every 3\`, paused,"
  echo "the Memory column turned to the heap map (\`show heap-map\`), before and after the first sort."
  echo
  echo "Load at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$MD"
echo "wrote $MD" >&2
python3 bench/gui_docs.py
