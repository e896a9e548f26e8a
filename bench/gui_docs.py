#!/usr/bin/env python3
"""Puts the figures of docs/gui/figures.md (written by bench/gui_figures.sh)
into docs/GUI.md and README.md, between <!-- NAME --> and <!-- /NAME -->
markers, so that running it again replaces them: GUI_STUDY (the time-step
study), GUI_WINDOW (the classroom run and steps per second per layout) in
docs/GUI.md, and GUI_FIGURES (one paragraph) in README.md. Every figure is
read from the measured tables; nothing is typed here."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
src = open(os.path.join(root, "docs", "gui", "figures.md")).read()


def section(n):
    m = re.search(r"^## %d\..*?(?=^## \d+\.|\Z)" % n, src, re.S | re.M)
    if not m:
        sys.exit("gui_docs: docs/gui/figures.md has no section %d" % n)
    return m.group(0).strip()


def put(text, name, body):
    start, end = "<!-- %s -->" % name, "<!-- /%s -->" % name
    if start in text:
        a = text.index(start)
        b = text.index(end, a) + len(end)
    elif name in text:  # first run: the bare placeholder
        a = text.index(name)
        b = a + len(name)
    else:
        sys.exit("gui_docs: no %s marker" % name)
    return text[:a] + start + "\n" + body + "\n" + end + text[b:]


def row(sec, label_re):
    for line in sec.splitlines():
        c = [x.strip() for x in line.strip().strip("|").split("|")]
        if len(c) == 2 and re.search(label_re, c[0]):
            return c
    return None


head = src.split("\n## ")[0].strip().splitlines()
machine = " ".join(l for l in head[1:] if l.strip())
s2, s3 = section(2), section(3)
gui_md = os.path.join(root, "docs", "GUI.md")
g = open(gui_md).read()
g = put(g, "GUI_STUDY", section(1).split("\n", 1)[1].strip())
g = put(g, "GUI_WINDOW", machine + "\n\n" + s2 + "\n\n" + s3)

open(gui_md, "w").write(g)

peri = row(s2, r"to t = ")
med = row(s2, r"frames with particles: median")
p95 = row(s2, r"frames with particles: p95")
rates = []
for line in s3.splitlines():
    m = re.match(r"\|\s*`([^`]+)`: steps/s in the window \(load ([^)]*)\)\s*\|\s*([0-9.]+)", line)
    if m:
        rates.append("`%s` %s (load %s)" % (m.group(1), m.group(3), m.group(2)))
parts = []
if peri:
    parts.append("the collision's first pericentre came %s s after the window's first frame%s" % (
        peri[1], re.search(r"\(load [^)]*\)", peri[0]).group(0).join([" ", ""]) if "(load" in peri[0] else ""))
if med and p95:
    parts.append("frames took %s ms (median) and %s ms (p95)" % (med[1], p95[1]))
if rates:
    parts.append("steps per second at a million particles: " + ", ".join(rates))
para = ("Measured with `bash bench/gui_figures.sh` (%s): at the defaults, %s." % (
    machine.replace("Measured ", "").rstrip("."), "; ".join(parts))) if parts else "Not measured yet: run `bash bench/gui_figures.sh`."
readme = os.path.join(root, "README.md")
r = open(readme).read()
r = put(r, "GUI_FIGURES", para)
open(readme, "w").write(r)
print("gui_docs: docs/GUI.md and README.md updated from docs/gui/figures.md")
