#!/usr/bin/env bash
# Distributed scaling of slotsim-mpi on this machine: one pm run of a
# Plummer sphere (1M particles, grid 128, soa) as
#   serial slotsim, 2 threads (the reference)
#   slotsim-mpi np 1 x 2 threads, np 2 x 1 thread, np 4 x 1 thread (oversubscribed)
# Writes docs/bench/mpi_scaling_1m.json (every run's --json report, the
# command, its wall time and the load average before, during and after it;
# machine and commit) and docs/bench/mpi_scaling_1m.md (each run's printed
# tables). bench/write_docs.py renders the scaling table and the model of a
# 100M-particle run on 16 and 64 nodes from the JSON (bench/mpi_scaling.py).
#
# Usage: bash bench/run_mpi_scaling.sh [build-dir]   (default: build)
# Takes 1-2 minutes on a 2-core machine (75 s at load 5). Run it when nobody else
# is building: the load average is recorded beside every row, and the rows
# are only comparable when it stays near the run's own thread count.
#
# Smoke runs (a check of the script, never docs): SCALING_N, SCALING_STEPS,
# SCALING_REPEATS and SCALING_OUT override the size and the output
# directory; any size other than 1M must go outside docs/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
N=${SCALING_N:-1000000}
GRID=${SCALING_GRID:-128}
STEPS=${SCALING_STEPS:-5}
REPEATS=${SCALING_REPEATS:-3}
OUT=${SCALING_OUT:-docs/bench}
NAME=mpi_scaling_1m
SERIAL=$BUILD/app/slotsim
MPI=$BUILD/app/slotsim-mpi
for b in "$SERIAL" "$MPI"; do
  [[ -x $b ]] || { echo "run_mpi_scaling.sh: $b not found (build with Open MPI first)" >&2; exit 2; }
done
if [[ $N != 1000000 || $GRID != 128 ]] && [[ $(realpath -m "$OUT") == $(realpath -m docs/bench) ]]; then
  echo "run_mpi_scaling.sh: a smoke run (N=$N, grid $GRID) must not write docs/bench; set SCALING_OUT" >&2
  exit 2
fi
command -v mpirun > /dev/null || { echo "run_mpi_scaling.sh: mpirun not found" >&2; exit 2; }
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/mpi-scaling-XXXXXX)
SAMPLER=
cleanup() {
  if [[ -n $SAMPLER ]]; then kill "$SAMPLER" 2> /dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# The environment of tests/dist/CMakeLists.txt: root may run mpirun, idle
# OpenMP threads sleep instead of spinning (they would steal the cores of
# the oversubscribed ranks), no shared-memory single copy in containers,
# hwloc does not probe X servers.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=PASSIVE
export OMPI_MCA_btl_vader_single_copy_mechanism=none HWLOC_COMPONENTS=-gl
ARGS=(bench --scene plummer -n "$N" --solver pm --grid "$GRID" --steps "$STEPS" --repeats "$REPEATS" --layouts soa)

load1() { cut -d' ' -f1 /proc/loadavg; }
read -r L1 L5 L15 _ < /proc/loadavg
if awk -v l="$L1" 'BEGIN { exit !(l >= 1.5) }'; then
  echo "run_mpi_scaling.sh: warning: load average $L1 before the run (other work on the machine);" \
    "the timings will say so" >&2
fi

# row LABEL RANKS THREADS COMMAND...: runs one row, its printed tables to
# $TMP/LABEL.md, its report to $TMP/LABEL.json, and its wall time and load
# samples (1-minute load average once a second) to $TMP/LABEL.meta.
row() {
  local label=$1 ranks=$2 threads=$3; shift 3
  echo "== $label: $*" >&2
  local before t0 t1
  before=$(load1)
  (while :; do load1 >> "$TMP/$label.load"; sleep 1; done) &
  SAMPLER=$!
  t0=$(date +%s.%N)
  { echo "\$ $* --json $NAME.$label.json"; OMP_NUM_THREADS=$threads "$@" --json "$TMP/$label.json"; } \
    | tee "$TMP/$label.md"
  t1=$(date +%s.%N)
  kill "$SAMPLER"; wait "$SAMPLER" 2> /dev/null || true; SAMPLER=
  printf '%s\n' "$label" "$ranks" "$threads" "$before" "$(load1)" "$t0" "$t1" "$*" > "$TMP/$label.meta"
}

MPIRUN=(mpirun -q --bind-to none)
row serial 0 2 "$SERIAL" "${ARGS[@]}" --threads 2
row np1x2 1 2 "${MPIRUN[@]}" -np 1 "$MPI" "${ARGS[@]}" --threads 2
row np2x1 2 1 "${MPIRUN[@]}" -np 2 "$MPI" "${ARGS[@]}" --threads 1
row np4x1 4 1 "${MPIRUN[@]}" --oversubscribe -np 4 "$MPI" "${ARGS[@]}" --threads 1

# One JSON: machine, commit, load, and per row the command and its report.
python3 - "$TMP" "$OUT/$NAME.json" "$N" "$GRID" "$STEPS" "$REPEATS" "$L1 $L5 $L15" << 'EOF'
import json, os, subprocess, sys, datetime
tmp, out, n, grid, steps, repeats, load = sys.argv[1:]
def sh(*a):
    try:
        return subprocess.run(a, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return ""
lscpu = dict(l.split(":", 1) for l in sh("lscpu").splitlines() if ":" in l)
rows = []
for label in ("serial", "np1x2", "np2x1", "np4x1"):
    meta = open(os.path.join(tmp, label + ".meta")).read().split("\n")
    samples = [float(x) for x in open(os.path.join(tmp, label + ".load")).read().split()] \
        if os.path.exists(os.path.join(tmp, label + ".load")) else []
    rows.append({"label": label, "ranks": int(meta[1]), "threads": int(meta[2]),
                 "command": meta[7].replace(os.getcwd() + "/", ""),
                 "wall_s": float(meta[6]) - float(meta[5]),
                 "load_before": float(meta[3]), "load_after": float(meta[4]),
                 "load_max_during": max(samples + [float(meta[4])]),
                 "report": json.load(open(os.path.join(tmp, label + ".json")))})
doc = {"what": "slotsim-mpi scaling on one machine: pm, Plummer sphere, soa",
       "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
       "commit": sh("git", "rev-parse", "--short", "HEAD") + (" (with local changes)" if sh("git", "status", "--porcelain", "--untracked-files=no") else ""),
       "machine": {"cpu": lscpu.get("Model name", "?").strip(), "cores": os.cpu_count(),
                   "mem_total_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
                   "mpirun": sh("mpirun", "--version").splitlines()[0] if sh("mpirun", "--version") else "?"},
       "load_average_before": load, "config": {"particles": int(n), "grid": int(grid), "steps": int(steps),
                                                "repeats": int(repeats), "scene": "plummer", "layout": "soa"},
       "environment": "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=PASSIVE "
                      "OMPI_MCA_btl_vader_single_copy_mechanism=none HWLOC_COMPONENTS=-gl, OMP_NUM_THREADS per row",
       "script": "bash bench/run_mpi_scaling.sh build", "rows": rows}
with open(out + ".tmp", "w") as f:
    json.dump(doc, f, indent=1)
os.replace(out + ".tmp", out)
EOF
for label in serial np1x2 np2x1 np4x1; do cat "$TMP/$label.md"; echo; done > "$OUT/$NAME.md.tmp"
mv "$OUT/$NAME.md.tmp" "$OUT/$NAME.md"
echo "wrote $OUT/$NAME.json and $OUT/$NAME.md" >&2
