#!/usr/bin/env python3
"""The distributed scaling table and the model of a 100M-particle run, from
docs/bench/mpi_scaling_1m.json (bash bench/run_mpi_scaling.sh build).
bench/write_docs.py calls section() for docs/BENCHMARKS.md and summary() for
docs/DISTRIBUTED.md. Alone, it prints both for any such JSON (a smoke run's):
    python3 bench/mpi_scaling.py /tmp/x/mpi_scaling_1m.json
Every figure is computed here from the JSON; the only typed numbers are the
assumptions of the model, listed in ASSUMED and printed beside it."""
import math, sys

ANCHOR = "distributed-scaling-pm-1m-particles-and-a-model-of-100m"
TITLE = "Distributed scaling: pm, 1M particles, and a model of 100M"

# What the model assumes (not measured here): the network of a cluster, the
# size of its nodes, the run it models.
ASSUMED = {
    "network_gbs": 10.0,        # per node, each direction (100 Gb/s class)
    "latency_us": 1.5,          # per message
    "particles": 100_000_000,
    "grid": 512,                # the sbatch recipe's (docs/DISTRIBUTED.md); see the notes
    "nodes": (16, 64),
    "cores_per_node": (2, 32),  # 2: a node is this machine; 32: a cluster node at this machine's per-core rates
}
# Facts of the code (dist/pm_solver.cpp), used to split the measured bytes.
PARTICLE_OUT_B = 32   # Xyzm: x, y, z, m to the owner of the particle's x-plane
PARTICLE_BACK_B = 24  # Acc3: its acceleration back
GHOST_PLANES = 5      # potential planes per slab boundary (2 below, 3 above), n^2 doubles each
ALLTOALLS_PER_STEP = 6   # counts, particles, 2 transposes, ghost planes, results back
REDUCTIONS_PER_STEP = 6  # extent MIN, row flags, import check, interrupt and agreement checks


def _fmt_ms(x):
    return "%.0f" % x if x >= 100 else "%.1f" % x if x >= 10 else "%.2f" % x


def _rows(d):
    return d["rows"]


def _serial(d):
    return [r for r in _rows(d) if r["ranks"] == 0][0]


def _result(r):
    return r["report"]["results"][0]


def _phases(r):
    """Phase medians (ms) of a row: the serial run's, or the slowest rank's per phase."""
    res = _result(r)
    if r["ranks"] == 0:
        return dict(res["phases_ms"])
    out = {}
    for k in res["ranks"]:
        for p, v in k["phases_ms_median"].items():
            out[p] = max(out.get(p, 0.0), v)
    return out


def measured(d):
    """The quantities the model takes from the run."""
    cfg = d["config"]
    n, grid = cfg["particles"], cfg["grid"]
    s = _serial(d)
    ph = _phases(s)
    threads = s["threads"]
    particle_ms = sum(v for p, v in ph.items() if p != "solve")
    m = {"n": n, "grid": grid, "threads": threads, "serial_ms": _result(s)["step_ms_median"],
         "particle_ms": particle_ms, "solve_ms": ph.get("solve", 0.0),
         # core-ns per particle per step (gather, build, interpolate, kick, drift)
         "core_ns_per_particle": particle_ms * 1e6 * threads / n,
         # core-ns per mesh cell and log2(grid) (the convolution)
         "core_ns_per_cell_log": ph.get("solve", 0.0) * 1e6 * threads / (grid ** 3 * math.log2(grid)),
         "split": []}
    for r in _rows(d):
        P = r["ranks"]
        if P < 2:
            continue
        ranks = _result(r)["ranks"]
        recv = [k["comm"]["bytes_received_per_step"] for k in ranks]
        total = sum(recv)
        moved = n * (P - 1) / P
        particles = (PARTICLE_OUT_B + PARTICLE_BACK_B) * moved
        ghosts = GHOST_PLANES * 8 * grid ** 2 * (P - 1)
        mesh = total - particles - ghosts
        m["split"].append({"ranks": P, "total": total, "max_rank": max(recv), "mean_rank": total / P,
                           "particles": particles, "ghosts": ghosts, "mesh": mesh,
                           # the transposes' bytes per mesh cell, as if every rank sent (P-1)/P of its share
                           "mesh_b_per_cell": mesh / (grid ** 3 * (P - 1) / P),
                           "comm_ms_max": max(k["comm"]["ms_per_step"] for k in ranks),
                           "step_ms": _result(r)["step_ms_median"]})
    return m


def model(d):
    """Per step of ASSUMED's run: one rank per node, its cores as OpenMP threads."""
    m = measured(d)
    if not m["split"]:
        return m, []
    b_cell = m["split"][-1]["mesh_b_per_cell"]  # the largest rank count measured
    N, g = ASSUMED["particles"], ASSUMED["grid"]
    bw = ASSUMED["network_gbs"] * 1e9
    out = []
    for C in ASSUMED["cores_per_node"]:
        for P in ASSUMED["nodes"]:
            part_b = (PARTICLE_OUT_B + PARTICLE_BACK_B) * N * (P - 1) / P / P
            mesh_b = b_cell * g ** 3 * (P - 1) / P / P
            ghost_b = GHOST_PLANES * 8 * g ** 2
            msgs = ALLTOALLS_PER_STEP * (P - 1) + REDUCTIONS_PER_STEP * math.ceil(math.log2(P))
            net_ms = (part_b + mesh_b + ghost_b) / bw * 1e3 + msgs * ASSUMED["latency_us"] * 1e-3
            part_ms = m["core_ns_per_particle"] * N / (P * C) * 1e-6
            mesh_ms = m["core_ns_per_cell_log"] * g ** 3 * math.log2(g) / (P * C) * 1e-6
            step = part_ms + mesh_ms + net_ms
            one_node = (part_ms + mesh_ms) * P  # the same work on one such node, no network
            out.append({"nodes": P, "cores": C, "particle_ms": part_ms, "mesh_ms": mesh_ms, "net_ms": net_ms,
                        "step_ms": step, "net_mb": (part_b + mesh_b + ghost_b) / 1e6,
                        "part_mb": part_b / 1e6, "mesh_mb": (mesh_b + ghost_b) / 1e6,
                        "speedup": one_node / step, "efficiency": one_node / step / P,
                        "node_gb": (56 + 128) * N / P / 1e9})
    return m, out


def _load(r):
    return "%.2f / %.2f / %.2f" % (r["load_before"], r["load_max_during"], r["load_after"])


def scaling_table(d):
    s = _serial(d)
    ref = _result(s)["step_ms_median"]
    out = ["| ranks x threads | step ms median (min-max) | speed x serial | per-rank max particles | "
           "per-rank max particle MB | per-rank max peak heap MB | comm MB/step received (max rank) | "
           "comm ms/step (max rank) | state hash | load before / max during / after |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    hashes = set()
    for r in _rows(d):
        res = _result(r)
        hashes.add(res["state_hash"])
        if r["ranks"] == 0:
            label = "serial `slotsim`, %d threads" % r["threads"]
            parts, pmb, heap, cmb, cms = d["config"]["particles"], res["particle_bytes"] / 1e6, \
                res["heap_peak_bytes"] / 1e6, "-", "-"
        else:
            ks = res["ranks"]
            label = "%d x %d%s" % (r["ranks"], r["threads"], " (oversubscribed)" if r["ranks"] * r["threads"] >
                                   d["machine"]["cores"] else "")
            parts = max(k["particles"] for k in ks)
            pmb = max(k["particle_bytes"] for k in ks) / 1e6
            heap = max(k["heap_peak_bytes"] for k in ks) / 1e6
            cmb = "%.2f" % (max(k["comm"]["bytes_received_per_step"] for k in ks) / 1e6)
            cms = "%.2f" % max(k["comm"]["ms_per_step"] for k in ks)
        out.append("| %s | %.2f (%.2f-%.2f) | %.2f | %d | %.1f | %.1f | %s | %s | %s | %s |" % (
            label, res["step_ms_median"], res["step_ms_min"], res["step_ms_max"], ref / res["step_ms_median"],
            parts, pmb, heap, cmb, cms, res["state_hash"], _load(r)))
    return out, hashes


def section(d, json_name="docs/bench/mpi_scaling_1m.json"):
    cfg = d["config"]
    tab, hashes = scaling_table(d)
    loaded = [r for r in _rows(d) if r["load_before"] >= 1.5]
    m, mod = model(d)
    lines = ["## " + TITLE, "",
             "`bash bench/run_mpi_scaling.sh build` (%s, %d cores, %.0f GB; %s; measured %s at commit %s). "
             "%s particles, scene %s, pm, grid %d, layout %s, %d steps x %d repeats after one warm-up step; the "
             "step time of an MPI row is its slowest rank's median. Commands (environment: %s):" % (
                 d["machine"]["cpu"], d["machine"]["cores"], d["machine"]["mem_total_bytes"] / 2 ** 30,
                 d["machine"]["mpirun"], d["date"], d["commit"], format(cfg["particles"], ","), cfg["scene"],
                 cfg["grid"], cfg["layout"], cfg["steps"], cfg["repeats"], d["environment"]), "", "```sh"] + \
            [r["command"] for r in _rows(d)] + ["```", ""] + tab + [""]
    lines.append("One state hash on every row: %s." % ("yes" if len(hashes) == 1 else
                                                       "**NO: %d different hashes**" % len(hashes)))
    lines.append("")
    if loaded:
        lines += ["**The machine was shared**: the load average was %s before %s (other work; the run's own "
                  "ranks x threads add to the load during a row). These milliseconds are not this machine's own."
                  % (", ".join("%.2f" % r["load_before"] for r in loaded),
                     "those rows" if len(loaded) > 1 else "that row"), ""]
    lines += ["All ranks run on one 2-core machine, so the rows say what distribution costs, not what it gains: "
              "np 2 x 1 does the serial work on the same two cores plus the exchanges; np 4 runs four ranks on "
              "two cores. `comm ms` is the time inside MPI calls, waiting for the slowest rank included "
              "(a crowded central slab makes the others wait). Load: the 1-minute load average before the row, "
              "the largest sampled once a second during it, and after it. Per-rank peak heap includes pm's imports: a "
              "Plummer sphere crowds the central slabs.", ""]
    if not mod:
        return lines + ["(No MPI row with 2 ranks or more: no model.)", ""]
    lines += ["### A 100M-particle run on 16 and 64 nodes, on paper", "",
              "Computed by `bench/mpi_scaling.py` from `%s`. **Measured** here, in the rows above:" % json_name, "",
              "- compute rates, from the serial row (%d threads): the particle passes (gather, build, "
              "interpolate, kick, drift) %.1f ms for %s particles = **%.1f core-ns per particle**; the convolution "
              "(solve) %.1f ms on grid %d = **%.3f core-ns per mesh cell x log2(grid)**;" % (
                  m["threads"], m["particle_ms"], format(m["n"], ","), m["core_ns_per_particle"], m["solve_ms"],
                  m["grid"], m["core_ns_per_cell_log"]),
              "- bytes received per step, all ranks together: " + "; ".join(
                  "np %d **%.2f MB** (max rank %.2f MB, mean %.2f MB)" % (
                      s["ranks"], s["total"] / 1e6, s["max_rank"] / 1e6, s["mean_rank"] / 1e6) for s in m["split"]) +
              ". Split with the record sizes of `dist/pm_solver.cpp`: %d B per particle that changes rank "
              "(%d B out, %d B back; with ids in random places a fraction (P-1)/P of them), %d ghost planes of "
              "grid^2 doubles per slab boundary, and the rest the two transposes of the spectrum: " % (
                  PARTICLE_OUT_B + PARTICLE_BACK_B, PARTICLE_OUT_B, PARTICLE_BACK_B, GHOST_PLANES) +
              "; ".join("np %d: particles %.2f MB, ghost planes %.2f MB, transposes %.2f MB = **%.2f B per mesh "
                        "cell** (%.1f kB per mesh plane) per (P-1)/P" % (
                            s["ranks"], s["particles"] / 1e6, s["ghosts"] / 1e6, s["mesh"] / 1e6,
                            s["mesh_b_per_cell"], s["mesh_b_per_cell"] * m["grid"] ** 2 / 1e3)
                        for s in m["split"]) +
              ". The model uses the np %d figure (a transpose of every row would be 32 B per cell: %.0f%% of the "
              "rows hold mass or are wanted)." % (m["split"][-1]["ranks"], 100 * m["split"][-1]["mesh_b_per_cell"] / 32),
              "",
              "**Assumed** (not measured on this machine): %s particles, grid %d (the sbatch recipe's); one rank "
              "per node with its cores as threads; a node's cores run at this machine's per-core rates above; "
              "network %.0f GB/s per node each way and %.1f us per message, %d all-to-alls (P-1 messages each) "
              "and %d reductions (log2 P rounds) per step; no overlap of communication and compute; perfect "
              "balance (bytes and work split evenly over the nodes)." % (
                  format(ASSUMED["particles"], ","), ASSUMED["grid"], ASSUMED["network_gbs"], ASSUMED["latency_us"],
                  ALLTOALLS_PER_STEP, REDUCTIONS_PER_STEP), "",
              "| nodes x cores | particle passes ms | convolution ms | network MB/node/step (particles + mesh) | "
              "network ms | step ms | x one such node | efficiency | particles + imports GB/node |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in mod:
        lines.append("| %d x %d | %s | %s | %.0f (%.0f + %.0f) | %s | %s | %.1f | %.0f%% | %.2f |" % (
            r["nodes"], r["cores"], _fmt_ms(r["particle_ms"]), _fmt_ms(r["mesh_ms"]), r["net_mb"], r["part_mb"],
            r["mesh_mb"], _fmt_ms(r["net_ms"]), _fmt_ms(r["step_ms"]), r["speedup"], 100 * r["efficiency"],
            r["node_gb"]))
    g = ASSUMED["grid"]
    lines += ["", "What the model leaves out, each of which makes the real run slower:", "",
              "- **Imbalance.** A Plummer sphere crowds the central x-slabs: the rank owning the centre imports "
              "and deposits many times its share (`--dry-run` prints each rank's imports), and every rank waits "
              "for it at the next all-to-all. Measured here: the busiest rank received %s the mean rank's "
              "bytes. Slabs get thinner as P grows, so the crowding worsens with P; the model assumes none." % (
                  " and ".join("%.2fx at np %d" % (s["max_rank"] / s["mean_rank"], s["ranks"]) for s in m["split"])),
              "- **The mesh.** Grid %d is an assumption: at 100M particles it is %.2f particles per cell; a "
              "mesh of 1024 would multiply the convolution by about 9 (1024^3 log 1024 against 512^3 log 512) "
              "and its transposes by 8. The fraction of rows transposed (isolated meshes skip empty rows) is the "
              "measured run's, at %s particles." % (g, ASSUMED["particles"] / g ** 3, format(m["n"], ",")),
              "- **The slab decomposition.** pm gives every rank at least 2 x-planes: at most grid/2 = %d ranks, "
              "which is why the model runs one rank per node (64 nodes x 32 cores as ranks would be 2048). Each "
              "transpose is an all-to-all: every node sends P-1 messages per transpose, of about %.2f MB each at 64 nodes, and "
              "the bytes crossing the network per step (%.1f GB for the mesh at grid %d) do not shrink with P: "
              "the model assumes full bisection bandwidth. Pencils would lift the P limit at the price of a "
              "second transpose." % (
                  g // 2, m["split"][-1]["mesh_b_per_cell"] * g ** 3 / 2 / 64 / 64 / 1e6,
                  m["split"][-1]["mesh_b_per_cell"] * g ** 3 / 1e9, g),
              "- **Per-core rates.** A 32-core node does not give each core this VM's memory bandwidth; the "
              "particle passes are bandwidth-bound (see the pm floor above). The 2-core row is this machine as "
              "a node.",
              "- **The isolated Green's function** is computed whole by rank 0 when the mesh spacing changes "
              "(it moves on a ladder, so rarely): (grid+1)^3 doubles, %.1f GB at grid %d, and scattered: left out "
              "as a per-step cost." % ((g + 1) ** 3 * 8 / 1e9, g),
              "- **Bytes measured on one machine**: the ranks talk through shared memory, so the measured comm "
              "ms say nothing about a network; only the bytes are carried over.", ""]
    return lines


def summary(d):
    """A few sentences for docs/DISTRIBUTED.md."""
    m, mod = model(d)
    tab, hashes = scaling_table(d)
    rows = {r["label"]: r for r in _rows(d)}
    ref = _result(_serial(d))["step_ms_median"]
    parts = ["Measured on this 2-core machine (`bash bench/run_mpi_scaling.sh build`, %s particles, pm, grid %d; "
             "load before the rows %s): step %s ms (serial, 2 threads), %s; %s." % (
                 format(d["config"]["particles"], ","), d["config"]["grid"],
                 "/".join("%.2f" % r["load_before"] for r in _rows(d)), _fmt_ms(ref),
                 ", ".join("np %d x %d %s ms" % (r["ranks"], r["threads"], _fmt_ms(_result(r)["step_ms_median"]))
                           for r in _rows(d) if r["ranks"] > 0),
                 "one state hash on every row" if len(hashes) == 1 else "**the hashes differ**")]
    if mod:
        by = {(r["nodes"], r["cores"]): r for r in mod}
        C = max(ASSUMED["cores_per_node"])
        a, b = by[(ASSUMED["nodes"][0], C)], by[(ASSUMED["nodes"][1], C)]
        parts.append("On paper, from the bytes and phase costs measured there, a %s-particle pm step (grid %d, "
                     "%d-core nodes at this machine's per-core rates, an assumed %.0f GB/s, %.1f us network) takes "
                     "about %s ms on %d nodes (%.0f%% of it on the network) and %s ms on %d (%.0f%%). "
                     "The model assumes perfect balance, which a "
                     "Plummer sphere's crowded central slabs break, and the slab decomposition caps pm at grid/2 "
                     "ranks." % (format(ASSUMED["particles"], ","), ASSUMED["grid"], C, ASSUMED["network_gbs"],
                                 ASSUMED["latency_us"], _fmt_ms(a["step_ms"]), a["nodes"],
                                 100 * a["net_ms"] / a["step_ms"], _fmt_ms(b["step_ms"]), b["nodes"],
                                 100 * b["net_ms"] / b["step_ms"]))
    parts.append("Table, model and what it leaves out: [BENCHMARKS.md](BENCHMARKS.md#%s)." % ANCHOR)
    return " ".join(parts)


def missing_section():
    return ["## " + TITLE, "",
            "Not measured yet: run `bash bench/run_mpi_scaling.sh build && python3 bench/write_docs.py` on a quiet "
            "machine (about 1-2 minutes). It writes `docs/bench/mpi_scaling_1m.{json,md}`, from which this section "
            "gets the scaling table (serial, np 1 x 2, np 2 x 1, np 4 x 1) and the model of a 100M-particle run "
            "on 16 and 64 nodes.", ""]


if __name__ == "__main__":
    import json
    if len(sys.argv) != 2:
        sys.exit("usage: python3 bench/mpi_scaling.py FILE.json")
    data = json.load(open(sys.argv[1]))
    print("\n".join(section(data, sys.argv[1])))
    print("---- docs/DISTRIBUTED.md summary:")
    print(summary(data))
