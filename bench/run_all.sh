#!/usr/bin/env bash
# Reproduces every figure quoted in docs/BENCHMARKS.md and the README:
# writes the tables (stdout of each run) and JSON/CSV under docs/bench/.
# Usage: bash bench/run_all.sh [build-dir]   (default: build)
# Takes about 20 minutes on a 2-core machine (the MPI scaling rows about 1-2 of
# them, bench/run_mpi_scaling.sh); needs ~8 GB free memory for
# the 10M-particle runs. Every bench table carries its own floor ratios,
# state hashes and a load warning when the machine was shared. The pm runs
# at 1M and 10M and the bh run (its pair kernels timed alone beside the
# walk) are quoted side by side in docs/BENCHMARKS.md's targets, so they
# must come from one invocation of this script.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/app/slotsim
OUT=docs/bench
mkdir -p "$OUT"
run() {  # name, then the slotsim arguments
  local name=$1; shift
  echo "== $name: slotsim $*" >&2
  { echo "\$ slotsim $*"; "$B" "$@"; } | tee "$OUT/$name.md"
}
{ date -u +"%Y-%m-%d %H:%M UTC"; uptime; git rev-parse --short HEAD 2>/dev/null || true;
  lscpu | grep -E "Model name|^CPU\(s\)" || true; } > "$OUT/date.txt"
run layouts_none_1m bench -n 1000000 --solver none --steps 10 --repeats 3 --threads 2 \
  --json "$OUT/layouts_none_1m.json" --csv "$OUT/layouts_none_1m.csv"
run layouts_pm_1m bench -n 1000000 --solver pm --grid 128 --steps 5 --repeats 3 --threads 2 \
  --json "$OUT/layouts_pm_1m.json" --csv "$OUT/layouts_pm_1m.csv"
run layouts_pm_1m_sorted bench -n 1000000 --solver pm --grid 128 --steps 5 --repeats 3 --threads 2 \
  --sort-every 5 --layouts dict,slots,shared-keys,soa --json "$OUT/layouts_pm_1m_sorted.json"
run layouts_bh_1m bench -n 1000000 --solver bh --theta 0.7 --steps 2 --repeats 2 --threads 2 \
  --layouts soa,slots,shared-keys,dict --json "$OUT/layouts_bh_1m.json" --csv "$OUT/layouts_bh_1m.csv"
run layouts_pm_10m bench -n 10000000 --solver pm --grid 128 --steps 3 --repeats 3 --threads 2 \
  --layouts soa,slots,shared-keys,dict --json "$OUT/layouts_pm_10m.json" --csv "$OUT/layouts_pm_10m.csv"
# The pm particle passes one by one, with the controls that say what bounds
# them (bench/pm_passes.cpp), for the note on the pm floor.
# The 10M soa row again, three times: its floor moves with the triad bandwidth
# the VM grants at that moment, so one row's ratio is not the whole story
# (write_docs.py quotes every repeat beside the row above).
for i in 1 2 3; do
  run "pm_10m_soa_repeat$i" bench -n 10000000 --solver pm --grid 128 --steps 3 --repeats 3 --threads 2 \
    --layouts soa --json "$OUT/pm_10m_soa_repeat$i.json"
done
for n in 1000000 10000000; do
  name=pm_passes_$((n / 1000000))m
  echo "== $name" >&2
  { echo "\$ ${1:-build}/bench/pm_passes --n $n --threads 2"; "${1:-build}/bench/pm_passes" --n "$n" --threads 2; } | tee "$OUT/$name.md"
done
bash bench/run_claims.sh "${1:-build}"
run energy_direct_2k batch -q -n 2000 --solver direct --steps 1000 --dt 0.005 --softening 0.01 --threads 2 \
  --json "$OUT/energy_direct_2k.json"
# Distributed scaling (serial, np 1 x 2, np 2 x 1, np 4 x 1) and the data of
# the 100M model: docs/bench/mpi_scaling_1m.{json,md}. Needs the MPI build.
if [[ -x ${1:-build}/app/slotsim-mpi ]]; then
  bash bench/run_mpi_scaling.sh "${1:-build}"
else
  echo "== mpi_scaling_1m: skipped (no ${1:-build}/app/slotsim-mpi: build with Open MPI)" >&2
fi
