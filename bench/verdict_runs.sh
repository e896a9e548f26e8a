#!/usr/bin/env bash
# The ten-run check of the access-speed verdict (issue 17): runs
# `slotsim bench --claims` RUNS times (default 10) and prints, per run, the
# load before and after and the verdict of "attribute access is faster on
# slotted instances" for each slotsim model and each interpreter, with the
# reads/updates ratios and their 99% intervals; then whether any verdict
# flipped between "holds" and "does not hold" (it must not), and how many
# runs resolved nothing.
# Usage: bash bench/verdict_runs.sh [build-dir] [runs] [python-spec]
#   python-spec as for --python: python3 (default), a list, or all.
# Writes docs/bench/verdict_runs.md (the table; OUT=dir puts it elsewhere)
# and keeps each run's JSON in a /tmp/verdict-runs-* folder it names. ~45 s per
# run and interpreter on a 2-core machine. Run it on a quiet machine for the
# docs (the table records the load of every run).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/app/slotsim
RUNS=${2:-10}
PY=${3:-python3}
OUT=${OUT:-docs/bench}
RUNS_DIR=$(mktemp -d /tmp/verdict-runs-XXXXXX)
mkdir -p "$OUT"
echo "run JSONs in $RUNS_DIR" >&2
for i in $(seq 1 "$RUNS"); do
  echo "== run $i/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  "$B" bench --claims --claims-sample 100000 --claims-instances 100000 --python "$PY" \
    --json "$RUNS_DIR/run$i.json" > /dev/null
done
python3 - "$RUNS_DIR" "$RUNS" <<'PY' | tee "$OUT/verdict_runs.md"
import json, subprocess, sys
rd, runs = sys.argv[1], int(sys.argv[2])
docs = [json.load(open("%s/run%d.json" % (rd, i))) for i in range(1, runs + 1)]
rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
cpu = docs[0]["machine"]["cpu"]
print("Access-speed verdict, %d runs of `slotsim bench --claims --claims-sample 100000 --claims-instances 100000 "
      "--python %s` (bash bench/verdict_runs.sh), commit %s, %s, %d CPUs." %
      (runs, docs[0]["options"]["python"], rev or "?", cpu, docs[0]["machine"]["cores"]))
print()
print(docs[0]["verdict_rule"] + ".")
print()
def cell(c):
    word = {"holds": "holds", "does_not_hold": "does not hold", "unresolved": "unresolved"}.get(c["outcome"], "n/a")
    return "%s (%s)" % (word, c["headline"]) if c["available"] else "n/a"
first = [r for r in docs[0]["claims"] if r["id"] == "access_speed"][0]
cols = [c["column"] for c in first["models"]] + [c["column"] for c in first["measured"]]
print("| run | load before / after | " + " | ".join(cols) + " |")
print("|---|---|" + "---|" * len(cols))
seen = {}
for i, d in enumerate(docs, 1):
    row = [r for r in d["claims"] if r["id"] == "access_speed"][0]
    cells = row["models"] + row["measured"]
    for c in cells:
        seen.setdefault(c["column"], set()).add(c["outcome"])
    print("| %d | %.2f / %.2f | %s |" % (i, d["load"]["before"], d["load"]["after"], " | ".join(cell(c) for c in cells)))
print()
flips = [col for col, o in seen.items() if "holds" in o and "does_not_hold" in o]
for col, o in seen.items():
    print("- %s: %s" % (col, ", ".join(sorted(o))))
print()
print("Flips between holds and does not hold: %s." % (", ".join(flips) if flips else "none"))
cores = docs[0]["machine"]["cores"]
busy = sum(1 for d in docs if max(d["load"]["before"], d["load"]["after"]) > cores)
if busy:
    print()
    print("The machine was shared: the load average passed its %d CPUs in %d of %d runs, so these runs show what "
          "load does to the verdicts, not a quiet machine's." % (cores, busy, runs))
PY
