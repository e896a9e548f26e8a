#!/usr/bin/env bash
# Drives a real `slotsim gui` with X events from xdotool (XTEST: the same
# path a mouse and keyboard take), for tests/ui/e2e/gui_input.cpp. Run under
# `xvfb-run -a` so it has a display of its own.
#   input_driver.sh SLOTSIM OUTDIR LAYOUT1 LAYOUT2 ...   (the layouts of keys 1, 2, ...)
# Writes OUTDIR/frames.csv (the GUI's frame log) and OUTDIR/events.txt: one
# line "NAME ROWS" per action, ROWS = frame-log rows written before it was
# sent. Waits for effects by watching the log (never by fixed sleeps alone),
# so a slow machine only makes it slower. Exit status 0 unless the window or
# the first frame never came.
set -u
bin=$1
out=$2
shift 2
layouts=("$@")
cd "$out" || exit 2
: > events.txt
"$bin" gui --particles 20000 --solver none --layout soa --render splat --width 1280 --height 800 \
  --frame-log frames.csv > gui.out 2> gui.err &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT

rows() { [ -f frames.csv ] && echo $(( $(wc -l < frames.csv) - 1 )) || echo 0; }
last() { tail -n 1 frames.csv | cut -d, -f"$1"; }
# Waits (up to $2 s) until the log has $1 more rows than now.
wait_rows() {
  local want=$(( $(rows) + $1 )) end=$(( SECONDS + ${2:-30} ))
  while [ "$(rows)" -lt "$want" ] && [ $SECONDS -lt $end ]; do sleep 0.05; done
}
# Waits (up to 60 s) until column $1 of the newest row is $2.
wait_col() {
  local end=$(( SECONDS + 60 ))
  while [ "$(last "$1")" != "$2" ] && [ $SECONDS -lt $end ]; do sleep 0.05; done
}
event() { echo "$1 $(rows)" >> events.txt; }

wid=$(timeout 60 xdotool search --sync --name '^slotsim$' | head -n 1)
[ -n "$wid" ] || { echo "input_driver: no slotsim window" >&2; exit 3; }
# The first particles: a row with particles > 0 (column 7).
end=$(( SECONDS + 60 ))
while { [ ! -f frames.csv ] || [ "$(last 7)" = "0" ] || [ "$(last 7)" = "particles" ]; } && [ $SECONDS -lt $end ]; do
  sleep 0.1
done
[ "$(last 7)" != "0" ] || { echo "input_driver: no particles shown" >&2; exit 4; }
xdotool windowfocus --sync "$wid" 2>/dev/null || true
# The centre of the particle view (between the side panels, above the
# bottom strip), in window coordinates.
cx=640
cy=250
xdotool mousemove --window "$wid" $cx $cy
wait_rows 5

event orbit
xdotool mousedown 1
for dx in 10 20 30 40 50 60 70 80; do xdotool mousemove --window "$wid" $((cx + dx)) $((cy + dx / 4)); done
xdotool mouseup 1
wait_rows 10

event pan
xdotool mousemove --window "$wid" $cx $cy mousedown 3
for dy in 8 16 24 32 40; do xdotool mousemove --window "$wid" $((cx - dy)) $((cy + dy)); done
xdotool mouseup 3
wait_rows 10

event zoom
xdotool mousemove --window "$wid" $cx $cy click --repeat 3 --delay 30 4
wait_rows 10

event reset
xdotool key r
wait_rows 10

# Layout keys 1..N: the log's layout column (4) tells when each conversion
# is done (a key pressed during a step or an energy measurement waits).
for k in "${!layouts[@]}"; do
  event "key$((k + 1))"
  xdotool key "$((k + 1))"
  wait_col 4 "${layouts[$k]}"
  wait_rows 3
done

event pause
xdotool key space
wait_col 11 1
wait_rows 5

event step
xdotool key period
wait_rows 20

event resume
xdotool key space
wait_col 11 0
wait_rows 5

event f1_hide
xdotool key F1
wait_col 12 0
wait_rows 3

event f1_show
xdotool key F1
wait_col 12 1
wait_rows 3

event end
exit 0
