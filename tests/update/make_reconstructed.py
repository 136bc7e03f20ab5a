#!/usr/bin/env python3
"""Writes the pages of tests/update/recorded/ that could not be recorded from here:
download.pytorch.org and docs.nvidia.com are not reachable from where the tests were written.

* pytorch/<variant>/torch/index.html: PEP 503 pages in download.pytorch.org's format
  (`<a href="/whl/cu130/torch-2.12.0%2Bcu130-cp312-cp312-manylinux_2_28_x86_64.whl#sha256=…"
  data-requires-python="&gt;=3.10">…</a><br/>`), one link per wheel that data/torch-wheels.csv
  lists or infers for that variant. RECONSTRUCTED: the file lists come from the data's rows; the
  sha256 values are placeholders (sha256 of the file name); platform tags follow the naming
  PyTorch used (manylinux_2_28 from 2.6 on).
* pytorch/torch/index.html: the /whl/torch/ page, every variant's wheels (releases 2.9 on):
  what `pip install --index-url https://download.pytorch.org/whl torch` reads.
* nvidia/release-notes.html: Table 3 of the CUDA 13.2 Update 2 release notes in docs.nvidia.com's
  Sphinx markup, its rows as the stored transcript of that page prints them (see
  data/README.md, source nv-rn-13.2.2-table3), plus the two 13.3 rows data/cuda.csv takes from
  secondary copies. RECONSTRUCTED: the markup is the site's, the text is the transcript's.

Usage: python3 tests/update/make_reconstructed.py [--data data] [--out tests/update/recorded]
"""
import argparse
import csv
import hashlib
import os
import re
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


def vkey(v):
    return tuple(int(p) for p in re.findall(r"\d+", v))


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def platform_tag(version, platform):
    new = vkey(version) >= (2, 6)
    if platform == "linux-x86_64":
        return "manylinux_2_28_x86_64" if new else "linux_x86_64"
    if platform == "linux-aarch64":
        return "manylinux_2_28_aarch64" if new else "manylinux2014_aarch64"
    return "win_amd64"


def abi_of(tag):
    if tag.endswith("t"):
        return tag[:-1], tag  # cp313t: python tag cp313, abi cp313t
    if vkey(tag[2:]) <= (3, 7) and len(tag) == 4:
        return tag, tag + "m"
    return tag, tag


def link(variant, r, tag):
    py, abi = abi_of(tag)
    fn = f"torch-{r['torch']}+{variant}-{py}-{abi}-{platform_tag(r['torch'], r['platform'])}.whl"
    href = f"/whl/{variant}/{urllib.parse.quote(fn)}"
    sha = hashlib.sha256(fn.encode()).hexdigest()
    rp = ""
    if r["requires_python"]:
        rp = ' data-requires-python="' + r["requires_python"].replace(">", "&gt;").replace("<", "&lt;") + '"'
    return f'<a href="{href}#sha256={sha}"{rp}>{fn}</a><br/>'


def page_text(links):
    return ("<!DOCTYPE html>\n<!-- RECONSTRUCTED by tests/update/make_reconstructed.py from "
            "data/torch-wheels.csv: download.pytorch.org's format, the data's file lists; "
            "sha256 values are placeholders -->\n<html>\n  <body>\n    <h1>Links for torch</h1>\n"
            + "\n".join(links) + "\n</body>\n</html>\n")


def pytorch_pages(data, out):
    rows = read_csv(os.path.join(data, "torch-wheels.csv"))
    by_variant = {}
    for r in rows:
        if r["index"] == "pypi" or r["evidence"] not in ("listed", "inferred", "partial"):
            continue
        by_variant.setdefault(r["index"], []).append(r)
    for variant, vrows in sorted(by_variant.items()):
        # The variants a recent release has (what an update asks for); each page lists every
        # release of its variant, as the real pages do.
        if not any(vkey(r["torch"]) >= (2, 6) for r in vrows):
            continue
        links = [link(variant, r, tag)
                 for r in sorted(vrows, key=lambda r: (vkey(r["torch"]), r["platform"]))
                 for tag in r["pythons"].split()]
        d = os.path.join(out, "pytorch", variant, "torch")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "index.html"), "w") as f:
            f.write(page_text(links))
    # /whl/torch/: every variant's wheels on one page (what `pip --index-url .../whl` reads),
    # trimmed here to releases 2.9 on.
    links = [link(r["index"], r, tag)
             for r in sorted((r for rs in by_variant.values() for r in rs),
                             key=lambda r: (vkey(r["torch"]), r["index"], r["platform"]))
             if vkey(r["torch"]) >= (2, 9)
             for tag in r["pythons"].split()]
    d = os.path.join(out, "pytorch", "torch")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write(page_text(links))


# Table 3 as the stored transcript of the 13.2 Update 2 release notes prints it (L113-L176),
# and the 13.3 rows of data/cuda.csv (secondary copies of the 13.3 notes).
TABLE3 = """CUDA 13.3 Update 1|>=610.43.02|N/A
CUDA 13.3 GA|>=610.43.02|N/A
CUDA 13.2 Update 2|>=595.71.05|N/A
CUDA 13.2 Update 1|>=595.58.03|N/A
CUDA 13.2 GA|>=595.45.04|N/A
CUDA 13.1 Update 1|>=590.48.01|N/A
CUDA 13.1 GA|>=590.44.01|N/A
CUDA 13.0 Update 2|>=580.95.05|N/A
CUDA 13.0 Update 1|>=580.82.07|N/A
CUDA 13.0 GA|>=580.65.06|N/A
CUDA 12.9 Update 1|>=575.57.08|>=576.57
CUDA 12.9 GA|>=575.51.03|>=576.02
CUDA 12.8 Update 1|>=570.124.06|>=572.61
CUDA 12.8 GA|>=570.26|>=570.65
CUDA 12.6 Update 3|>=560.35.05|>=561.17
CUDA 12.6 Update 2|>=560.35.03|>=560.94
CUDA 12.6 Update 1|>=560.35.03|>=560.94
CUDA 12.6 GA|>=560.28.03|>=560.76
CUDA 12.5 Update 1|>=555.42.06|>=555.85
CUDA 12.5 GA|>=555.42.02|>=555.85
CUDA 12.4 Update 1|>=550.54.15|>=551.78
CUDA 12.4 GA|>=550.54.14|>=551.61
CUDA 12.3 Update 1|>=545.23.08|>=546.12
CUDA 12.3 GA|>=545.23.06|>=545.84
CUDA 12.2 Update 2|>=535.104.05|>=537.13
CUDA 12.2 Update 1|>=535.86.09|>=536.67
CUDA 12.2 GA|>=535.54.03|>=536.25
CUDA 12.1 Update 1|>=530.30.02|>=531.14
CUDA 12.1 GA|>=530.30.02|>=531.14
CUDA 12.0 Update 1|>=525.85.12|>=528.33
CUDA 12.0 GA|>=525.60.13|>=527.41
CUDA 11.8 GA|>=520.61.05|>=520.06
CUDA 11.7 Update 1|>=515.48.07|>=516.31
CUDA 11.7 GA|>=515.43.04|>=516.01
CUDA 11.6 Update 2|>=510.47.03|>=511.65
CUDA 11.6 Update 1|>=510.47.03|>=511.65
CUDA 11.6 GA|>=510.39.01|>=511.23
CUDA 11.5 Update 2|>=495.29.05|>=496.13
CUDA 11.5 Update 1|>=495.29.05|>=496.13
CUDA 11.5 GA|>=495.29.05|>=496.04
CUDA 11.4 Update 4|>=470.82.01|>=472.50
CUDA 11.4 Update 3|>=470.82.01|>=472.50
CUDA 11.4 Update 2|>=470.57.02|>=471.41
CUDA 11.4 Update 1|>=470.57.02|>=471.41
CUDA 11.4.0 GA|>=470.42.01|>=471.11
CUDA 11.3.1 Update 1|>=465.19.01|>=465.89
CUDA 11.3.0 GA|>=465.19.01|>=465.89
CUDA 11.2.2 Update 2|>=460.32.03|>=461.33
CUDA 11.2.1 Update 1|>=460.32.03|>=461.09
CUDA 11.2.0 GA|>=460.27.03|>=460.82
CUDA 11.1.1 Update 1|>=455.32|>=456.81
CUDA 11.1 GA|>=455.23|>=456.38
CUDA 11.0.3 Update 1|>= 450.51.06|>= 451.82
CUDA 11.0.2 GA|>= 450.51.05|>= 451.48
CUDA 11.0.1 RC|>= 450.36.06|>= 451.22
CUDA 10.2.89|>= 440.33|>= 441.22
CUDA 10.1 (10.1.105 general release, and updates)|>= 418.39|>= 418.96
CUDA 10.0.130|>= 410.48|>= 411.31
CUDA 9.2 (9.2.148 Update 1)|>= 396.37|>= 398.26
CUDA 9.2 (9.2.88)|>= 396.26|>= 397.44
CUDA 9.1 (9.1.85)|>= 390.46|>= 391.29
CUDA 9.0 (9.0.76)|>= 384.81|>= 385.54
CUDA 8.0 (8.0.61 GA2)|>= 375.26|>= 376.51
CUDA 8.0 (8.0.44)|>= 367.48|>= 369.30
CUDA 7.5 (7.5.16)|>= 352.31|>= 353.66
CUDA 7.0 (7.0.28)|>= 346.46|>= 347.62"""


def nvidia_page(out):
    def esc(s):
        return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    rows = []
    for i, line in enumerate(TABLE3.splitlines()):
        a, b, c = line.split("|")
        cls = "row-odd" if i % 2 == 0 else "row-even"
        rows.append(f'<tr class="{cls}"><td><p>{esc(a)}</p></td>\n<td><p>{esc(b)}</p></td>\n'
                    f"<td><p>{esc(c)}</p></td>\n</tr>")
    page = f"""<!DOCTYPE html>
<!-- RECONSTRUCTED by tests/update/make_reconstructed.py: docs.nvidia.com's Sphinx markup around the
     Table 3 rows of a stored transcript of the CUDA 13.2 Update 2 release notes (and the 13.3 rows
     of data/cuda.csv); not a copy of the page -->
<html lang="en"><head><meta charset="utf-8" /><title>1. CUDA 13.2 Update 2 Release Notes &#8212; Release Notes 13.2 documentation</title></head>
<body>
<section id="cuda-driver">
<h2>2.2. CUDA Driver<a class="headerlink" href="#cuda-driver" title="Link to this heading">#</a></h2>
<p>Running a CUDA application requires the system with at least one CUDA capable GPU and a driver that is compatible with the CUDA Toolkit. See <a class="reference internal" href="#id6"><span class="std std-numref">Table 3</span></a>.</p>
<div class="pst-scrollable-table-container"><table class="table" id="id5">
<caption><span class="caption-number">Table 2 </span><span class="caption-text">CUDA Toolkit and Minimum Required Driver Version for CUDA Minor Version Compatibility</span></caption>
<tbody>
<tr class="row-odd"><td><p>13.x</p></td><td><p>&gt;= 580</p></td><td><p>N/A</p></td></tr>
<tr class="row-even"><td><p>12.x</p></td><td><p>&gt;= 525</p></td><td><p>&lt; 580</p></td></tr>
</tbody>
</table>
</div>
<div class="pst-scrollable-table-container"><table class="table" id="id6">
<caption><span class="caption-number">Table 3 </span><span class="caption-text">CUDA Toolkit and Corresponding Driver Versions</span><a class="headerlink" href="#id6" title="Link to this table">#</a></caption>
<colgroup>
<col style="width: 34%" />
<col style="width: 33%" />
<col style="width: 33%" />
</colgroup>
<thead>
<tr class="row-odd"><th class="head" rowspan="2"><p>CUDA Toolkit</p></th>
<th class="head" colspan="2"><p>Toolkit Driver Version</p></th>
</tr>
<tr class="row-even"><th class="head"><p>Linux x86_64 Driver Version</p></th>
<th class="head"><p>Windows x86_64 Driver Version</p></th>
</tr>
</thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
</section>
</body>
</html>
"""
    d = os.path.join(out, "nvidia")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "release-notes.html"), "w") as f:
        f.write(page)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "recorded"))
    a = ap.parse_args()
    pytorch_pages(a.data, a.out)
    nvidia_page(a.out)


if __name__ == "__main__":
    main()
