#!/usr/bin/env python3
"""Every function of the given archives or objects that uses ymm or zmm
registers must contain a vzeroupper (or vzeroall). It checks that one is
there, not that every exit passes one: GCC puts it before each return and
call, and the defect below was a function with none at all.

Why: the non-AVX code of the library is compiled to legacy SSE encodings,
and a thread that leaves an AVX function with the upper halves of the
vector registers dirty makes every later SSE instruction that writes an xmm
register wait on them. GCC 12 emitted no vzeroupper before the tail call at
the end of the pm bucket pass (sim/solvers/pm/cic.cpp, place_avx2), and the
mass deposit that runs next on the same threads took 35-37 ms instead of
25-27 at 10M particles (bench/pm_passes). No timing is checked here (tests
assert no timings); the disassembly is the property that caused it.

A function that legitimately keeps ymm state for its caller (one returning
a __m256d, say) would have to be listed in ALLOWED with the reason; there is
none today.

usage: avx_upper_state_test.py OBJDUMP FILE...   (exit 0: pass, 1: fail)
"""
import re
import subprocess
import sys

ALLOWED = set()

HEADER = re.compile(r"^[0-9a-f]+ <(.+)>:$")


def offenders(disassembly):
    """Names of the functions in an objdump -d listing that use ymm/zmm
    registers and contain no vzeroupper. A function's cold part (GCC's
    "[clone .cold]") is counted with the function itself."""
    wide, cleared = {}, {}
    name = None
    for line in disassembly.splitlines():
        m = HEADER.match(line)
        if m:
            name = m.group(1).replace(" [clone .cold]", "")
            wide.setdefault(name, False)
            cleared.setdefault(name, False)
            continue
        if name is None:
            continue
        if "%ymm" in line or "%zmm" in line:
            wide[name] = True
        if "vzeroupper" in line or "vzeroall" in line:
            cleared[name] = True
    return [n for n in wide if wide[n] and not cleared[n] and n not in ALLOWED]


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1])
        return 2
    objdump, files = sys.argv[1], sys.argv[2:]
    bad, clears = [], 0
    for f in files:
        listing = subprocess.run([objdump, "-d", "--no-show-raw-insn", "-C", f], check=True,
                                 capture_output=True, text=True).stdout
        bad += [f"{f}: {n}" for n in offenders(listing)]
        clears += listing.count("vzeroupper")
    # The check must have seen AVX code at all, or it proves nothing: the
    # pm passes and the gravity kernels use ymm/zmm registers.
    if clears == 0:
        print("FAIL: no vzeroupper at all in " + " ".join(files) + ": not the code this test expects")
        return 1
    if bad:
        print("FAIL: functions that use ymm/zmm registers and never clear their upper halves:")
        for b in bad:
            print("  " + b)
        return 1
    print(f"ok: every function using ymm/zmm clears the upper state ({clears} vzeroupper)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
