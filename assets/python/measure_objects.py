#!/usr/bin/env python3
"""Measure this interpreter's object model for `slotsim bench --claims --python`.

Prints one JSON document on stdout (nothing else), read by lessons/cpython.cpp.
Standard library only; runs on CPython 3.6 and later. On anything older it
prints one line to stderr and exits with status 3 (the file parses on 2.7,
so that line is what a 2.7 user sees).

What it measures, per class shape (3 and 7 float fields; plain class,
__slots__, __slots__ with '__dict__', and a subclass of the slotted class
that declares no __slots__; and an empty class, plain and slotted):
  * tracemalloc bytes per instance, with every instance sharing the same
    float objects ("shared") or owning its own ("distinct"), and for classes
    with a __dict__ before and after reading p.__dict__ on every instance
    ("untouched" / "touched": since 3.11 the dict object is only created
    when asked for);
  * sys.getsizeof of one instance and of its __dict__, and of small dicts
    built by a literal ({'a': 1}, ...), the figure a lecture usually quotes;
  * attribute reads and updates, plain against slotted, as paired samples:
    each pair times the two sides back to back (A B, then B A in the next
    pair), each sample a block of statements unrolled ten times, in CPU time
    of this thread. The decision (a confidence interval on the ratio) is
    taken by slotsim (lessons/verdict.hpp), one rule for every timing.
    slotsim runs this script in several processes (distinct PYTHONHASHSEED
    values) and decides on the per-process figures: everything fixed at an
    interpreter's start (hash seed, ASLR, where the objects landed) is
    shared by all pairs of one process, so one process is one sample of it.
    The timings run first, on a fresh interpreter, so the process that also
    measures bytes times under the same conditions as the others;
  * the 10M-instance dict figure, scaled from the sample with the scale
    stated, the AttributeError text, the inheritance rule and the '__dict__'
    escape hatch.

Bytes per instance are (traced bytes after building N instances - before) / N
with the list that holds them allocated before tracing starts, so the list is
not counted. tracemalloc counts what the allocator was asked for, GC header
included (blocks freed during the measurement count only if they were
allocated during it).

--quick uses small N and few pairs (a few seconds at most) for the tests;
the figures are then rougher, and the JSON says which mode ran.
--timing-only prints only "schema", "python", "mode" ("timing-only"),
"timing" and "load": the extra processes' share of the pairs.
"""
import sys

if sys.version_info < (3, 6):
    sys.stderr.write("measure_objects.py: Python %d.%d is not supported (it needs CPython 3.6 or later)\n"
                     % tuple(sys.version_info[:2]))
    sys.exit(3)

import argparse
import gc
import json
import os
import platform
import time
import timeit
import tracemalloc

SCHEMA = 2
FIELD_NAMES = ("x", "y", "z", "vx", "vy", "vz", "mass")
KINDS = ("plain", "slots", "slots_dict", "subclass")
# One float object every "shared" instance points at: the values cost
# nothing per instance, so the figure is the object layout alone.
SHARED = 1.5
UNROLL = 10
# time.thread_time is 3.7+; on 3.6 the process's CPU time is the same thing
# for this single-threaded script.
TIMER_NAME = "thread_time" if hasattr(time, "thread_time") else "process_time"
TIMER = getattr(time, TIMER_NAME)


def make_classes(nfields):
    """The four class shapes with `nfields` float attributes set in __init__."""
    names = FIELD_NAMES[:nfields]
    args = ", ".join(names)
    body = "".join("        self.{0} = {0}\n".format(n) for n in names)
    src = (
        "class Plain:\n"
        "    def __init__(self, {0}):\n{1}"
        "class Slots:\n"
        "    __slots__ = {2!r}\n"
        "    def __init__(self, {0}):\n{1}"
        "class SlotsDict:\n"
        "    __slots__ = {3!r}\n"
        "    def __init__(self, {0}):\n{1}"
        "class Subclass(Slots):\n"
        "    pass\n"
    ).format(args, body, names, names + ("__dict__",))
    # exec of generated source rather than type(): the classes must look
    # exactly like ones a learner writes, __init__ assigning in order.
    ns = {}
    exec(src, ns)
    return {"plain": ns["Plain"], "slots": ns["Slots"], "slots_dict": ns["SlotsDict"],
            "subclass": ns["Subclass"]}


def build(cls, nfields, n, distinct):
    objs = [None] * n
    if distinct:
        for i in range(n):
            # i + k.25 allocates a new float per field per instance.
            objs[i] = cls(*[i + k + 0.25 for k in range(nfields)])
    else:
        vals = [SHARED] * nfields
        for i in range(n):
            objs[i] = cls(*vals)
    return objs


def traced(fn):
    """Bytes fn() leaves allocated (traced after - before), and its result."""
    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.get_traced_memory()[0]
    out = fn()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, out


def bytes_per_instance(cls, nfields, n, distinct, has_dict):
    """{'untouched': B, 'touched': B or None} per instance."""
    holder = [None] * n  # allocated before tracing: not counted

    def fill():
        objs = build(cls, nfields, n, distinct)
        holder[:] = objs  # same length: no reallocation of holder
        return objs

    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.get_traced_memory()[0]
    objs = fill()
    mid = tracemalloc.get_traced_memory()[0]
    touched = None
    if has_dict:
        for o in objs:
            o.__dict__
        touched = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    # The temporary list `objs` from build() is still alive here; subtract
    # its own allocation (n pointers plus header) measured the same way.
    list_bytes, _ = traced(lambda: [None] * n)
    untouched = (mid - before - list_bytes) / n
    if touched is not None:
        touched -= list_bytes / n
    del objs
    holder.clear()
    return {"untouched": untouched, "touched": touched}


def make_timer(stmt, obj):
    """A timeit.Timer running `stmt` UNROLL times per loop, with `o` and `v`
    bound as locals (timeit runs its setup inside the timed function), so
    the loop measures the attribute access, not a global name lookup."""
    return timeit.Timer(";".join([stmt] * UNROLL), setup="o = _o; v = _v", timer=TIMER,
                        globals={"_o": obj, "_v": SHARED})


def calibrate(timer, block_s):
    """The loop count that makes one block last about block_s of CPU time."""
    number = 1
    while True:
        t = timer.timeit(number)
        if t >= block_s / 4 or number >= 1 << 26:
            return max(1, int(number * block_s / max(t, 1e-9)))
        number *= 4


def paired(timer_a, timer_b, number, pairs):
    """Interleaved samples, ns per statement: pair k runs A then B for even
    k and B then A for odd k, so a drift in machine speed during a pair
    hits both sides and an order effect cancels over the pairs."""
    a, b = [], []
    scale = 1e9 / (number * UNROLL)
    for k in range(pairs):
        if k % 2 == 0:
            ta = timer_a.timeit(number)
            tb = timer_b.timeit(number)
        else:
            tb = timer_b.timeit(number)
            ta = timer_a.timeit(number)
        a.append(ta * scale)
        b.append(tb * scale)
    return a, b


def loadavg():
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def small_dict_sizes():
    """sys.getsizeof of dicts built by a literal, the way a lecture shows a
    dict's size: {} and 1, 5, 6, 10 and 11 keys (each size step of a
    combined table up to 16 slots)."""
    out = {}
    for k in (0, 1, 5, 6, 10, 11):
        src = "{" + ", ".join("'k{0}': {0}".format(i) for i in range(k)) + "}"
        out[str(k)] = sys.getsizeof(eval(src))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small N and few pairs (seconds), for tests")
    ap.add_argument("-n", type=int, default=None, help="instances per shape (default 100000, quick 5000)")
    ap.add_argument("--pairs", type=int, default=None,
                    help="timing pairs per comparison in this process (default 31, quick 9)")
    ap.add_argument("--timing-only", action="store_true",
                    help="measure the timings only (one of several processes slotsim runs)")
    a = ap.parse_args()
    n = a.n or (5000 if a.quick else 100000)
    pairs = a.pairs or (9 if a.quick else 31)
    # 5 ms blocks: the spread between processes, not within one, limits the
    # verdict (lessons/verdict.hpp), so the time goes into more processes.
    block_s = 0.002 if a.quick else 0.005
    if n < 1:
        ap.error("-n must be positive")
    if pairs < 1:
        ap.error("--pairs must be positive")

    load_before = loadavg()
    doc = {
        "schema": SCHEMA,
        "python": {
            "version": platform.python_version(),
            "version_info": list(sys.version_info[:3]),
            "implementation": sys.implementation.name,
            "executable": sys.executable,
            "hash_seed": os.environ.get("PYTHONHASHSEED"),
        },
        "mode": "timing-only" if a.timing_only else "quick" if a.quick else "full",
        "instances": n,
        "cpus": os.cpu_count(),
        "shapes": [],
    }

    classes = {k: make_classes(k) for k in (3, 7)}
    # Timings first, on a fresh interpreter (see the top), on the 7-field
    # shapes, one instance each (the attribute caches
    # of a specialising interpreter see one type, as in a hot loop): plain
    # against slotted, reads and updates, and once more after reading the
    # plain instance's __dict__ (from 3.11 its reads then go through a dict).
    plain = classes[7]["plain"](*[SHARED] * 7)
    slots = classes[7]["slots"](*[SHARED] * 7)
    touched = classes[7]["plain"](*[SHARED] * 7)
    touched.__dict__
    comparisons = []
    for cid, a_kind, a_obj, stmt in (("read", "plain", plain, "o.x"), ("update", "plain", plain, "o.x = v"),
                                     ("read_touched", "plain_touched", touched, "o.x"),
                                     ("update_touched", "plain_touched", touched, "o.x = v")):
        ta, tb = make_timer(stmt, a_obj), make_timer(stmt, slots)
        number = calibrate(tb, block_s)
        ta.timeit(number)  # warm both (and a specialising interpreter's caches)
        tb.timeit(number)
        sa, sb = paired(ta, tb, number, pairs)
        comparisons.append({"id": cid, "a": a_kind, "b": "slots", "stmt": stmt, "number": number,
                            "a_ns": sa, "b_ns": sb})
    lo = make_timer("o", plain)
    number = calibrate(lo, block_s)
    overhead = sorted(lo.timeit(number) * 1e9 / (number * UNROLL) for _ in range(5))
    timing = {
        "method": "paired timeit blocks, A B then B A, {0} statements per loop, CPU time (time.{1})".format(
            UNROLL, TIMER_NAME),
        "timer": TIMER_NAME,
        "unroll": UNROLL,
        "pairs": pairs,
        "comparisons": comparisons,
        "loop_overhead_ns": overhead[len(overhead) // 2],
    }

    if a.timing_only:
        doc = {k: doc[k] for k in ("schema", "python", "mode")}
        doc["timing"] = timing
        doc["load"] = {"before": load_before, "after": loadavg(), "cpus": os.cpu_count()}
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return

    for nf in (3, 7):
        for kind in KINDS:
            cls = classes[nf][kind]
            has_dict = kind != "slots"
            one = cls(*[SHARED] * nf)
            shape = {
                "fields": nf,
                "kind": kind,
                "has_dict": hasattr(one, "__dict__"),
                "getsizeof_instance": sys.getsizeof(one),
                "getsizeof_dict": sys.getsizeof(one.__dict__) if has_dict else None,
                "bytes": {
                    "shared": bytes_per_instance(cls, nf, n, False, has_dict),
                    "distinct": bytes_per_instance(cls, nf, n, True, has_dict),
                },
            }
            doc["shapes"].append(shape)

    # An instance with no attributes at all: what the dict machinery costs
    # before anything is stored (the lecture's first claim).
    class Empty:
        pass

    class EmptySlots:
        __slots__ = ()

    empty = {}
    for name, cls, has_dict in (("plain", Empty, True), ("slots", EmptySlots, False)):
        holder = [None] * n

        def fill(cls=cls, holder=holder):
            for i in range(n):
                holder[i] = cls()

        b, _ = traced(fill)
        touched = None
        if has_dict:
            b2, _ = traced(lambda holder=holder: [o.__dict__ for o in holder])
            lst, _ = traced(lambda: [None] * n)
            touched = (b + b2 - lst) / n
        empty[name] = {"untouched": b / n, "touched": touched,
                       "getsizeof_instance": sys.getsizeof(cls()),
                       "getsizeof_dict": sys.getsizeof(cls().__dict__) if has_dict else None}
        del holder
    doc["empty"] = empty
    doc["small_dicts_getsizeof"] = small_dict_sizes()
    doc["timing"] = timing

    # The lecture's rules, checked on this interpreter.
    s = classes[3]["slots"](*[SHARED] * 3)
    try:
        s.charge = 1.0
        err = {"raised": False, "type": None, "message": None}
    except AttributeError as e:
        err = {"raised": True, "type": type(e).__name__, "message": str(e)}
    doc["attribute_error"] = err

    def per(nf, kind, state="untouched", values="distinct"):
        for sh in doc["shapes"]:
            if sh["fields"] == nf and sh["kind"] == kind:
                return sh["bytes"][values][state]
        raise KeyError(kind)

    sub = classes[3]["subclass"](*[SHARED] * 3)
    doc["inheritance"] = {
        "subclass_has_dict": hasattr(sub, "__dict__"),
        "extra_bytes_untouched": per(3, "subclass") - per(3, "slots"),
        "extra_bytes_touched": per(3, "subclass", "touched") - per(3, "slots"),
    }

    # '__dict__' in __slots__: new attributes allowed; what one instance pays
    # when it sets one (mean over n instances, each setting one).
    SD = classes[3]["slots_dict"]
    hatch_objs = [SD(SHARED, SHARED, SHARED) for _ in range(n)]
    try:
        hatch_objs[0].charge = 1.0
        allowed = True
    except AttributeError:
        allowed = False

    def set_all():
        for o in hatch_objs:
            o.charge = SHARED

    added, _ = traced(set_all) if allowed else (0, None)
    doc["escape_hatch"] = {
        "allows_new_attributes": allowed,
        "unused_bytes": per(3, "slots_dict") - per(3, "slots"),
        "bytes_added_by_first_attribute": added / n,
    }
    hatch_objs[:] = []

    # The 10M claim: the dicts alone, i.e. what a plain 7-field instance
    # costs beyond a slotted one with the same values. Scaled from n.
    scale = 10000000 / n
    doc["ten_million"] = {
        "instances": 10000000,
        "measured_instances": n,
        "scale": scale,
        "scaling": "bytes per instance measured on {0} instances x {1:g}".format(n, scale),
        "dict_bytes_untouched": (per(7, "plain") - per(7, "slots")) * 10000000,
        "dict_bytes_touched": (per(7, "plain", "touched") - per(7, "slots")) * 10000000,
        "all_bytes_untouched": per(7, "plain") * 10000000,
    }

    doc["load"] = {"before": load_before, "after": loadavg(), "cpus": os.cpu_count()}
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
