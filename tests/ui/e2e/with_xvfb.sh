#!/usr/bin/env bash
# Runs one command on a private virtual X server, for the GUI tests
# (tests/ui/e2e/gui_run.cpp, gui_input.cpp):
#   with_xvfb.sh LOG [-s 'XVFB SCREEN ARGS'] -- COMMAND ARGS...
# Starts Xvfb, runs COMMAND with DISPLAY and XAUTHORITY set to that server,
# then stops the server and removes its files. Exit status: COMMAND's, or
# 125 when the server did not start (then the reason and LOG go to stderr;
# COMMAND never ran, so stderr is ours). Xvfb's own output and this
# script's notes go to LOG, never to stdout/stderr: the tests check the
# GUI's stderr, which COMMAND inherits untouched.
#
# Why not `xvfb-run -a` (used before): its -a looks for a free display by
# testing for /tmp/.X<n>-lock and only then starts Xvfb on that number, so
# two tests starting together pick the same number; one server loses, and
# depending on timing a test talks to the other test's server or fails.
# Its clean-up also makes any failure to remove its temporary directory
# exit status 5 in place of the command's, so a GUI run that succeeded
# failed its test under `ctest -j8`. A ctest RESOURCE_LOCK serialised the
# GUI tests around the first problem but not the second.
# Rejected as well: `xvfb-run -n <per-test base>` with retries (still a
# check-then-start race, only rarer, and the same clean-up).
# Here Xvfb itself chooses the display: with -displayfd it takes the first
# number whose lock file it can create (the X server creates it atomically,
# so two servers never share one) and writes that number to the fd once it
# accepts connections. So there is nothing to race for and no lock needed,
# the GUI tests run in parallel. Each run has its own mkdtemp directory and
# cookie: a client that somehow got another test's DISPLAY is refused
# rather than driving the wrong window. A failed clean-up is noted in LOG
# and does not change the status.
set -u
log=$1
shift
screen='-screen 0 1280x1024x24'
if [ "${1:-}" = "-s" ]; then
  screen=$2
  shift 2
fi
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: with_xvfb.sh LOG [-s 'ARGS'] -- COMMAND ARGS..." >&2; exit 2; }
: > "$log"
note() { echo "with_xvfb: $*" >> "$log"; }
fail() {
  echo "with_xvfb: $*; Xvfb log ($log):" >&2
  cat "$log" >&2
  exit 125
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slotsim-xvfb.XXXXXX") || fail "mktemp -d failed"
xvfb_pid=
cmd_pid=
watch_pid=
cleanup() {
  [ -n "$cmd_pid" ] && kill "$cmd_pid" 2>/dev/null
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp" 2>> "$log" || note "could not remove $tmp (left behind; the command's status stands)"
}
trap cleanup EXIT
# A signal (ctest's timeout sends one) ends the command and the server too.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The server reads every cookie in its -auth file whatever display the
# entry names (it does not know its number yet); clients look theirs up by
# display, so they get a second file written once the number is known.
cookie=$(mcookie) || fail "mcookie failed"
# Empty files first, or xauth warns that they do not exist.
: > "$tmp/server.auth"
: > "$tmp/Xauthority"
xauth -q -f "$tmp/server.auth" add :0 . "$cookie" >> "$log" 2>&1 || fail "xauth (server) failed"
mkfifo "$tmp/displayfd" || fail "mkfifo failed"
note "starting Xvfb -displayfd $screen"
# $screen is split into words on purpose (it is a list of Xvfb arguments).
# shellcheck disable=SC2086
Xvfb -displayfd 3 $screen -nolisten tcp -auth "$tmp/server.auth" 3> "$tmp/displayfd" < /dev/null >> "$log" 2>&1 &
xvfb_pid=$!
# Blocks until the server wrote its number (ready for clients) or died (EOF).
# The -t bound only turns a hung server into a message here before ctest's
# own TIMEOUT; a slow start just waits.
display=
read -r -t 150 display < "$tmp/displayfd"
case "$display" in
  '' | *[!0-9]*) fail "Xvfb gave no display number (got '$display')" ;;
esac
note "Xvfb pid $xvfb_pid on :$display"
xauth -q -f "$tmp/Xauthority" add ":$display" . "$cookie" >> "$log" 2>&1 || fail "xauth (client) failed"

# In the background and waited for, so a signal is handled at once instead
# of after the command ends.
DISPLAY=":$display" XAUTHORITY="$tmp/Xauthority" "$@" &
cmd_pid=$!
# If this script is killed outright (SIGKILL: no trap runs), the watchdog
# still stops the command and the server and removes the directory.
(
  while kill -0 $$ 2>/dev/null; do sleep 1; done
  kill "$cmd_pid" "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
) < /dev/null > /dev/null 2>&1 &
watch_pid=$!
wait "$cmd_pid"
status=$?
cmd_pid=
note "command exited with status $status"
exit "$status"
