#!/usr/bin/env python3
"""The collision scene's first pericentre, read off a snapshot series.

    /usr/bin/python3 bench/collision_pericentre.py run_000.h5 run_001.h5 ...

Each file is a `slotsim batch --snapshot-every` snapshot of `--scene
collision` (sphere A is ids [0, N - N/2), sphere B the rest; sim/scenes/
collision.cpp). Prints, per file, the simulated time and the distance
between the two spheres' centres (the mean position of the innermost half
of each sphere's particles around its centre, found by shrinking spheres:
the plain mean drifts with the tidal tails), then the first pericentre: the
time of the first minimum of that distance, refined by a parabola through
the three snapshots around it. docs/GUI.md quotes it for the time steps and
meshes the GUI could use. Needs h5py (Debian's /usr/bin/python3 has it).
"""
import sys

import h5py
import numpy as np


def centre(pos):
    """Shrinking-sphere centre: the mean of the particles within r of the
    current centre, r shrinking to the half-mass radius and below."""
    c = pos.mean(axis=0)
    r = np.sqrt(((pos - c) ** 2).sum(axis=1)).max()
    for _ in range(40):
        d = np.sqrt(((pos - c) ** 2).sum(axis=1))
        inside = d < r
        if inside.sum() < max(100, len(pos) // 20):
            break
        c = pos[inside].mean(axis=0)
        r *= 0.85
    return c


def main(paths):
    rows = []
    for p in paths:
        with h5py.File(p, "r") as f:
            t = float(f["Header"].attrs["Time"])
            pos = f["PartType1/Coordinates"][...]
            ids = f["PartType1/ParticleIDs"][...]
        n = len(ids)
        a = ids < n - n // 2
        d = float(np.linalg.norm(centre(pos[a]) - centre(pos[~a])))
        rows.append((t, d))
        print("t = %7.3f  separation %.4f" % (t, d))
    rows.sort()
    for i in range(1, len(rows) - 1):
        if rows[i][1] <= rows[i - 1][1] and rows[i][1] < rows[i + 1][1]:
            (t0, d0), (t1, d1), (t2, d2) = rows[i - 1], rows[i], rows[i + 1]
            # Vertex of the parabola through the three points.
            den = (t0 - t1) * (t0 - t2) * (t1 - t2)
            A = (t2 * (d1 - d0) + t1 * (d0 - d2) + t0 * (d2 - d1)) / den
            B = (t2 * t2 * (d0 - d1) + t1 * t1 * (d2 - d0) + t0 * t0 * (d1 - d2)) / den
            tp = -B / (2 * A) if A > 0 else t1
            print("first pericentre: t = %.2f (separation %.3f at the nearest snapshot, t = %.2f)" % (tp, d1, t1))
            return 0
    print("no pericentre in these snapshots (last t = %.2f)" % rows[-1][0])
    return 1


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
