#!/usr/bin/env bash
# The lecture's claims on every slotsim model and every CPython installed:
# writes docs/bench/claims_python.{md,json} and docs/bench/claims_date.txt
# (machine, load, commit), which bench/write_docs.py turns into
# docs/CLAIMS.md, the claims table of docs/BENCHMARKS.md, the per-version
# --python-objects table of docs/LAYOUTS.md and the README's lesson summary.
# Usage: bash bench/run_claims.sh [build-dir]   (also run by run_all.sh)
# About 30 s per interpreter plus the models' 10M-instance stores (~3 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/app/slotsim
OUT=docs/bench
mkdir -p "$OUT"
{ date -u +"%Y-%m-%d %H:%M UTC"; uptime; git rev-parse --short HEAD 2>/dev/null || true;
  lscpu | grep -E "Model name|^CPU\(s\)" || true; } > "$OUT/claims_date.txt"
echo "== claims_python: slotsim bench --claims --python all" >&2
{ echo "\$ slotsim bench --claims --python all --json $OUT/claims_python.json";
  "$B" bench --claims --python all --json "$OUT/claims_python.json"; } | tee "$OUT/claims_python.md"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/claims_date.txt"
