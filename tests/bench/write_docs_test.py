#!/usr/bin/env python3
"""The docs' generated sections are what bench/write_docs.py writes from the
committed runs (docs/bench/*.json, *.md) and bench/gui_docs.py from
docs/gui/figures.md: a copy of the tree's docs and README is regenerated in
a temporary folder and must come out unchanged.

It fails when a figure between <!-- KEY --> markers was edited by hand (it
would be overwritten by the next run of the generator, and until then
quotes no run), or when the generator changed and the docs were not
regenerated. Usage: write_docs_test.py SOURCE_DIR"""
import difflib, os, shutil, subprocess, sys, tempfile

src = os.path.abspath(sys.argv[1])
GENERATORS = ("write_docs.py", "gui_docs.py")  # run in this order, as after a benchmark run
HELPERS = ("mpi_scaling.py",)                  # imported by write_docs.py
with tempfile.TemporaryDirectory(prefix="slotsim-write-docs-") as tmp:
    os.makedirs(os.path.join(tmp, "bench"))
    for f in GENERATORS + HELPERS:
        shutil.copy(os.path.join(src, "bench", f), os.path.join(tmp, "bench", f))
    shutil.copytree(os.path.join(src, "docs"), os.path.join(tmp, "docs"))
    shutil.copy(os.path.join(src, "README.md"), os.path.join(tmp, "README.md"))
    for gen in GENERATORS:
        r = subprocess.run([sys.executable, os.path.join(tmp, "bench", gen)], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("%s failed (exit %d):\n%s" % (gen, r.returncode, r.stderr))
    written = ["README.md"] + ["docs/" + f for f in sorted(os.listdir(os.path.join(src, "docs"))) if f.endswith(".md")]
    bad = 0
    for rel in written:
        before = open(os.path.join(src, rel), encoding="utf-8").read().splitlines()
        after = open(os.path.join(tmp, rel), encoding="utf-8").read().splitlines()
        if before != after:
            bad += 1
            print("%s differs from what %s write from the committed runs:" % (rel, " and ".join("bench/" + g for g in GENERATORS)))
            for line in list(difflib.unified_diff(before, after, "committed", "regenerated", n=1, lineterm=""))[:20]:
                print("  " + line[:200])
    if bad:
        sys.exit("%d file(s) out of date: run %s, and commit the result" % (
            bad, " and ".join("python3 bench/" + g for g in GENERATORS)))
    print("%d files: every generated section is the committed runs' (checked %s)" % (len(written), ", ".join(written)))
