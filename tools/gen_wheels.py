#!/usr/bin/env python3
"""Writes data/torch-wheels.csv and data/torch-companion-releases.csv from PyPI itself.

The build never runs this (it needs the network); re-run it after a torch, torchvision or
torchaudio release and review `git diff data/`.

* torch-wheels.csv: which CPython wheels exist, per (torch release, index, platform).
  - index "pypi": read from PyPI's JSON simple API (PEP 691,
    `Accept: application/vnd.pypi.simple.v1+json` on https://pypi.org/simple/torch/), which
    lists every file with its tags, Requires-Python, upload time and yanked flag. Evidence
    `listed` (the tags are exactly the files'), or `none` (the list has no wheel there).
  - index = a variant of torch-variants.csv (its download.pytorch.org index, which is not
    reachable from where this was written): the wheels public lock files and index-page copies
    show (tools/pytorch-index-wheels.csv, each with its source). A whole index page copied
    for that release gives `listed`; otherwise the PyPI tags of the same release and
    platform, plus any seen, give `inferred` (PyTorch builds every variant of a release for
    the same Pythons: the PyPI wheel is one of them); nothing to infer from gives `unknown`
    with the reason.
* torch-companion-releases.csv: every torchvision / torchaudio release on PyPI with its
  upload date, yanked flag, Requires-Python and its torch requirement, read from a wheel's own
  METADATA. PyPI here serves no PEP 658 `.metadata` files and no per-version JSON, so the
  METADATA member is read out of the wheel with HTTP range requests (the zip's central
  directory, then that one member), never the whole file.

Usage: python3 tools/gen_wheels.py [--data DIR] [--cache DIR] [--offline]
  --cache DIR  keep PyPI's answers there (default ~/.cache/cudafit-gen-wheels); --offline
               uses only that cache.
"""
import argparse
import csv
import datetime
import io
import json
import os
import re
import sys
import urllib.request
import zipfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SIMPLE = "https://pypi.org/simple/{}/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
PLATFORMS = ("linux-x86_64", "linux-aarch64", "windows-x86_64")


def vkey(v):
    """Sort key of a release version (1.10.0 after 1.9.1; post releases after theirs)."""
    parts = re.findall(r"\d+|[a-z]+", v.split("+")[0])
    return tuple((0, int(p)) if p.isdigit() else (-1, p) if p != "post" else (1, 0) for p in parts)


class Fetcher:
    def __init__(self, cache, offline):
        self.cache, self.offline = cache, offline
        os.makedirs(cache, exist_ok=True)

    def _path(self, key):
        return os.path.join(self.cache, re.sub(r"[^A-Za-z0-9._-]", "_", key))

    def get(self, url, headers=None, key=None):
        path = self._path(key or url)
        if os.path.exists(path):
            with open(path, "rb") as f:
                return f.read()
        if self.offline:
            sys.exit(f"--offline: {url} is not in the cache {self.cache}")
        req = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(req, timeout=120) as r:
            data = r.read()
        with open(path, "wb") as f:
            f.write(data)
        return data

    def simple(self, project):
        return json.loads(self.get(SIMPLE.format(project), {"Accept": ACCEPT}, "simple-" + project))


class RangeFile(io.RawIOBase):
    """A remote file read by HTTP range requests, cached in blocks (for zipfile)."""

    BLOCK = 1 << 16

    def __init__(self, fetcher, url, size):
        self.f, self.url, self.size, self.pos = fetcher, url, size, 0

    def seekable(self):
        return True

    def readable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, off, whence=0):
        self.pos = {0: off, 1: self.pos + off, 2: self.size + off}[whence]
        return self.pos

    def _block(self, n):
        lo = n * self.BLOCK
        hi = min(self.size, lo + self.BLOCK) - 1
        return self.f.get(self.url, {"Range": f"bytes={lo}-{hi}"}, f"{self.url}@{n}")

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.size - self.pos
        n = max(0, min(n, self.size - self.pos))
        out = bytearray()
        while n > 0:
            b = self.pos // self.BLOCK
            block = self._block(b)
            start = self.pos - b * self.BLOCK
            piece = block[start:start + n]
            if not piece:
                break
            out += piece
            self.pos += len(piece)
            n -= len(piece)
        return bytes(out)

    def readinto(self, buf):
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)


WHEEL = re.compile(r"^(?P<name>[^-]+)-(?P<ver>[^-]+)(?:-(?P<build>\d[^-]*))?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$")


def parse_wheel(filename):
    m = WHEEL.match(filename)
    return m.groupdict() if m else None


def platform_of(plat_tag):
    tags = plat_tag.split(".")
    if any(t.endswith("_x86_64") and "linux" in t for t in tags):
        return "linux-x86_64"
    if any(t.endswith("_aarch64") and "linux" in t for t in tags):
        return "linux-aarch64"
    if any(t == "win_amd64" for t in tags):
        return "windows-x86_64"
    return None  # macOS, 32-bit: not platforms cudafit chooses for


def cpython_tags(py, abi):
    """cp310-cp310 -> cp310; cp37-cp37m -> cp37; cp313-cp313t -> cp313t (free-threaded ABI)."""
    out = []
    for p in py.split("."):
        if not p.startswith("cp"):
            continue
        out.append(p + "t" if abi == p + "t" else p)
    return out


def tag_key(t):
    m = re.match(r"cp(\d)(\d+)(t?)$", t)
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else (0, 0, t)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def write_csv(path, comment, header, rows):
    buf = io.StringIO()
    for line in comment.strip().splitlines():
        buf.write(("# " + line).rstrip() + "\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    with open(path, "w", encoding="utf-8") as f:
        f.write(buf.getvalue())


# ---- torch wheels ----

def pypi_torch(simple):
    """{release: {platform: {tags, requires_python, uploaded, yanked, files}}} from the listing."""
    out = defaultdict(lambda: defaultdict(lambda: {"tags": set(), "rp": set(), "uploaded": None,
                                                   "yanked": set(), "files": 0}))
    for f in simple["files"]:
        w = parse_wheel(f["filename"])
        if not w or w["name"] != "torch":
            continue
        plat = platform_of(w["plat"])
        if plat is None:
            continue
        g = out[w["ver"]][plat]
        g["tags"].update(cpython_tags(w["py"], w["abi"]))
        g["rp"].add(f.get("requires-python") or "")
        up = (f.get("upload-time") or "")[:10]
        g["uploaded"] = min(filter(None, [g["uploaded"], up])) if up else g["uploaded"]
        g["yanked"].add(bool(f.get("yanked")))
        g["files"] += 1
    return out


def index_evidence(path):
    """{(release, variant, platform): [(tag, source, listing)]} from the gathered index wheels."""
    out = defaultdict(list)
    for r in read_csv(path):
        w = parse_wheel(r["filename"])
        if not w:
            sys.exit(f"{path}: not a wheel file name: {r['filename']}")
        ver, _, local = w["ver"].partition("+")
        variant = local or r["index"].rstrip("/").split("/")[-1]
        plat = platform_of(w["plat"])
        for t in cpython_tags(w["py"], w["abi"]):
            out[(ver, variant, plat)].append((t, r["source"], r["listing"]))
    return out


def torch_rows(simple, variants, evidence, fetched):
    listing = pypi_torch(simple)
    releases = sorted({v["torch"] for v in variants} | set(listing), key=vkey)
    by_release = defaultdict(list)
    for v in variants:
        by_release[v["torch"]].append(v)
    src = f"{SIMPLE.format('torch')} (PEP 691 JSON)"
    rows = []
    for rel in releases:
        pypi = listing.get(rel, {})
        for plat in PLATFORMS:
            g = pypi.get(plat)
            row = {"torch": rel, "index": "pypi", "platform": plat, "fetched": fetched}
            if g:
                rps = sorted(g["rp"])
                row.update(pythons=" ".join(sorted(g["tags"], key=tag_key)),
                           requires_python=rps[0] if len(rps) == 1 else "",
                           evidence="listed", uploaded=g["uploaded"] or "",
                           source=f"{src}: {g['files']} torch-{rel} {plat} wheel files")
                notes = []
                if len(rps) > 1:
                    notes.append("files disagree on Requires-Python: " + " | ".join(rps))
                if True in g["yanked"]:
                    notes.append("yanked" if g["yanked"] == {True} else "some files yanked")
                row["notes"] = "; ".join(notes)
            elif pypi:
                row.update(evidence="none", source=src,
                           notes=f"PyPI has torch {rel} files, none for {plat}")
            else:
                row.update(evidence="none", source=src, notes=f"torch {rel} is not on PyPI")
            rows.append(row)
        # A release PyPI does not have (1.8.2, the LTS release of the 1.8 series, lives only on
        # download.pytorch.org/whl/lts/1.8): its series' newest release on PyPI stands in.
        base_rel = rel if pypi else same_series_on_pypi(rel, listing)
        base = listing.get(base_rel, {}) if base_rel else {}
        for v in sorted(by_release.get(rel, []), key=lambda v: v["variant"]):
            plats = set(v["platforms"].split())
            plats |= {p for (r2, var, p) in evidence if r2 == rel and var == v["variant"] and p}
            for plat in [p for p in PLATFORMS if p in plats]:
                rows.append(variant_row(rel, v["variant"], plat, base.get(plat), base_rel,
                                        evidence.get((rel, v["variant"], plat), []), src, fetched))
    return rows


def same_series_on_pypi(rel, listing):
    """The newest earlier release of rel's major.minor that PyPI has, or None."""
    series = rel.split(".")[:2]
    older = [v for v in listing if v.split(".")[:2] == series and vkey(v) < vkey(rel)]
    return max(older, key=vkey) if older else None


def variant_row(rel, variant, plat, pypi, pypi_rel, seen, src, fetched):
    row = {"torch": rel, "index": variant, "platform": plat, "fetched": fetched}
    seen_tags = sorted({t for t, _, _ in seen}, key=tag_key)
    seen_srcs = sorted({s for _, s, _ in seen})
    pages = sorted({s for _, s, listing in seen if listing == "page"})
    rp = ""
    if pypi and pypi_rel == rel and len(pypi["rp"]) == 1:
        rp = next(iter(pypi["rp"]))
    if pages:
        tags = sorted({t for t, _, listing in seen if listing == "page"}, key=tag_key)
        row.update(pythons=" ".join(tags), requires_python=rp, evidence="listed",
                   source="; ".join(pages),
                   notes=("Requires-Python from PyPI's files of this release" if rp else ""))
        return row
    if pypi:
        tags = sorted(set(pypi["tags"]) | set(seen_tags), key=tag_key)
        if pypi_rel == rel:
            notes = [f"the PyPI wheels of torch {rel} on {plat} (every variant of a release is "
                     "built for the same Pythons)"]
        else:
            notes = [f"torch {rel} is not on PyPI: the PyPI wheels of torch {pypi_rel}, the release "
                     f"of the same series it follows, on {plat}"]
        if seen_tags:
            notes.append("seen on the index: " + " ".join(seen_tags))
        extra = sorted(set(seen_tags) - set(pypi["tags"]), key=tag_key)
        if extra:
            notes.append("not on PyPI: " + " ".join(extra))
        row.update(pythons=" ".join(tags), requires_python=rp, evidence="inferred",
                   source="; ".join([src] + seen_srcs), notes="; ".join(notes))
        return row
    if seen_tags:
        row.update(pythons=" ".join(seen_tags), evidence="partial", source="; ".join(seen_srcs),
                   notes=f"no PyPI wheel of torch {rel} for {plat} to infer the whole set from: "
                         "these Pythons are seen in public files, others are unknown")
        return row
    row.update(evidence="unknown", source=src,
               notes=f"no torch {rel} wheel for {plat} on PyPI to infer from, none seen in public "
                     "files, and download.pytorch.org was not reachable")
    return row


# ---- torchvision / torchaudio ----

def pick_wheel(files, version):
    """The wheel whose METADATA stands for the release: Linux x86_64, newest CPython, smallest."""
    best = None
    for f in files:
        w = parse_wheel(f["filename"])
        if not w or w["ver"] != version:
            continue
        plat = platform_of(w["plat"]) or ("any" if w["plat"] == "any" else None)
        rank = ({"linux-x86_64": 0, "any": 1, "linux-aarch64": 2, "windows-x86_64": 3}.get(plat, 4),
                tuple(-x if isinstance(x, int) else 0 for x in tag_key(w["py"].split(".")[-1])),
                f.get("size") or 0)
        if best is None or rank < best[0]:
            best = (rank, f)
    return best[1] if best else None


def metadata_of(fetcher, f):
    size = f.get("size")
    if not size:
        data = fetcher.get(f["url"])
        zf = zipfile.ZipFile(io.BytesIO(data))
    else:
        zf = zipfile.ZipFile(io.BufferedReader(RangeFile(fetcher, f["url"], size), 1 << 16))
    name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
    return zf.read(name).decode("utf-8", "replace")


def torch_requirement(metadata):
    """The Requires-Dist on torch without its marker ('torch==1.13.0'), 'none' when there is none."""
    reqs = []
    for line in metadata.split("\n\n", 1)[0].splitlines():
        if not line.lower().startswith("requires-dist:"):
            continue
        req = line.split(":", 1)[1].strip()
        m = re.match(r"^torch\b(?![-_.a-z0-9])\s*(.*)$", req, re.I)
        if not m:
            continue
        spec = m.group(1).split(";", 1)[0].strip()
        if spec.startswith("(") and spec.endswith(")"):
            spec = spec[1:-1].strip()
        reqs.append("torch" + re.sub(r"\s+", "", spec))
    return " | ".join(sorted(set(reqs))) if reqs else "none"


def header_value(metadata, key):
    for line in metadata.split("\n\n", 1)[0].splitlines():
        if line.lower().startswith(key.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def companion_rows(fetcher, package, simple, fetched):
    files_by = defaultdict(list)
    for f in simple["files"]:
        w = parse_wheel(f["filename"])
        ver = w["ver"] if w else None
        if not w:
            m = re.match(rf"^{package}-(.+?)\.(tar\.gz|zip)$", f["filename"])
            ver = m.group(1) if m else None
        if ver:
            files_by[ver].append(f)
    rows = []
    for ver in sorted(files_by, key=vkey):
        files = files_by[ver]
        uploaded = min((f.get("upload-time") or "")[:10] for f in files)
        yanked = [f for f in files if f.get("yanked")]
        reason = next((f["yanked"] for f in yanked if isinstance(f["yanked"], str)), "")
        row = {"package": package, "version": ver, "date": uploaded,
               "yanked": ("yes" if len(yanked) == len(files) else "no"), "fetched": fetched}
        wheel = pick_wheel(files, ver)
        if wheel is None:
            row.update(torch_requirement="", requires_python="",
                       source=f"{SIMPLE.format(package)} (PEP 691 JSON): no wheel",
                       notes="only a source archive: its METADATA was not read")
        else:
            meta = metadata_of(fetcher, wheel)
            row.update(torch_requirement=torch_requirement(meta),
                       requires_python=header_value(meta, "Requires-Python"),
                       source=f"METADATA of {wheel['filename']} (PyPI, {SIMPLE.format(package)})")
            notes = []
            if reason:
                notes.append("yanked: " + reason)
            row["notes"] = "; ".join(notes)
        rows.append(row)
    return rows


TORCH_WHEELS_COMMENT = """
Which CPython wheels of torch exist, per (torch release, index, platform): one row each.
index: pypi (https://pypi.org/simple/torch/) or a variant of torch-variants.csv (its
download.pytorch.org index). platform: linux-x86_64, linux-aarch64, windows-x86_64.
pythons: the CPython wheel tags (cp39 ... cp314; free-threaded ABIs as their own tags, cp313t).
requires_python: the files' Requires-Python. evidence: listed (a whole file list was read:
the tags are exactly its files'), inferred (derived, notes say from what), partial (these
tags exist, whether others do is unknown), none (the whole list has no wheel for this
platform), unknown (no evidence, notes say why).
uploaded: first upload of those files (pypi rows). fetched: when the list was read.
Written by tools/gen_wheels.py; a later row with the same (torch, index, platform) replaces
an earlier one (overlays).
"""

COMPANIONS_COMMENT = """
torchvision and torchaudio releases on PyPI: upload date (first file), whether every file is
yanked, Requires-Python, and the torch requirement of the wheel's own METADATA
(Requires-Dist, marker dropped; "none" = the release requires no torch; empty = not read).
Written by tools/gen_wheels.py.
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "..", "data"))
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/cudafit-gen-wheels"))
    ap.add_argument("--offline", action="store_true")
    ap.add_argument("--fetched", default=datetime.date.today().isoformat(),
                    help="the date written in the fetched column (default: today)")
    a = ap.parse_args()
    fetcher = Fetcher(a.cache, a.offline)
    variants = read_csv(os.path.join(a.data, "torch-variants.csv"))
    evidence = index_evidence(os.path.join(HERE, "pytorch-index-wheels.csv"))
    rows = torch_rows(fetcher.simple("torch"), variants, evidence, a.fetched)
    write_csv(os.path.join(a.data, "torch-wheels.csv"), TORCH_WHEELS_COMMENT,
              ["torch", "index", "platform", "pythons", "requires_python", "evidence", "uploaded",
               "source", "fetched", "notes"], rows)
    comp = []
    for package in ("torchvision", "torchaudio"):
        comp += companion_rows(fetcher, package, fetcher.simple(package), a.fetched)
    write_csv(os.path.join(a.data, "torch-companion-releases.csv"), COMPANIONS_COMMENT,
              ["package", "version", "date", "yanked", "requires_python", "torch_requirement",
               "source", "fetched", "notes"], comp)
    known = {r["torch"] for r in rows if r["evidence"] in ("listed", "inferred")}
    print(f"torch-wheels.csv: {len(rows)} rows, {len(known)} releases with a known tag set; "
          f"torch-companion-releases.csv: {len(comp)} rows")


if __name__ == "__main__":
    main()
