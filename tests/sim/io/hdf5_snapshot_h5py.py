"""h5py reads what `slotsim batch --snapshot FILE.h5` writes.

Proof that another tool opens the files: the Gadget Header and PartType1
datasets have the documented names, shapes and dtypes, the values equal the
CSV snapshot of the same run bit for bit (after ordering by ParticleIDs),
and Acceleration / Potential agree with a pair sum done here in numpy.

Usage: hdf5_snapshot_h5py.py SLOTSIM_BINARY. Exits 77 (ctest: skipped) with
a message if h5py is not installed for this interpreter.
"""
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
except ImportError as e:
    print(f"SKIP: h5py/numpy not importable by {sys.executable}: {e}")
    sys.exit(77)


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def main():
    slotsim = sys.argv[1]
    n, steps, dt, eps = 400, 3, 0.01, 0.05
    with tempfile.TemporaryDirectory(prefix="slotsim-h5py-") as d:
        h5, csv = os.path.join(d, "s.h5"), os.path.join(d, "s.csv")
        common = [slotsim, "batch", "-q", "--threads", "1", "-n", str(n), "--steps", str(steps), "--dt", str(dt),
                  "--softening", str(eps), "--sort-every", "1", "--layout", "slots+dict"]
        subprocess.run(common + ["--snapshot", h5, "--snapshot-fields", "acc,pot"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(common + ["--snapshot", csv], check=True, stdout=subprocess.DEVNULL)

        with h5py.File(h5, "r") as f:
            h = f["Header"].attrs
            check(list(h["NumPart_ThisFile"]) == [0, n, 0, 0, 0, 0], "NumPart_ThisFile")
            check(list(h["NumPart_Total"]) == [0, n, 0, 0, 0, 0], "NumPart_Total")
            check(list(h["MassTable"]) == [0.0] * 6, "MassTable")
            check(abs(h["Time"] - steps * dt) < 1e-15, "Time")
            check(h["Redshift"] == 0.0 and h["BoxSize"] == 0.0 and h["NumFilesPerSnapshot"] == 1, "scalars")

            p = f["PartType1"]
            for name, shape in [("Coordinates", (n, 3)), ("Velocities", (n, 3)), ("Masses", (n,)),
                                ("Acceleration", (n, 3)), ("Potential", (n,))]:
                check(p[name].shape == shape and p[name].dtype == np.float64, f"{name} shape/dtype")
            ids = p["ParticleIDs"][...]
            check(ids.dtype == np.uint64 and sorted(ids.tolist()) == list(range(n)), "ParticleIDs permutation")
            check(not np.array_equal(ids, np.arange(n)), "rows in Morton (storage) order after --sort-every")

            order = np.argsort(ids)
            pos, vel, m = p["Coordinates"][...][order], p["Velocities"][...][order], p["Masses"][...][order]
            ref = np.loadtxt(csv, delimiter=",", skiprows=1)
            check(np.array_equal(np.column_stack([pos, vel, m]), ref), "values equal the CSV snapshot bit for bit")

            # Softened pair sums (G = 1) in the file's own row order.
            x, mm = p["Coordinates"][...], p["Masses"][...]
            dx = x[None, :, :] - x[:, None, :]
            r2 = (dx ** 2).sum(axis=2) + eps * eps
            np.fill_diagonal(r2, np.inf)
            phi = -(mm[None, :] / np.sqrt(r2)).sum(axis=1)
            acc = (mm[None, :, None] * dx / r2[:, :, None] ** 1.5).sum(axis=1)
            check(np.allclose(p["Potential"][...], phi, rtol=1e-12, atol=0), "Potential == pair sum")
            check(np.allclose(p["Acceleration"][...], acc, rtol=1e-9, atol=1e-12), "Acceleration == pair sum")

            s = f["slotsim"].attrs
            check(s["step"] == steps and s["solver"] == "direct" and s["layout"] == "slots+dict", "slotsim attrs")
            check(len(s["state_hash_hex"]) == 16 and s["forces_cached"] == 1, "state hash, force cache")
            check(f["slotsim/LeapfrogAcceleration"].shape == (n, 3), "leapfrog cache")
    print("h5py read the snapshot: Header, PartType1 and slotsim group as documented")


if __name__ == "__main__":
    main()
