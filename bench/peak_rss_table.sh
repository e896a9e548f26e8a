#!/usr/bin/env bash
# Issue 20, item 8: --dry-run's plan against the real peak RSS (slotsim and
# its HDF5 reader child, bench/peak_rss.py) for the cases the issue found
# wrong, and for a restart of each solver, plus fresh pm runs (the pm plan
# is priced by the occupancy of the starting positions). Prints a Markdown
# table.
#   bench/peak_rss_table.sh [BUILD_DIR]    (default: build)
# Sizes are the issue's where they fit a 2-core machine in well under a
# minute each (pm grid 256, --ic at 4M, shared-keys at 2M); the restarts use
# sizes whose steps take seconds (direct 20k, bh 1M, none 4M, pm 100k).
set -euo pipefail
cd "$(dirname "$0")/.."
S=$(realpath "${1:-build}")/app/slotsim
T=$(mktemp -d /tmp/slotsim-peak-XXXXXX)
trap 'rm -rf "$T"' EXIT
P="python3 bench/peak_rss.py"
mk() { "$S" batch -q "$@" >/dev/null; }
# Inputs: snapshots to restart from and an --ic file.
mk --layout dict --solver pm --grid 256 -n 100000 --steps 1 --snapshot "$T/pm256.h5"
mk --scene cold-cube --layout dict --solver pm --grid 256 -n 100000 --steps 1 --snapshot "$T/pm256-cube.h5"
mk --layout dict --solver direct -n 20000 --steps 1 --snapshot "$T/direct.h5"
mk --layout dict --solver bh -n 1000000 --steps 1 --snapshot "$T/bh.h5"
mk --solver none -n 4000000 --steps 1 --snapshot "$T/none4m.h5"
ln -s /dev/null "$T/device.h5"  # an HDF5 name for a device
echo "| case | planned | peak RSS | peak / plan | load |"
echo "|---|---:|---:|---:|---:|"
$P --row "restart of a dict run, pm grid 256, 100k (plummer)" -- "$S" batch -q --restart "$T/pm256.h5" --steps 2
$P --row "restart of a dict run, pm grid 256, 100k (cold-cube)" -- "$S" batch -q --restart "$T/pm256-cube.h5" --steps 2
$P --row "fresh pm grid 256, 100k (plummer)" -- "$S" batch -q --layout dict --solver pm --grid 256 -n 100000 --steps 2
$P --row "fresh pm grid 256, 100k (cold-cube)" -- "$S" batch -q --scene cold-cube --layout dict --solver pm --grid 256 -n 100000 --steps 2
$P --row "snapshot written to a device (HDF5, 4M, none)" -- "$S" batch -q --solver none -n 4000000 --steps 1 --snapshot "$T/device.h5"
$P --row "--ic HDF5 at 4M (none)" -- "$S" batch -q --solver none --ic "$T/none4m.h5" --steps 1
$P --row "shared-keys with __dict__ read at 2M (none)" -- "$S" batch -q --solver none --layout shared-keys --read-dict all -n 2000000 --steps 1
$P --row "restart: direct, dict, 20k" -- "$S" batch -q --restart "$T/direct.h5" --steps 1
$P --row "restart: bh, dict, 1M" -- "$S" batch -q --restart "$T/bh.h5" --steps 1
$P --row "restart: none, soa, 4M" -- "$S" batch -q --restart "$T/none4m.h5" --steps 1
