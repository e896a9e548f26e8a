#!/usr/bin/env python3
"""Measure this interpreter's object model for `slotsim bench --claims --python`.

Prints one JSON document on stdout (nothing else), read by lessons/cpython.cpp.
Standard library only, so any python3 can run it.

What it measures, per class shape (3 and 7 float fields; plain class,
__slots__, __slots__ with '__dict__', and a subclass of the slotted class
that declares no __slots__):
  * tracemalloc bytes per instance, with every instance sharing the same
    float objects ("shared") or owning its own ("distinct"), and for classes
    with a __dict__ before and after reading p.__dict__ on every instance
    ("untouched" / "touched": since 3.11 the dict object is only created
    when asked for);
  * sys.getsizeof of one instance and of its __dict__;
  * attribute read and update time with timeit (thread CPU time), as the
    median over repeats with min and max (one timeit run alone is at the
    mercy of the scheduler);
  * the 10M-instance dict figure, scaled from the sample with the scale
    stated, the AttributeError text, the inheritance rule and the '__dict__'
    escape hatch.

Bytes per instance are (traced bytes after building N instances - before) / N
with the list that holds them allocated before tracing starts, so the list is
not counted. tracemalloc counts what the allocator was asked for, GC header
included, which is what slotsim's model counts too.

--quick uses small N and few repeats (a few seconds at most) for the tests;
the figures are then rougher, and the JSON says which mode ran.
"""
import argparse
import gc
import json
import os
import platform
import sys
import time
import timeit
import tracemalloc

FIELD_NAMES = ("x", "y", "z", "vx", "vy", "vz", "mass")
KINDS = ("plain", "slots", "slots_dict", "subclass")
# One float object every "shared" instance points at: the values cost
# nothing per instance, so the figure is the object layout alone.
SHARED = 1.5


def make_classes(nfields):
    """The four class shapes with `nfields` float attributes set in __init__."""
    names = FIELD_NAMES[:nfields]
    args = ", ".join(names)
    body = "".join(f"        self.{n} = {n}\n" for n in names)
    src = (
        "class Plain:\n"
        f"    def __init__(self, {args}):\n{body}"
        "class Slots:\n"
        f"    __slots__ = {names!r}\n"
        f"    def __init__(self, {args}):\n{body}"
        "class SlotsDict:\n"
        f"    __slots__ = {names + ('__dict__',)!r}\n"
        f"    def __init__(self, {args}):\n{body}"
        "class Subclass(Slots):\n"
        "    pass\n"
    )
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


def timing(stmt, obj, number, repeat):
    """ns per execution of stmt on obj: median, min, max over `repeat` runs."""
    # time.thread_time: CPU time of this thread, so the time spent waiting
    # for a core on a loaded machine is not counted (timeit's default,
    # perf_counter, is wall time and would count it).
    t = timeit.Timer(stmt, timer=time.thread_time, globals={"o": obj, "v": SHARED})
    runs = sorted(x / number * 1e9 for x in t.repeat(repeat=repeat, number=number))
    mid = len(runs) // 2
    med = runs[mid] if len(runs) % 2 else (runs[mid - 1] + runs[mid]) / 2
    return {"median_ns": med, "min_ns": runs[0], "max_ns": runs[-1], "repeats": repeat, "number": number}


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small N and few repeats (seconds), for tests")
    ap.add_argument("-n", type=int, default=None, help="instances per shape (default 100000, quick 5000)")
    a = ap.parse_args()
    n = a.n or (5000 if a.quick else 100000)
    number = 20000 if a.quick else 1000000
    repeat = 5 if a.quick else 9
    if n < 1:
        ap.error("-n must be positive")

    load_before = loadavg()
    doc = {
        "schema": 1,
        "python": {
            "version": platform.python_version(),
            "version_info": list(sys.version_info[:3]),
            "implementation": sys.implementation.name,
            "executable": sys.executable,
        },
        "mode": "quick" if a.quick else "full",
        "instances": n,
        "cpus": os.cpu_count(),
        "shapes": [],
    }

    classes = {k: make_classes(k) for k in (3, 7)}
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

    # Timings on the 7-field shapes, one instance each (the attribute caches
    # of the specialising interpreter see one type, as in a hot loop).
    t = {}
    for kind in KINDS:
        o = classes[7][kind](*[SHARED] * 7)
        t[kind] = {"read": timing("o.x", o, number, repeat), "update": timing("o.x = v", o, number, repeat)}
    o = classes[7]["plain"](*[SHARED] * 7)
    o.__dict__  # materialise: from here on 3.11+ reads go through the dict
    t["plain_touched"] = {"read": timing("o.x", o, number, repeat), "update": timing("o.x = v", o, number, repeat)}
    t["loop_overhead"] = timing("o", o, number, repeat)  # the name load and loop alone
    doc["timing"] = t

    # The lecture's rules, checked on this interpreter.
    Slots7 = classes[3]["slots"]
    s = Slots7(*[SHARED] * 3)
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
    del hatch_objs

    # The 10M claim: the dicts alone, i.e. what a plain 7-field instance
    # costs beyond a slotted one with the same values. Scaled from n.
    scale = 10_000_000 / n
    doc["ten_million"] = {
        "instances": 10_000_000,
        "measured_instances": n,
        "scale": scale,
        "scaling": f"bytes per instance measured on {n} instances x {scale:g}",
        "dict_bytes_untouched": (per(7, "plain") - per(7, "slots")) * 10_000_000,
        "dict_bytes_touched": (per(7, "plain", "touched") - per(7, "slots")) * 10_000_000,
        "all_bytes_untouched": per(7, "plain") * 10_000_000,
    }

    doc["load"] = {"before": load_before, "after": loadavg(), "cpus": os.cpu_count()}
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
