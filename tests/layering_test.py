#!/usr/bin/env python3
"""Checks every #include of the source tree against docs/ARCHITECTURE.md.

The document's two tables are the rule: the targets table (which layer may
include which, and which system headers a layer must never see) and the
levels inside sim (a file may include its own level or a lower one). A
violation is printed as FILE:LINE and the rule it breaks; the exit status
is the number of violations (0 = the docs and the includes agree).

Usage: layering_test.py SOURCE_DIR
"""
import os
import re
import sys

CODE_EXT = (".hpp", ".cpp", ".inl", ".h")


def table_rows(text, header):
    """Rows (lists of cells) of the markdown table whose header row starts with `header`."""
    rows, inside = [], False
    for line in text.splitlines():
        if line.startswith("| " + header):
            inside = True
            continue
        if inside:
            if not line.startswith("|"):
                break
            if line.startswith("|---"):
                continue
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def ticked(cell):
    return re.findall(r"`([^`]+)`", cell)


def longest(prefixes, path):
    best = None
    for key, pre in prefixes:
        if path.startswith(pre) and (best is None or len(pre) > len(best[1])):
            best = (key, pre)
    return best[0] if best else None


def main(root):
    doc = open(os.path.join(root, "docs/ARCHITECTURE.md"), encoding="utf-8").read()
    targets = table_rows(doc, "layer |")
    levels = table_rows(doc, "level |")
    if not targets or not levels:
        print("docs/ARCHITECTURE.md: the targets or the levels table is missing")
        return 1
    layer_of, allowed, banned = [], {}, {}
    for name, files, may, never in targets:
        layer = ticked(name)[0]
        for p in ticked(files):
            layer_of.append((layer, p))
        allowed[layer] = set(ticked(may)) | {layer}
        banned[layer] = ticked(never)
    level_of = []
    for lvl, _name, files in levels:
        for p in ticked(files):
            level_of.append((int(lvl), p))

    bad = 0
    checked = 0
    for dirpath, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir.split(os.sep)[0] in ("build", "tests", ".git") or rel_dir.startswith("build"):
            dirs[:] = []
            continue
        for f in files:
            if not f.endswith(CODE_EXT):
                continue
            path = os.path.normpath(os.path.join(rel_dir, f)).replace(os.sep, "/")
            layer = longest(layer_of, path)
            if layer is None:
                continue
            checked += 1
            for n, line in enumerate(open(os.path.join(root, path), encoding="utf-8", errors="replace"), 1):
                m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                if not m:
                    continue
                inc = m.group(2)
                for b in banned[layer]:
                    if b in inc:
                        print(f"{path}:{n}: {layer} never includes {b} ({inc})")
                        bad += 1
                if m.group(1) != '"':
                    continue
                target = longest(layer_of, inc)
                if target is None:
                    continue  # a generated or third-party header
                if target not in allowed[layer]:
                    print(f"{path}:{n}: {layer} may not include {target} ({inc})")
                    bad += 1
                    continue
                if layer == "sim" and target == "sim":
                    mine, theirs = longest(level_of, path), longest(level_of, inc)
                    if mine is None or theirs is None:
                        print(f"{path}:{n}: no level in docs/ARCHITECTURE.md for "
                              f"{path if mine is None else inc}")
                        bad += 1
                    elif theirs > mine:
                        print(f"{path}:{n}: sim level {mine} includes level {theirs} ({inc})")
                        bad += 1
    print(f"layering: {checked} files checked against docs/ARCHITECTURE.md, {bad} violation(s)")
    return min(bad, 125)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
