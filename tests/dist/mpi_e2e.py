#!/usr/bin/env python3
"""End-to-end tests of slotsim-mpi against the serial slotsim.

Each group is one ctest entry (tests/dist/CMakeLists.txt):
  mpi_e2e.py GROUP [ARG] --serial SLOTSIM --mpi SLOTSIM_MPI --mpirun MPIRUN --rank-exit rank_exit.sh

Every MPI run goes through `mpirun -q --oversubscribe -np P`: -q keeps
mpirun's own notices out of stderr, so what is left is slotsim's. Small N
throughout: the contract is bits, not speed. Exit 77 means "skipped" (h5py
missing for the snapshot checks).
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ARGS = None
FAILURES = []


def check(cond, what):
    if cond:
        print(f"ok   {what}", flush=True)
    else:
        print(f"FAIL {what}", flush=True)
        FAILURES.append(what)


def env():
    e = dict(os.environ)
    e.update({
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        # One thread per rank: the ranks are oversubscribed already.
        "OMP_NUM_THREADS": e.get("OMP_NUM_THREADS", "1"),
        "OMP_WAIT_POLICY": "PASSIVE",
        # Containers refuse the cross-memory attach vader uses (ompi #4948).
        "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
        # mpirun's hwloc would open any X server it finds (a GUI test's Xvfb)
        # to look for GPUs, and print a line when it is refused.
        "HWLOC_COMPONENTS": "-gl",
    })
    return e


def run(cmd, cwd, timeout=120, env_extra=None):
    e = env()
    if env_extra:
        e.update(env_extra)
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=e)
    p.seconds = time.monotonic() - t0
    return p


def serial(args, cwd):
    return run([ARGS.serial] + args, cwd)


def mpi(np, args, cwd, timeout=120, wrap=None, env_extra=None):
    pre = (wrap if isinstance(wrap, list) else [wrap]) if wrap else []
    return run([ARGS.mpirun, "-q", "--oversubscribe", "-np", str(np)] + pre + [ARGS.mpi] + args, cwd, timeout,
               env_extra)


def state_hash(p):
    m = re.search(r"\| state hash \| ([0-9a-f]{16}) \|", p.stdout)
    return m.group(1) if m else None


def require_ok(p, what):
    if p.returncode != 0:
        print(f"--- {what} exited {p.returncode}\nstdout:\n{p.stdout[-3000:]}\nstderr:\n{p.stderr[-3000:]}", flush=True)
    check(p.returncode == 0, f"{what}: exit 0")


def same_hash(flags, nps, cwd, what):
    """`batch FLAGS` serially and at each np: the same final state hash."""
    flags = ["batch"] + flags
    s = serial(flags, cwd)
    require_ok(s, f"serial {what}")
    ref = state_hash(s)
    for np in nps:
        p = mpi(np, flags, cwd)
        require_ok(p, f"np {np} {what}")
        print(f"     {what}: serial {ref}  np {np} {state_hash(p)}", flush=True)
        check(ref is not None and state_hash(p) == ref, f"{what}: np {np} has the serial hash")
    return ref


SCENES = ["plummer", "cold-cube", "collision", "disk"]
SOLVER_FLAGS = {
    "direct": ["--solver", "direct", "-n", "1001"],
    "none": ["--solver", "none", "-n", "1001"],
    "bh": ["--solver", "bh", "-n", "3001", "--theta", "0.6"],
    "pm": ["--solver", "pm", "-n", "3001", "--grid", "32"],
    # 30 planes over 4 ranks: slabs of 7 and 8, so the uneven split is covered.
    "pm-periodic": ["--solver", "pm", "-n", "3001", "--grid", "30", "--periodic"],
}


def group_hash(solver, d):
    """Every scene at np 3 (uneven segments), plummer also at np 1, 2 and 4."""
    base = SOLVER_FLAGS[solver] + ["-q", "--steps", "3", "--seed", "5", "--dt", "0.002"]
    if solver != "none":
        base += ["--softening", "0.05"]
    for scene in SCENES:
        nps = [1, 2, 3, 4] if scene == "plummer" else [3]
        same_hash(base + ["--scene", scene], nps, d, f"{solver} {scene}")


def group_switch(d):
    base = ["-q", "--solver", "direct", "-n", "1001", "--steps", "4", "--seed", "2"]
    same_hash(base + ["--layout", "dict", "--switch-at", "1:slots", "--switch-at", "2:shared-keys",
                      "--switch-at", "3:soa"], [2, 3], d, "dict -> slots -> shared-keys -> soa")
    same_hash(base + ["--layout", "slots+dict", "--python-objects", "--switch-at", "2:dict"], [3], d,
              "--python-objects slots+dict -> dict")
    # The report sums bytes over the ranks: a dict run's bytes per particle
    # equal the serial run's (same layout, same particles).
    j = os.path.join(d, "sw.json")
    p = mpi(3, ["batch"] + base + ["--layout", "dict", "--json", j], d)
    require_ok(p, "np 3 dict json")
    s = serial(["batch"] + base + ["--layout", "dict", "--json", j + ".serial"], d)
    a, b = json.load(open(j)), json.load(open(j + ".serial"))
    check(a["bytes_per_particle"] == b["bytes_per_particle"], "dict bytes per particle summed over ranks = serial")
    check(sum(r["particles"] for r in a["ranks"]) == 1001, "per-rank particles add up to N")


def group_uneven(d):
    for solver in ["direct", "none", "bh", "pm"]:
        extra = ["--grid", "16"] if solver == "pm" else []
        for n, np in [(5, 4), (3, 4), (1, 2), (7, 3)]:
            same_hash(["-q", "--solver", solver, "-n", str(n), "--steps", "3", "--seed", "9"] + extra, [np], d,
                      f"{solver} N={n}")


def h5():
    try:
        import h5py  # noqa: F401
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False


def compare_files(a_path, b_path, allowed_attrs):
    """Every dataset byte-identical, every attribute equal except `allowed_attrs` (group/name)."""
    import h5py
    import numpy as np
    a, b = h5py.File(a_path, "r"), h5py.File(b_path, "r")
    names_a, names_b = [], []
    a.visit(names_a.append)
    b.visit(names_b.append)
    check(sorted(names_a) == sorted(names_b), f"{b_path}: same groups and datasets as {a_path}")
    for n in names_a:
        x, y = a[n], b.get(n)
        if isinstance(x, h5py.Dataset):
            same = y is not None and x.dtype == y.dtype and x.shape == y.shape and x[()].tobytes() == y[()].tobytes()
            check(same, f"dataset {n} byte-identical")
    for g in [""] + [n for n in names_a if isinstance(a[n], h5py.Group)]:
        ga, gb = a[g] if g else a, b[g] if g else b
        for k in sorted(set(ga.attrs) | set(gb.attrs)):
            key = f"/{g}/{k}" if g else f"/{k}"
            if key in allowed_attrs:
                continue
            va, vb = ga.attrs.get(k), gb.attrs.get(k)
            check(va is not None and vb is not None and np.array_equal(va, vb), f"attribute {key} equal ({va} / {vb})")


def group_snapshot(d):
    if not h5():
        print("skip: this python3 has no h5py")
        sys.exit(77)
    base = ["batch", "-q", "--solver", "bh", "-n", "2001", "--seed", "3"]
    s = serial(base + ["--steps", "3", "--snapshot", "serial.h5", "--snapshot-fields", "acc,pot"], d)
    require_ok(s, "serial snapshot")
    p = mpi(4, base + ["--steps", "3", "--snapshot", "mpi.h5", "--snapshot-fields", "acc,pot"], d)
    require_ok(p, "np 4 snapshot")
    check(state_hash(p) == state_hash(s), "np 4: serial hash")
    compare_files(os.path.join(d, "serial.h5"), os.path.join(d, "mpi.h5"), {"/slotsim/mpi_ranks"})
    import h5py
    check(int(h5py.File(os.path.join(d, "mpi.h5"))["slotsim"].attrs["mpi_ranks"]) == 4, "mpi_ranks = 4")
    # The serial binary reads the MPI file (and the other way round, below).
    r = serial(["batch", "-q", "--restart", "mpi.h5", "--steps", "1"], d)
    require_ok(r, "serial restart of the MPI file")
    # --snapshot-every: the same series, file by file.
    s = serial(base + ["--steps", "4", "--snapshot", "ser.h5", "--snapshot-every", "2"], d)
    p = mpi(3, base + ["--steps", "4", "--snapshot", "par.h5", "--snapshot-every", "2"], d)
    require_ok(p, "np 3 --snapshot-every")
    for i in range(3):
        a, b = os.path.join(d, f"ser_{i:03d}.h5"), os.path.join(d, f"par_{i:03d}.h5")
        check(os.path.exists(b), f"par_{i:03d}.h5 written")
        if os.path.exists(a) and os.path.exists(b):
            compare_files(a, b, {"/slotsim/mpi_ranks"})
    left = [f for f in os.listdir(d) if f.startswith(".") or ".tmp" in f]
    check(not left, f"no temporary files left ({left})")


def group_restart(d):
    base = ["batch", "-q", "--solver", "direct", "-n", "1001", "--seed", "6"]
    full = serial(base + ["--steps", "6"], d)
    ref = state_hash(full)
    p = mpi(4, base + ["--steps", "3", "--snapshot", "at3.h5"], d)
    require_ok(p, "np 4 first half")
    for np in [2, 3]:
        q = mpi(np, ["batch", "-q", "--restart", "at3.h5", "--steps", "3"], d)
        require_ok(q, f"np {np} restart")
        check(state_hash(q) == ref, f"np 4 -> np {np}: the uninterrupted run's hash")
    q = serial(["batch", "-q", "--restart", "at3.h5", "--steps", "3"], d)
    check(state_hash(q) == ref, "np 4 -> serial: the uninterrupted run's hash")
    s = serial(base + ["--steps", "3", "--snapshot", "s3.h5"], d)
    q = mpi(3, ["batch", "-q", "--restart", "s3.h5", "--steps", "3", "--layout", "dict"], d)
    require_ok(q, "serial -> np 3 restart")
    check(state_hash(q) == ref, "serial -> np 3 (switched to dict): the uninterrupted run's hash")
    # A restart's report is the serial restart's: E0 the snapshot's (so the
    # error is the whole run's), steps counted in this run, where it began.
    full = serial(base + ["--steps", "6", "--json", "full.json"], d)
    require_ok(full, "serial 6 steps json")
    sj = serial(["batch", "-q", "--restart", "s3.h5", "--steps", "3", "--json", "sr.json"], d)
    require_ok(sj, "serial restart json")
    q = mpi(2, ["batch", "-q", "--restart", "s3.h5", "--steps", "3", "--json", "mr.json"], d)
    require_ok(q, "np 2 restart json")
    a, b = json.load(open(os.path.join(d, "sr.json"))), json.load(open(os.path.join(d, "mr.json")))
    f = json.load(open(os.path.join(d, "full.json")))
    for k in ["status", "steps_requested", "steps_done", "step", "steps", "restarted_from", "restart_step",
              "energy_initial", "energy_initial_from", "energy_final", "energy_rel_error", "kinetic_final",
              "potential_final", "potential_method", "momentum", "layout", "initial_layout", "particles", "scene",
              "seed", "solver", "dt", "softening", "state_hash"]:
        check(k in a and k in b and a[k] == b[k], f"restart json: {k} as serial's ({a.get(k)} / {b.get(k)})")
    # Every key of the serial report but the one process's own memory figures.
    own = {"heap_current_bytes", "heap_peak_bytes", "heap_current_usable_bytes", "heap_peak_usable_bytes",
           "heap_live_blocks", "categories", "rss_bytes", "python_objects_version"}
    missing = sorted(set(a) - set(b) - own)
    check(not missing, f"restart json: every serial key ({missing} missing)")
    check(b["steps_done"] == 3 and b["step"] == 6 and b["restart_step"] == 3, "restart json: 3 steps, now at step 6")
    for k in ["energy_initial", "energy_final", "energy_rel_error", "state_hash"]:
        check(b.get(k) == f[k], f"restart json: {k} as the uninterrupted run's ({b.get(k)} / {f[k]})")
    check("| restarted from | s3.h5 at step 3 |" in q.stdout and "| steps done | 3 of 3 (now at step 6) |" in q.stdout,
          "restart summary: where it began, the steps of this run")
    q = mpi(2, ["batch", "-q", "--restart", "s3.h5", "--steps", "3", "--solver", "bh"], d)
    check(q.returncode == 2 and "--solver cannot be combined with --restart" in q.stderr, "restart refuses --solver")
    # An energy that overflows a double (a mass of 1e300 at 1e10): the run
    # says so in words, and its snapshot restarts (it carried E0 = inf,
    # which --restart refused), to the bits of the serial 4-step run.
    with open(os.path.join(d, "heavy.csv"), "w") as f:
        f.write("x,y,z,vx,vy,vz,mass\n0,0,0,1e10,0,0,1e300\n1,0,0,0,0,0,1\n")
    q = mpi(2, ["batch", "-q", "--ic", "heavy.csv", "--solver", "none", "--steps", "2", "--snapshot", "heavy.h5"], d)
    require_ok(q, "heavy.csv")
    check("not measured: the energy overflows a double" in q.stdout, "overflowing energy: said in words")
    q = mpi(2, ["batch", "-q", "--restart", "heavy.h5", "--steps", "2"], d)
    require_ok(q, "restart of heavy.h5")
    s = serial(["batch", "-q", "--ic", "heavy.csv", "--solver", "none", "--steps", "4"], d)
    check(state_hash(q) == state_hash(s), "overflowing energy: the restart continues to the serial run's bits")
    q = mpi(2, ["batch", "-q", "--restart", "s3.h5", "--steps", "3", "--theta", "0.7"], d)
    check(q.returncode == 2 and "--theta cannot be combined with --restart" in q.stderr,
          f"restart refuses --theta as fixed by the snapshot, not as another solver's flag: {q.stderr.strip()}")


def fresh_dir(base, name):
    p = os.path.join(base, name)
    os.makedirs(p)
    return p


def rank_codes_env(codes):
    """rank_exit.sh records each rank's exit status in `codes`. By default
    mpirun kills the other ranks as soon as one exits non-zero, before
    they could record theirs; this keeps them (mpirun then exits 0)."""
    return {"RANK_EXIT_DIR": codes, "OMPI_MCA_orte_abort_on_non_zero_status": "0"}


def fault(base, name, np, args, want_code, want_text, prep=None, allow_files=(), wrap=()):
    """A refusal or fault: ends in 30 s, one line on stderr naming it, the
    same exit code on every rank, nothing written. `wrap`: a command each
    rank runs under (inside rank_exit.sh)."""
    d = fresh_dir(base, name)
    codes = fresh_dir(base, name + "-codes")
    if prep:
        prep(d)
    before = set(os.listdir(d))
    try:
        p = mpi(np, args, d, timeout=30, wrap=[ARGS.rank_exit] + list(wrap), env_extra=rank_codes_env(codes))
    except subprocess.TimeoutExpired:
        check(False, f"{name}: ended within 30 s")
        return None
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    print(f"     {name}: exit {p.returncode} in {p.seconds:.1f} s: {lines}", flush=True)
    check(p.seconds < 30, f"{name}: ended within 30 s")
    check(len(lines) == 1 and want_text in lines[0], f"{name}: one line naming the problem ('{want_text}')")
    ranks = sorted(os.listdir(codes))
    got = {open(os.path.join(codes, f)).read().strip() for f in ranks}
    check(len(ranks) == np and got == {str(want_code)}, f"{name}: every rank exits {want_code} ({got})")
    written = set(os.listdir(d)) - before - set(allow_files)
    check(not written, f"{name}: nothing written ({sorted(written)})")
    return p


def same_refusal(p, args, d, name):
    """The serial batch refuses `args` in `d` with the line slotsim-mpi printed."""
    s = serial(args, d)
    tail = lambda text: [l.split(": error: ", 1)[-1] for l in text.splitlines() if l.strip()]
    print(f"     {name}: serial exit {s.returncode}: {tail(s.stderr)}", flush=True)
    check(p is not None and s.returncode == 2 and tail(s.stderr) == tail(p.stderr),
          f"{name}: the serial batch's refusal, same line")


def make_nan_restart(d):
    """A snapshot whose particle 900 (of 1001: rank 3's rows at np 4) has a NaN."""
    p = mpi(2, ["batch", "-q", "-n", "1001", "--solver", "none", "--steps", "1", "--snapshot", "nan.h5"], d)
    require_ok(p, "snapshot to poison")
    import h5py
    with h5py.File(os.path.join(d, "nan.h5"), "r+") as f:
        f["PartType1/Coordinates"][900, 1] = float("nan")


def make_blowup_csv(d):
    """10 particles; particle 8 (rank 3's at np 4) moves off to infinity in one drift."""
    with open(os.path.join(d, "blow.csv"), "w") as f:
        f.write("x,y,z,vx,vy,vz,mass\n")
        for i in range(10):
            f.write(f"{i * 0.1},{i * 0.05},0,0,0,{1e308 if i == 8 else 0},0.1\n")


def group_faults(base):
    out = ["--json", "out.json", "--snapshot", "out.h5", "--csv", "out.csv"]
    fault(base, "bad-flag", 3, ["batch", "--bogus"], 2, "--bogus")
    fault(base, "bad-value", 3, ["batch", "--steps", "x"] + out, 2, "--steps 'x'")
    fault(base, "missing-file", 3, ["batch", "--ic", "nope.csv"] + out, 2, "nope.csv")
    fault(base, "pm-too-many-ranks", 9, ["batch", "--solver", "pm", "--grid", "16"] + out, 2, "at most 8 ranks")
    # Every output and input against the --snapshot-every series, as the
    # serial batch checks them: a report named like a series file, and a
    # --restart input the series would overwrite (x_003.h5 at step 2: the
    # series writes x_003.h5 and x_004.h5). The same line as serial's.
    series = ["--snapshot", "x.h5", "--snapshot-every", "1", "--steps", "2"]
    want = "--json 'x_001.h5' is a file of the --snapshot-every series (x_000.h5 to x_002.h5), which would overwrite it"
    p = fault(base, "series-names-an-output", 2, ["batch", "-q", "-n", "2000", "--json", "x_001.h5"] + series, 2, want)
    same_refusal(p, ["batch", "-q", "-n", "2000", "--json", "x_001.h5"] + series,
                 os.path.join(base, "series-names-an-output"), "series-names-an-output")
    saved = {}

    def make_restart_in_series(d):
        require_ok(serial(["batch", "-q", "-n", "2000", "--steps", "2", "--snapshot", "x_003.h5"], d), "x_003.h5")
        saved["bytes"] = open(os.path.join(d, "x_003.h5"), "rb").read()
        saved["dir"] = d

    want = "--restart 'x_003.h5' is a file of the --snapshot-every series (x_003.h5 to x_004.h5), which would " \
           "overwrite the input"
    p = fault(base, "series-names-the-restart", 2, ["batch", "-q", "--restart", "x_003.h5"] + series, 2, want,
              prep=make_restart_in_series, allow_files=("x_003.h5",))
    check(open(os.path.join(saved["dir"], "x_003.h5"), "rb").read() == saved["bytes"],
          "series-names-the-restart: the --restart input is unchanged")
    same_refusal(p, ["batch", "-q", "--restart", "x_003.h5"] + series, saved["dir"], "series-names-the-restart")
    # p.__dict__ on a layout without one: refused before the particles are
    # made, on every rank, with serial's line (it failed after spawning them).
    args = ["batch", "-q", "-n", "2000", "--layout", "soa", "--read-dict", "all"]
    p = fault(base, "read-dict-no-dict", 2, args, 2, "--read-dict: layout soa has no __dict__")
    same_refusal(p, args, os.path.join(base, "read-dict-no-dict"), "read-dict-no-dict")
    fault(base, "memory-refused", 3, ["batch", "-n", "4000000000", "--layout", "dict"] + out, 1,
          "refused before allocating")
    if h5():
        fault(base, "nan-on-one-rank", 4, ["batch", "--restart", "nan.h5", "--steps", "2"] + out, 2,
              "Coordinates[900][1] is nan", prep=make_nan_restart, allow_files=("nan.h5",))
    # A value that goes non-finite on one rank only: every rank stops at the
    # same step, the reports say "diverged" (as serial batch's), exit 3.
    d = fresh_dir(base, "diverged")
    make_blowup_csv(d)
    codes = fresh_dir(base, "diverged-codes")
    p = mpi(4, ["batch", "-q", "--ic", "blow.csv", "--solver", "direct", "--dt", "10", "--steps", "3", "--json",
                "out.json", "--snapshot", "out.h5"], d, timeout=30, wrap=ARGS.rank_exit,
            env_extra=rank_codes_env(codes))
    got = [open(os.path.join(codes, f)).read().strip() for f in os.listdir(codes)]
    check(got == ["3"] * 4, f"diverged on one rank: every rank exits 3 ({got})")
    rep = json.load(open(os.path.join(d, "out.json")))
    check(rep["status"] == "diverged" and "particle 8 has a non-finite position" in rep["status_message"],
          "diverged: the report names particle 8")
    check(not os.path.exists(os.path.join(d, "out.h5")), "diverged: no snapshot of the non-finite state")
    # The snapshot's refusal in the report, and one line on stderr, as the
    # serial batch's (it was a second line, and the report did not say).
    lost = rep.get("outputs_failed", [])
    check([f["output"] for f in lost] == ["--snapshot"] and "particle 8 has z = inf; not written" in lost[0]["error"],
          f"diverged: the report says the snapshot was not written, and why ({lost})")
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    check(len(lines) == 1 and lines[0].startswith("slotsim-mpi batch: diverged: ")
          and lines[0].endswith('outputs written with "status": "diverged" where they could be'),
          f"diverged: one line, saying some outputs could not be written ({lines})")
    s = serial(["batch", "-q", "--ic", "blow.csv", "--solver", "direct", "--dt", "10", "--steps", "3"], d)
    check(state_hash(s) == state_hash(p), "diverged: the serial run's final hash")
    # Two particles at one point with softening 0, on different ranks
    # (ids 1 and 6 of 8: ranks 0 and 1 at np 2, 0 and 3 at np 4): one line
    # names the pair as serial batch's does; each rank's own search saw
    # only its particles, and the line said "particle 1 has a non-finite
    # acceleration".
    d = fresh_dir(base, "coincident")
    with open(os.path.join(d, "same.csv"), "w") as f:
        f.write("x,y,z,vx,vy,vz,mass\n")
        for i in range(8):
            f.write("0.5,0.25,0,0,0,0,1\n" if i in (1, 6) else f"{i},{i * i},1,0,0,0,1\n")
    args = ["batch", "-q", "--ic", "same.csv", "--solver", "direct", "--softening", "0", "--steps", "1"]
    want = "step 1: particles 1 and 6 coincide at (0.5, 0.25, 0) with softening 0"
    s = serial(args, d)
    check(s.returncode == 3 and want in s.stderr, f"coincident: serial names the pair ({s.stderr.strip()})")
    for np_ in (2, 4):
        p = mpi(np_, args, d, timeout=30)
        said = [l for l in p.stderr.splitlines() if "diverged:" in l]
        check(p.returncode == 3 and len(said) == 1 and said[0] == s.stderr.strip().replace("slotsim ", "slotsim-mpi ", 1),
              f"coincident at np {np_}: serial's line, naming the pair across ranks ({said})")
    # bench diverging (a periodic box of 1e-300: the first forces are not
    # finite): every rank exits 3 with rank 0's one line, as serial bench;
    # it went through MPI_Abort, one error line per rank and Open MPI's banner.
    d = fresh_dir(base, "bench-diverged")
    codes = fresh_dir(base, "bench-diverged-codes")
    p = mpi(2, ["bench", "-n", "1000", "--steps", "2", "--repeats", "1", "--layouts", "soa", "--solver", "pm",
                "--periodic", "--box", "1e-300", "--json", "out.json"], d, timeout=30, wrap=ARGS.rank_exit,
            env_extra=rank_codes_env(codes))
    got = [open(os.path.join(codes, f)).read().strip() for f in os.listdir(codes)]
    errors = [l for l in p.stderr.splitlines() if "error" in l]
    check(got == ["3"] * 2, f"bench diverged: every rank exits 3 ({got})")
    check(len(errors) == 1 and "non-finite" in errors[0] and "MPI_ABORT" not in p.stderr,
          f"bench diverged: rank 0's one line ({errors})")
    check(not os.path.exists(os.path.join(d, "out.json")), "bench diverged: no report (no layout finished a row)")
    # Signals to mpirun: every rank stops after the same step, the reports
    # are written and say "interrupted", no partial snapshot is left.
    for sig in (signal.SIGTERM, signal.SIGINT):
        d = fresh_dir(base, f"signal-{sig.name}")
        cmd = [ARGS.mpirun, "-q", "--oversubscribe", "-np", "3", ARGS.mpi, "batch", "-q", "-n", "2000", "--solver",
               "direct", "--steps", "1000000", "--json", "out.json", "--snapshot", "out.h5"]
        e = env()
        # mpirun passes the signal on as SIGTERM after this many seconds and
        # kills after as many again (its default of 1 is short on a loaded
        # machine); docs/DISTRIBUTED.md says the same for real runs.
        e["OMPI_MCA_odls_base_sigkill_timeout"] = "5"
        p = subprocess.Popen(cmd, cwd=d, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        t0 = time.monotonic()
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            check(False, f"{sig.name}: ended within 30 s")
            continue
        print(f"     {sig.name}: mpirun exit {p.returncode} after {time.monotonic() - t0:.1f} s; {err.strip()}")
        j = os.path.join(d, "out.json")
        check(os.path.exists(j) and json.load(open(j))["status"] == "interrupted", f"{sig.name}: JSON says interrupted")
        check(os.path.exists(os.path.join(d, "out.h5")), f"{sig.name}: the snapshot is written")
        # Its /slotsim/status is the report's, read by the serial restart
        # (which names a status other than "ok"; no h5py needed).
        r = serial(["batch", "--restart", "out.h5", "--steps", "0"], d)
        check(r.returncode == 0 and "snapshot marked interrupted" in r.stderr,
              f"{sig.name}: the snapshot's /slotsim/status says interrupted ({r.stderr.strip()})")
        # slotsim-mpi's own restart names it too, as the serial one does.
        r = mpi(2, ["batch", "--restart", "out.h5", "--steps", "0", "--json", "re.json"], d)
        check(r.returncode == 0 and "snapshot marked interrupted" in r.stderr,
              f"{sig.name}: slotsim-mpi's restart names the snapshot's status ({r.stderr.strip()})")
        os.remove(os.path.join(d, "re.json"))
        check(not [f for f in os.listdir(d) if f.startswith(".")], f"{sig.name}: no temporary file left")
    # bench stopped while its second layout spawns: only the rows with a
    # figure are written (the stopped layout was a row of 0 ms with its
    # warm-up's hash), and layouts_done counts them, as in serial bench.
    d = fresh_dir(base, "bench-signal")
    # (dict's 1000 steps outlast mpirun's forwarding of the signal, so the
    # run is interrupted whether it lands in the spawn or the steps.)
    cmd = [ARGS.mpirun, "-q", "-np", "2", ARGS.mpi, "bench", "-n", "500000", "--solver", "none", "--steps", "1000",
           "--repeats", "1", "--layouts", "soa,dict", "--json", "out.json", "--csv", "out.csv"]
    e = env()
    e["OMPI_MCA_odls_base_sigkill_timeout"] = "5"
    p = subprocess.Popen(cmd, cwd=d, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    for line in p.stderr:  # wait for the second layout to announce itself
        seen += line
        if "dict: spawning" in line:
            break
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = "", ""
        check(False, "bench SIGTERM: ended within 30 s")
    j = os.path.join(d, "out.json")
    written = os.path.exists(j)
    check(written, f"bench SIGTERM: the report is written ({(seen + err).strip()})")
    if written:
        r = json.load(open(j))
        rows = r["results"]
        check(r["status"] == "interrupted" and r["layouts_done"] == len(rows) >= 1 and r["layouts_requested"] == 2,
              f"bench SIGTERM: interrupted, layouts_done {r.get('layouts_done')} of {r.get('layouts_requested')}")
        check(all(x["step_ms_median"] > 0 for x in rows) and rows[0]["complete"],
              f"bench SIGTERM: every row has a figure ({[(x['layout'], x['step_ms_median'], x['complete']) for x in rows]})")
        check(len(open(os.path.join(d, "out.csv")).read().splitlines()) == 1 + len(rows), "bench SIGTERM: the CSV's rows")
    # A rank killed outright: mpirun notices and ends the job; no output.
    d = fresh_dir(base, "sigkill")
    cmd = [ARGS.mpirun, "--oversubscribe", "-np", "3", ARGS.mpi, "batch", "-q", "-n", "2000", "--solver", "direct",
           "--steps", "1000000", "--json", "out.json", "--snapshot", "out.h5"]
    p = subprocess.Popen(cmd, cwd=d, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    kids = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()
    check(len(kids) == 3, f"sigkill: found the 3 ranks ({kids})")
    t0 = time.monotonic()
    if kids:
        os.kill(int(kids[-1]), signal.SIGKILL)
    try:
        out, err = p.communicate(timeout=30)
        ended = True
    except subprocess.TimeoutExpired:
        p.kill()
        ended = False
    check(ended, "sigkill: mpirun ended within 30 s")
    if ended:
        print(f"     sigkill: mpirun exit {p.returncode} after {time.monotonic() - t0:.1f} s")
        check(p.returncode != 0 and "signal 9" in err, "sigkill: non-zero exit, mpirun names the killed rank")
    check(os.listdir(d) == [], f"sigkill: nothing written ({os.listdir(d)})")


# Each rank under a file-size limit (with SIGXFSZ ignored, so a write past it
# fails with EFBIG instead of killing the rank): the run-time failure of a
# write that the checks before the run cannot foresee, like a full disk,
# without a mount. 64 blocks (32 KiB in dash's 512-byte blocks) hold Open
# MPI's small files but not the snapshot of 2,000 particles (~130 kB).
FSIZE_LIMIT = ["sh", "-c", 'trap "" XFSZ; ulimit -f 64; exec "$@"', "sh"]


def group_exit(base):
    """docs/RELIABILITY.md's exit-code table holds for slotsim-mpi: one table
    (sim/exit_status.hpp) for both front ends, every rank the same code."""
    # Each kind of CLI11 flag error is bad input (2), not CLI11's 104-114.
    fault(base, "unknown-flag", 2, ["batch", "--bogus"], 2, "--bogus")
    fault(base, "missing-value", 2, ["batch", "--steps"], 2, "--steps")
    fault(base, "not-a-number", 2, ["batch", "--threads", "x"], 2, "--threads")
    fault(base, "no-subcommand", 2, [], 2, "subcommand")
    # A snapshot that cannot be written at run time is an output failure
    # (1), as the serial writer's, not bad input: through HDF5 (the parallel
    # writer's own error, under a file-size limit) and through the stream of
    # a device (/dev/full).
    # The HDF5 write fails on the rank that writes past the limit alone,
    # inside libhdf5's collective write, which no agreement survives: that
    # rank says so in one line and MPI_Abort ends the job with 1 (the
    # others are killed, so only mpirun's status is checked); no hang, no
    # temporary left.
    d = fresh_dir(base, "snapshot-write-fails")
    try:
        p = mpi(2, ["batch", "-q", "-n", "2000", "--solver", "none", "--steps", "1", "--snapshot", "out.h5"], d,
                timeout=30, wrap=FSIZE_LIMIT)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        print(f"     snapshot-write-fails: exit {p.returncode} in {p.seconds:.1f} s: {lines}", flush=True)
        check(p.returncode == 1, f"snapshot-write-fails: exit 1 ({p.returncode})")
        # One line per rank whose write failed (here rank 1, which writes
        # the rows past the limit; each aborting rank speaks for itself).
        check(1 <= len(lines) <= 2 and all("cannot write" in l for l in lines),
              "snapshot-write-fails: a line per failing rank, naming the write")
        check(os.listdir(d) == [], f"snapshot-write-fails: nothing written ({os.listdir(d)})")
    except subprocess.TimeoutExpired:
        check(False, "snapshot-write-fails: ended within 30 s")
    fault(base, "snapshot-to-full-device", 2, ["batch", "-q", "-n", "2000", "--solver", "none", "--steps", "1",
                                               "--snapshot", "full.h5"], 1, "No space left on device",
          prep=lambda d: os.symlink("/dev/full", os.path.join(d, "full.h5")), allow_files=("full.h5",))
    small_disk_snapshots(base)
    report_outputs_fail(base)


def report_outputs_fail(base):
    """A report that cannot be written (/dev/full) costs that report alone,
    as in the serial batch: the other is still written, the JSON (when it is
    the one written) says "failed" and what was lost, one line, exit 1 on
    every rank. The JSON was written first and said "ok" while the CSV's
    error ended the job; a failed JSON cost the CSV."""
    run_args = ["batch", "-q", "-n", "100", "--steps", "2"]
    for name, outs, kept, lost in (("csv-fails", ["--csv", "full.csv", "--json", "r.json"], "r.json", "--csv"),
                                   ("json-fails", ["--json", "full.json", "--csv", "r.csv"], "r.csv", "--json")):
        d = fresh_dir(base, "report-" + name)
        os.symlink("/dev/full", os.path.join(d, "full." + lost[2:]))
        codes = fresh_dir(base, "report-" + name + "-codes")
        p = mpi(2, run_args + outs, d, timeout=60, wrap=ARGS.rank_exit, env_extra=rank_codes_env(codes))
        got = [open(os.path.join(codes, f)).read().strip() for f in os.listdir(codes)]
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        print(f"     report-{name}: ranks {got}: {lines}", flush=True)
        check(got == ["1"] * 2, f"report-{name}: exit 1 on every rank ({got})")
        # mpirun's own status, without the wrapper (as group_exit's other
        # checks, which read the ranks' codes through it, do not).
        plain = mpi(2, run_args + outs, d, timeout=60)
        check(plain.returncode == 1, f"report-{name}: mpirun exits 1 ({plain.returncode})")
        check(len(lines) == 1 and lost + " not written" in lines[0] and "No space left on device" in lines[0],
              f"report-{name}: one line naming the lost output and why")
        check(os.path.exists(os.path.join(d, kept)), f"report-{name}: {kept} still written")
        check(sorted(os.listdir(d)) == sorted(["full." + lost[2:], kept]),
              f"report-{name}: nothing else left ({os.listdir(d)})")
        if kept.endswith(".json"):
            r = json.load(open(os.path.join(d, kept)))
            check(r.get("status") == "failed" and [f["output"] for f in r.get("outputs_failed", [])] == [lost],
                  f"report-{name}: the JSON says failed, and what was lost ({r.get('status')}, {r.get('outputs_failed')})")
        s = serial(run_args + outs, d)
        check(s.returncode == 1, f"report-{name}: serial exits 1 too ({s.returncode})")
    # The JSON on stdout under another name than "-": written once, last,
    # marked (it was taken for a file: written before the CSV failed, and
    # again after, two documents on stdout).
    d = fresh_dir(base, "report-stdout-json")
    os.symlink("/dev/full", os.path.join(d, "full.csv"))
    p = mpi(2, run_args + ["--json", "/dev/stdout", "--csv", "full.csv"], d, timeout=60)
    try:
        r = json.loads(p.stdout)
    except ValueError:
        r = {}
    check(p.returncode == 1 and r.get("status") == "failed"
          and [f["output"] for f in r.get("outputs_failed", [])] == ["--csv"],
          f"report-stdout-json: one JSON document on stdout, marked failed ({p.returncode}, {p.stdout[:200]!r})")


def small_disk(kb, d, cmd):
    """cmd run with a tmpfs of kb kB mounted at d, in a private mount (and
    user) namespace, as the serial full-disk tests do; None where this
    machine allows no namespaces."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        return None
    return ["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o size={kb}k tmpfs "$0" && cd "$0" && exec "$@"', d] + cmd


def small_disk_snapshots(base):
    """A full disk under a parallel snapshot: its space is reserved before
    the first collective write (dist/parallel_snapshot.cpp), so a disk too
    small is one agreed error, exit 1, the temporary removed. It hung in
    libhdf5's collective H5Fclose when the disk filled during the metadata
    written there (200 KB, --snapshot-fields acc,pot, np 2). And on a disk
    that holds it, the reserve is freed again: the file takes its size."""
    d = fresh_dir(base, "snapshot-small-disk")
    args = ["batch", "-q", "-n", "1500", "--solver", "pm", "--grid", "16", "--steps", "1", "--snapshot", "out.h5",
            "--snapshot-fields", "acc,pot"]
    mpirun = " ".join([ARGS.mpirun, "-q", "--oversubscribe", "-np", "2", ARGS.mpi] + args)
    # The final snapshot, then a --snapshot-every series whose first file
    # (before step 1) does not fit: the run stops there. Either way the
    # report is written, marked failed with what was lost, as serial's is
    # (it was lost: the job ended with the error alone). The tmpfs goes with
    # its namespace, so what the run left is listed from inside.
    for name, extra, want in (("final", "", ["--snapshot"]),
                              ("series", " --snapshot-every 1", ["--snapshot-every", "--snapshot"])):
        cmd = small_disk(200, d, ["sh", "-c", mpirun + extra + " --json r.json >/dev/null; rc=$?; echo left: $(ls); "
                                              "echo JSON; cat r.json; exit $rc"])
        if cmd is None:
            print("     snapshot-small-disk: SKIPPED (no namespaces here to mount a small tmpfs)", flush=True)
            return
        what = f"snapshot-small-disk ({name})"
        try:
            p = run(cmd, d, timeout=30)
        except subprocess.TimeoutExpired:
            check(False, f"{what}: ended within 30 s")
            continue
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        print(f"     {what}: exit {p.returncode} in {p.seconds:.1f} s: {lines}", flush=True)
        check(p.returncode == 1, f"{what}: exit 1 ({p.returncode})")
        check(len(lines) == 1 and "out.h5: cannot reserve" in lines[0] and "No space left on device" in lines[0],
              f"{what}: one line naming the file, the reservation and the full disk")
        check("left: r.json" in p.stdout and ".tmp" not in p.stdout, f"{what}: the report kept, no temporary left")
        try:
            r = json.loads(p.stdout.split("JSON\n", 1)[1])
        except (IndexError, ValueError):
            r = {}
        check(r.get("status") == "failed" and [f["output"] for f in r.get("outputs_failed", [])] == want,
              f"{what}: the report says failed, and what was lost ({r.get('outputs_failed')})")
    # Roomy enough (4 MB): written, and holding no more blocks than its size.
    cmd = small_disk(4096, d, ["sh", "-c", mpirun + " && ls && stat -c '%s %b %B' out.h5"])
    p = run(cmd, d, timeout=60)
    require_ok(p, "snapshot-small-disk: 4 MB disk")
    m = re.search(r"^(\d+) (\d+) (\d+)$", p.stdout, re.M)
    check(m is not None and "out.h5.tmp" not in p.stdout, "snapshot-small-disk: the file alone, no temporary")
    if m:
        size, blocks, unit = int(m.group(1)), int(m.group(2)), int(m.group(3))
        check(blocks * unit < size + 64 * 1024,
              f"snapshot-small-disk: the reserve is freed ({blocks * unit} B held for {size} B)")


def group_plan(d):
    p = mpi(3, ["batch", "--dry-run", "-n", "100000", "--solver", "bh"], d)
    require_ok(p, "np 3 --dry-run")
    rows = re.findall(r"^\| (\d) \| [^|]+ \| (\d+) \|", p.stdout, re.M)
    check([r[0] for r in rows] == ["0", "1", "2"], "--dry-run: a row per rank")
    check(sum(int(r[1]) for r in rows) == 100000, "--dry-run: the ranks' particles add up")
    check("bh: every rank's sources, gathered" in p.stdout, "--dry-run: bh's gathered sources are planned")
    check(os.listdir(d) == [], "--dry-run writes nothing")
    # pm on a Plummer sphere: the central slabs import most particles.
    p = mpi(4, ["batch", "--dry-run", "-n", "200000", "--solver", "pm", "--grid", "64"], d)
    require_ok(p, "np 4 pm --dry-run")
    check("imported particles" in p.stdout, "--dry-run: pm plans the particles each rank imports")


def group_report(d):
    j = os.path.join(d, "r.json")
    p = mpi(3, ["batch", "-q", "-n", "999", "--solver", "direct", "--steps", "2", "--json", j], d)
    require_ok(p, "np 3 json")
    r = json.load(open(j))
    check(r["mpi_ranks"] == 3 and len(r["ranks"]) == 3, "json: one row per rank")
    for row in r["ranks"]:
        for k in ["particles", "particle_bytes", "rss_bytes", "phases_ms_median", "comm"]:
            check(k in row, f"json rank {row['rank']}: {k}")
        check(row["comm"]["bytes_received"] > 0 and row["comm"]["seconds"] >= 0, f"json rank {row['rank']}: comm")
    # The same step report as serial batch (app/step_report.cpp): phase
    # figures beside the medians, at the top and per layout, and the same
    # CSV columns. No sort runs here (slotsim-mpi refuses --sort-every), so
    # each figure is its median.
    for doc in [r] + r["per_layout"]:
        check(doc["phases_ms"] == doc["phases_ms_median"], "json: phases_ms beside phases_ms_median")
    check("| layout | steps | step ms median |" in p.stdout and "its mean per step" not in p.stdout,
          "text: the per-layout step table")
    # Direct moves every other rank's block once per force call: two calls
    # per step minus the first (cached), 32 B per particle.
    got = r["ranks"][0]["comm"]["bytes_received_per_step"]
    check(got >= 32 * (999 - 333), f"json: rank 0 receives the others' blocks each step ({got} B)")
    b = mpi(2, ["bench", "-n", "2000", "--solver", "bh", "--steps", "2", "--repeats", "1", "--layouts", "dict,soa"], d)
    require_ok(b, "np 2 bench")
    check(b.stdout.count("per rank") == 2, "bench: a per-rank table per layout")
    s = serial(["batch", "-q", "-n", "2000", "--solver", "bh", "--steps", "3"], d)
    check(state_hash(s) in b.stdout, "bench: the serial run's hash (warm-up + 2 steps)")
    # A report on stdout owns it ('-' or /dev/stdout): the summary and the
    # tables go to stderr, as in the serial tools (they were printed into
    # the same stream, and the JSON read from it did not parse).
    for out in ["-", "/dev/stdout"]:
        for args in (["batch", "-q", "-n", "300", "--steps", "1", "--json", out],
                     ["bench", "-n", "2000", "--steps", "1", "--repeats", "1", "--layouts", "soa", "--json", out]):
            p = mpi(2, args, d)
            require_ok(p, " ".join(args))
            try:
                json.loads(p.stdout)
                ok = True
            except ValueError:
                ok = False
            check(ok and "| " in p.stderr, f"{args[0]} --json {out}: stdout is the JSON alone, the text on stderr")
    # Leading zeros are decimal on every integer flag: CLI11 converts with
    # base 0, so --steps 010 was octal 8 before whole_number() dropped them.
    p = mpi(2, ["bench", "-n", "2000", "--steps", "010", "--repeats", "02", "--layouts", "soa", "--json", "-"], d)
    require_ok(p, "bench --steps 010 --repeats 02")
    cfg = json.loads(p.stdout)["config"]
    check(cfg["steps"] == 10 and cfg["repeats"] == 2, f"bench --steps 010 --repeats 02: read {cfg['steps']}, {cfg['repeats']}")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("group")
    ap.add_argument("arg", nargs="?")
    ap.add_argument("--serial", required=True)
    ap.add_argument("--mpi", required=True)
    ap.add_argument("--mpirun", required=True)
    ap.add_argument("--rank-exit", required=True)
    ARGS = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mpi-e2e-") as d:
        if ARGS.group == "hash":
            group_hash(ARGS.arg, d)
        elif ARGS.group == "switch":
            group_switch(d)
        elif ARGS.group == "uneven":
            group_uneven(d)
        elif ARGS.group == "snapshot":
            group_snapshot(d)
        elif ARGS.group == "restart":
            group_restart(d)
        elif ARGS.group == "faults":
            group_faults(d)
        elif ARGS.group == "exit":
            group_exit(d)
        elif ARGS.group == "plan":
            group_plan(d)
        elif ARGS.group == "report":
            group_report(d)
        else:
            sys.exit(f"unknown group {ARGS.group}")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed:\n  " + "\n  ".join(FAILURES))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
