#!/usr/bin/env python3
"""Copies data/ as it was when torch TORCH was the newest release: the torch tables' later rows
removed (arch-list ranges that reach past it end at it), torchvision/torchaudio releases
uploaded after it removed, and the triton rows of later torch releases. The rest is copied as
is. With --sources URL, update-sources.csv points at a test server instead of the real sites.

Usage: cut_data.py DATA OUT [--torch 2.11.0] [--sources http://127.0.0.1:PORT]
"""
import argparse
import csv
import io
import os
import re
import shutil


def vkey(v):
    return tuple(int(p) for p in re.findall(r"\d+", v.split("+")[0]))


def rewrite(path, keep, change=None):
    """Keeps the comment lines and header; rows for which keep(row) is true (changed by change)."""
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    lines = text.splitlines(keepends=True)
    comments = []
    while lines and lines[0].startswith("#"):
        comments.append(lines.pop(0))
    reader = csv.DictReader(io.StringIO("".join(lines)))
    out = io.StringIO()
    out.write("".join(comments))
    w = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    w.writeheader()
    for row in reader:
        if not keep(row):
            continue
        if change:
            change(row)
        w.writerow(row)
    with open(path, "w", encoding="utf-8") as f:
        f.write(out.getvalue())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--torch", help="the newest release kept (default: no cut)")
    ap.add_argument("--sources")
    a = ap.parse_args()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    shutil.copytree(a.data, a.out)
    cut = vkey(a.torch) if a.torch else None
    if cut is not None:
        rewrite(os.path.join(a.out, "torch-releases.csv"), lambda r: vkey(r["torch"]) <= cut)
        rewrite(os.path.join(a.out, "torch-variants.csv"), lambda r: vkey(r["torch"]) <= cut)
        rewrite(os.path.join(a.out, "torch-wheels.csv"), lambda r: vkey(r["torch"]) <= cut)

        def end_at_cut(r):
            if vkey(r["torch_to"]) > cut:
                r["torch_to"] = a.torch
        rewrite(os.path.join(a.out, "torch-arch-lists.csv"),
                lambda r: vkey(r["torch_from"]) <= cut, end_at_cut)
        with open(os.path.join(a.out, "torch-releases.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        date = next(r["date"] for r in rows if vkey(r["torch"]) == cut)
        rewrite(os.path.join(a.out, "torch-companion-releases.csv"), lambda r: r["date"] <= date)
        rewrite(os.path.join(a.out, "frameworks.csv"),
                lambda r: not (r["framework"] == "triton" and r["torch"] and vkey(r["torch"]) > cut))
    if a.sources:
        base = a.sources.rstrip("/")

        def point(r):
            r["url"] = {"pypi": base + "/simple", "pytorch": base + "/whl",
                        "cuda-release-notes": base + "/nvidia/release-notes.html"}.get(r["name"], r["url"])
        rewrite(os.path.join(a.out, "update-sources.csv"), lambda r: True, point)


if __name__ == "__main__":
    main()
