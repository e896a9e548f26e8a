#!/usr/bin/env bash
# Drives a real `slotsim gui` with X events from xdotool (XTEST: the same
# path a mouse and keyboard take), for tests/ui/e2e/gui_input.cpp. Run under
# tests/ui/e2e/with_xvfb.sh so it has an X server of its own.
#   input_driver.sh SLOTSIM OUTDIR LAYOUT1 LAYOUT2 ...   (the layouts of keys 1, 2, ...)
# Writes OUTDIR/frames.csv (the GUI's frame log) and OUTDIR/events.txt: one
# line "NAME ROWS" per action, ROWS = frame-log rows written before it was
# sent, and at the end "exit STATUS" (the GUI's own exit status after the quit
# key). Buttons are found through the GUI's --widget-map (OUTDIR/widgets.txt:
# their rectangles at the current UI scale), the way a user finds them: by
# looking, turning the side column's pages when one is on another page. The output folder is
# OUTDIR/out, which does not exist until the first save. Waits for effects by
# watching the log (never by fixed sleeps alone), so a slow machine only makes
# it slower. Exit status 0 unless the window or the first frame never came.
set -u
bin=$1
out=$2
shift 2
layouts=("$@")
cd "$out" || exit 2
: > events.txt
"$bin" gui --scene plummer --particles 20000 --solver none --layout soa --render splat --width 1280 --height 800 \
  --frame-log frames.csv --widget-map widgets.txt --out-dir out > gui.out 2> gui.err &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT

rows() { [ -f frames.csv ] && echo $(( $(wc -l < frames.csv) - 1 )) || echo 0; }
# Column $1 of the newest complete row. The GUI may be part way through
# writing a row when we look: `tail -n 1` alone then returns a torn line
# whose column 7 is empty or a prefix, which once let the wait for the first
# particles end early and the check after it see "0" (gui_input failed
# under `ctest -j8`). So a last line without its newline is dropped.
last() {
  local chunk
  chunk=$(tail -n 2 frames.csv 2>/dev/null; echo .)  # the '.' keeps a trailing newline
  chunk=${chunk%.}
  case "$chunk" in
    *$'\n') chunk=${chunk%$'\n'} ;;               # complete: drop the final newline
    *$'\n'*) chunk=${chunk%$'\n'*} ;;             # torn last line: drop it
    *) chunk= ;;                                  # nothing complete yet
  esac
  printf '%s\n' "${chunk##*$'\n'}" | cut -d, -f"$1"
}
# True when $1 is a whole number above 0.
positive() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -gt 0 ]; }
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
# The first particles: a complete row with particles > 0 (column 7).
end=$(( SECONDS + 60 ))
until positive "$(last 7)" || [ $SECONDS -ge $end ]; do sleep 0.1; done
positive "$(last 7)" || { echo "input_driver: no particles shown (last row: $(last 1-21))" >&2; exit 4; }
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

# The centre of control $1 from the widget map; when it is on a page of a
# side column that is not shown, the map lists "@NAME" at that column's
# next-page button, which is clicked until the control's page is shown
# (ui/pager.hpp). Empty if it never appears. ($2 $3: unused, kept for the
# callers.)
widget() {
  local name=$1 i xy
  for i in $(seq 1 60); do
    xy=$(awk -v n="$name" '$1 == n { printf "%d %d", ($2 + $4) / 2, ($3 + $5) / 2 }' widgets.txt 2>/dev/null)
    [ -n "$xy" ] && { echo "$xy"; return; }
    xy=$(awk -v n="@$name" '$1 == n { printf "%d %d", ($2 + $4) / 2, ($3 + $5) / 2 }' widgets.txt 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$xy" ] && xdotool mousemove --window "$wid" $xy click 1
    wait_rows 2
  done
}
click_widget() {
  local xy
  xy=$(widget "$1" "$px" "$py")
  [ -n "$xy" ] || { echo "input_driver: control '$1' never came into view" >&2; return 1; }
  # shellcheck disable=SC2086
  xdotool mousemove --window "$wid" $xy click 1
}
px=0
py=0

# Ten quick clicks on Step while paused: each a press and a release with no
# hold, 5 ms apart (several fall within one frame). Ten steps expected.
xdotool key space
wait_col 11 1
wait_rows 5
event quick_clicks
xy=$(widget step "$px" "$py")
# shellcheck disable=SC2086
xdotool mousemove --window "$wid" $xy click --repeat 10 --delay 5 1
steps0=$(last 10)
want=$(( ${steps0:-0} + 10 ))
end=$(( SECONDS + 60 ))
while [ "$(last 10)" != "$want" ] && [ $SECONDS -lt $end ]; do sleep 0.05; done
wait_rows 30  # and no more than ten
event quick_clicks_done

# Respawn into another scene: the dt field must follow (the test gives the
# collision's own dt in COLLISION_DT, from the scene table; the plummer
# sphere it starts as runs at another), so "Apply dt" right after it keeps
# the new scene's dt instead of restoring the old one.
event respawn
click_widget scene:collision
wait_rows 3
click_widget respawn
wait_col 22 "$COLLISION_DT"
wait_rows 5
event apply_dt
click_widget apply-dt
wait_rows 20
event apply_dt_done

# The output folder: Screenshot, Save snapshot and Export write into it
# (created on the first of them); the test lists it.
event outputs
click_widget screenshot
wait_rows 5
click_widget save-snapshot
wait_rows 5
xy=$(widget export 640 700)
# shellcheck disable=SC2086
[ -n "$xy" ] && xdotool mousemove --window "$wid" $xy click 1
wait_rows 10
event outputs_done

# The quit key: Escape closes the window; the GUI exits by itself.
event end
xdotool mousemove --window "$wid" $cx $cy key Escape
end=$(( SECONDS + 60 ))
while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "exit 999" >> events.txt  # still running
else
  wait "$pid"
  echo "exit $?" >> events.txt
fi
trap - EXIT
exit 0
