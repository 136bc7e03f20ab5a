#!/usr/bin/env python3
"""Regenerates data/*.csv from the team's reference facts (../shared/reference).

data/*.csv is the reviewed product: this script is how it was first built and how a
reference update is folded in. Review the diff it makes (git diff data/) before committing;
hand corrections belong in CORRECTIONS below (each with its reason), not in data/ directly,
or they are lost on the next run.

Usage: python3 tools/gen_data.py [REFERENCE_DIR] [DATA_DIR]
"""
import csv
import io
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "reference")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "data")

# Source keys of the reference notes -> where the fact can be checked.
NV = {
    "nv-rn-13.2.2-table3": "https://docs.nvidia.com/cuda/archive/13.2.2/cuda-toolkit-release-notes/index.html (Table 3)",
    "nv-rn-13.2.2-table2": "https://docs.nvidia.com/cuda/archive/13.2.2/cuda-toolkit-release-notes/index.html (Table 2)",
    "sec-cuda13.3-table3": "https://docs.nvidia.com/cuda/archive/13.3.0/cuda-toolkit-release-notes/index.html (Table 3; quoted by secondary copies)",
    "nv-rn-13.4.1-page-start": "https://docs.nvidia.com/cuda/archive/13.4.1/cuda-toolkit-release-notes/index.html",
    "nv-rn-13.4.2-page-start": "https://docs.nvidia.com/cuda/archive/13.4.2/cuda-toolkit-release-notes/index.html",
    "nv-ptx-9.3-table62": "https://docs.nvidia.com/cuda/parallel-thread-execution/#release-notes (PTX ISA 9.3, Table 62)",
    "nv-fwd-compat": "https://docs.nvidia.com/deploy/cuda-compatibility/forward-compatibility.html",
    "nv-dc-arch-matrix": "https://docs.nvidia.com/datacenter/tesla/drivers/cuda-toolkit-driver-and-architecture-matrix.html",
    "nv-dc-arch-matrix-oldcopy": "https://www.cnblogs.com/litifeng/p/18236236 (copy of NVIDIA's architecture matrix)",
    "nv-dc-620": "https://docs.nvidia.com/datacenter/tesla/drivers/620/supported-drivers-and-cuda-toolkit-versions.html",
    "nv-dc-615": "https://docs.nvidia.com/datacenter/tesla/drivers/615/supported-drivers-and-cuda-toolkit-versions.html",
    "nv-dc-2021pdf": "https://docs.nvidia.com/datacenter/tesla/pdf/NVIDIA_CUDA_Drivers_Support.pdf",
    "nv-unix-current": "https://forums.developer.nvidia.com/t/current-graphics-driver-releases/28500",
    "aaronp24": "aaronp24/nvidia-versions:nvidia-versions.txt@2b82fa6f24b38808957e15543f025759879384e4",
    "sec-r470": "https://tech.everyeye.it/notizie/nvidia-geforce-600-700-addio-prossimi-driver-potrebbero-ultimi-519242.html",
    "sec-r570": "https://cos.googlesource.com/cos/overlays/board-overlays/+/af3ca4ea0fcfe33ea1c586f0ae63a16998532186%5E",
    "nv-cuda-gpus": "https://developer.nvidia.com/cuda-gpus",
    "nv-cuda-legacy-gpus": "https://developer.nvidia.com/cuda-legacy-gpus",
    "nv-cuda-gpus-oldcopy": "https://www.cnblogs.com/nightnine/p/16591404.html (copy of NVIDIA's older CUDA GPUs page)",
    "nv-cuda-archive": "https://developer.nvidia.com/CUDA-toolkit-Archive",
    "nv-rn-13.2.0-pdf": "https://docs.nvidia.com/cuda/archive/13.2.0/pdf/CUDA_Toolkit_Release_Notes.pdf",
    "llvm-clang-cuda": "llvm/llvm-project:clang/lib/Basic/Cuda.cpp@026c6392ea867d29ca7756763c63f226aa391731",
    "llvm-nvptx-sm101": "llvm/llvm-project:llvm/lib/Target/NVPTX/NVPTXSubtarget.cpp (copies)",
    "pciids": "pciutils/pciids:pci.ids@c1c12547d626ebf05fd0223144ad87fab5e95d06",
    "sec-rubin": "secondary: CUTLASS 4.8.0dev / cuDNN 9.25 release notes copies",
    "sec-jetson-thor": "secondary: Jetson Thor JetPack 7 announcements",
    "sec-13.4": "secondary: CUDA 13.4 announcements",
    "sec-ptx-9.4": "secondary: PTX ISA 9.4 copies",
    "pypi-nvidia-cuda-runtime": "PyPI listing of nvidia-cuda-runtime (2026-11)",
    "pypi-nvidia-cudnn": "PyPI listing of nvidia-cudnn-cu12 / nvidia-cudnn-cu13 (2026-11)",
    "pypi-nvidia-cudnn-cu11": "PyPI listing of nvidia-cudnn-cu11",
}
for v in ["7.6.0", "8.0.3", "8.2.2", "8.3.0", "8.9.5", "8.9.6", "9.0.0", "9.5.0", "9.5.1", "9.10.2", "9.17.0"]:
    NV["nv-cudnn-" + v] = "https://docs.nvidia.com/deeplearning/cudnn/ support matrix " + v

FW = {
    "tf-source-md": "tensorflow/docs:site/en/install/source.md@7c3650212740 (Tested build configurations, Linux GPU)",
    "tf-pip-md": "tensorflow/docs:site/en/install/pip.md@7c3650212740",
}


def expand(src, table=NV):
    parts = []
    for p in re.split(r"\s*;\s*", src.strip()):
        if not p:
            continue
        key = p.split(":", 1)[1] if p.startswith(("date:", "derived:")) else p
        pre = p.split(":", 1)[0] + ": " if p.startswith(("date:", "derived:")) else ""
        keys = key.split("+")
        parts.append(pre + " + ".join(table.get(k, k) for k in keys))
    return "; ".join(parts)


def read(path):
    with open(os.path.join(REF, path), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(name, header, rows, comment):
    buf = io.StringIO()
    for line in comment.strip().splitlines():
        buf.write("# " + line + "\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    seen = set()
    for r in rows:
        row = [r.get(h, "") if isinstance(r, dict) else r[i] for i, h in enumerate(header)]
        row = ["" if c is None else str(c) for c in row]
        key = tuple(row)
        if key in seen:
            continue
        seen.add(key)
        w.writerow(row)
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        f.write(buf.getvalue())


def vkey(v):
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.]", v))


def sm_to_cc(sm):
    m = re.fullmatch(r"sm_(\d+)([af]?)", sm.strip())
    if not m:
        return ""
    d = m.group(1)
    return f"{d[:-1]}.{d[-1]}{m.group(2)}"


# ---------------------------------------------------------------- CUDA
def gen_cuda():
    rows = []
    for r in read("nvidia/cuda-driver.csv"):
        if not r["toolkit_version"]:
            continue  # 13.5: existence only, no facts (data/README.md)
        lin = r["linux_min_driver"] if r["linux_min_driver"] not in ("N/A",) else ""
        win = r["windows_min_driver"] if r["windows_min_driver"] not in ("N/A",) else ""
        rows.append({
            "toolkit": r["toolkit_version"], "label": r["release"], "date": r["release_date"],
            "linux_min_driver": lin, "windows_min_driver": win, "ptx_isa": r["ptx_isa"],
            "min_sm": sm_to_cc(r["min_sm"]), "max_sm": sm_to_cc(r["max_sm"]),
            "source": expand(r["source"]), "notes": r["notes"],
        })
    write("cuda.csv", ["toolkit", "label", "date", "linux_min_driver", "windows_min_driver", "ptx_isa",
                       "min_sm", "max_sm", "source", "notes"], rows, """
CUDA toolkit releases and updates: NVIDIA release notes Table 3 ("CUDA Toolkit and Corresponding
Driver Versions": toolkit driver version = minimum driver for all of that toolkit's features).
min_sm/max_sm: lowest/highest compute capability nvcc compiles SASS for. Empty = not published.
""")


def gen_compat():
    minor, fwd = [], []
    for r in read("nvidia/minor-compat.csv"):
        if r["kind"] == "minor":
            major = r["cuda"].split(".")[0]
            rng = re.findall(r"\d+", r["driver_branch_or_range"])
            minor.append({"cuda_major": major, "linux_floor": r["linux_min_driver"],
                          "windows_floor": r["windows_min_driver"], "first_branch": rng[0],
                          "end_branch": rng[1] if len(rng) > 1 else "",
                          "source": expand(r["source"].split("; corrected")[0]), "notes": r["notes"]})
        else:
            cuda = r["cuda"].replace("cuda-compat-", "").replace("-", ".")
            st = r["status"]
            status = "compatible" if st == "compatible" else ("native" if st.startswith("not applicable") else "incompatible")
            fwd.append({"cuda": cuda, "driver_branch": r["driver_branch_or_range"].lstrip("R"), "status": status,
                        "source": expand(r["source"]), "notes": ""})
    write("cuda-minor-compat.csv", ["cuda_major", "linux_floor", "windows_floor", "first_branch", "end_branch",
                                    "source", "notes"], minor, """
CUDA minor-version compatibility: a driver >= floor (branches [first_branch, end_branch)) runs
applications built with any minor release of that CUDA major. end_branch empty = open.
""")
    write("cuda-forward-compat.csv", ["cuda", "driver_branch", "status", "source", "notes"], fwd, """
CUDA forward compatibility (cuda-compat-X-Y package) against driver branches. status: compatible;
native (the branch that CUDA release ships with: no package needed); incompatible.
Applies only to data-center GPUs, select NGC-ready RTX SKUs and Jetson boards, on Linux.
""")


def gen_gpus():
    archs = []
    for r in read("nvidia/archs.csv"):
        chips = r["chip"]
        note = r["notes"]
        m = re.match(r"^(.*?)\s*\((.*)\)$", chips)
        if m and not chips.startswith("unknown"):
            chips, extra = m.group(1), m.group(2)
            note = (extra + "; " + note).strip("; ")
        if chips.startswith("unknown"):
            chips = "unknown"
        lb = re.match(r"R(\d+)", r["last_driver_branch"])
        for chip in [c.strip() for c in chips.split("/")]:
            archs.append({"chip": chip, "architecture": r["architecture"], "cc": r["compute_capability"],
                          "first_cuda": r["first_cuda"], "last_cuda": "" if r["last_cuda"] == "ongoing" else r["last_cuda"],
                          "last_driver_branch": lb.group(1) if lb and "+" not in r["last_driver_branch"] else "",
                          "source": expand(r["source"]), "notes": note})
    write("gpu-archs.csv", ["chip", "architecture", "cc", "first_cuda", "last_cuda", "last_driver_branch",
                            "source", "notes"], archs, """
GPU chip -> architecture -> compute capability; first/last CUDA toolkit that compiles for it and the
last driver branch that supports it (empty = still supported, or not applicable for Tegra).
""")

    pci = read("nvidia/pci-ids.csv")
    by_id = {r["device_id"].split(":")[1].lower(): r for r in pci}
    pci_rows = []
    for r in pci:
        pci_rows.append({"device_id": r["device_id"].split(":")[1].lower(), "name": r["name"], "chip": r["chip"],
                         "function": r["function_guess"], "architecture": r["architecture_inferred"],
                         "cc": r["compute_capability_inferred"],
                         "source": NV["pciids"] + ("; cc from gpu-archs.csv by chip [inferred]" if r["compute_capability_inferred"] else "")})
    pci_rows.sort(key=lambda r: int(r["device_id"], 16))
    write("pci-ids.csv", ["device_id", "name", "chip", "function", "architecture", "cc", "source"], pci_rows, """
Every NVIDIA (vendor 10de) PCI device id in pci.ids 2026.08.22, with its chip. function: gpu or
other (audio, USB, bridge, NVSwitch). cc is inferred from the chip family (gpu-archs.csv).
""")

    dc = re.compile(r"^(Tesla |NVIDIA (A2|A10|A10G|A30|A40|A100|A800|L4|L40|L40S|H100|H800|H20|H200|GH200|B100|B200|GB200|B300|GB300)\b|NVIDIA RTX PRO 6000 Blackwell Server)")
    prods = []
    for r in read("nvidia/gpus.csv"):
        ids = r["pci_device_ids"].split()
        groups = {}
        for i in ids:
            p = by_id.get(i.lower())
            cc = p["compute_capability_inferred"] if p and p["compute_capability_inferred"] else r["compute_capability"]
            chip = p["chip_base"] if p else r["chip"]
            groups.setdefault(cc, []).append((i.lower(), chip))
        if not groups:
            groups[r["compute_capability"]] = []
        for cc, members in groups.items():
            chips = sorted({c for _, c in members}) or [r["chip"]]
            note = r["notes"]
            if len(groups) > 1:
                note = ("one product name, chips of different CC: split by PCI id; " + note).strip("; ")
            prods.append({"product": r["product"], "chip": " / ".join(chips), "cc": cc,
                          "pci_device_ids": " ".join(i for i, _ in members),
                          "datacenter": "yes" if dc.match(r["product"]) else "no",
                          "source": expand(r["source"].replace(" + ", ";").replace(" (CC)", "").replace(" (chip, ids)", "")),
                          "notes": note})
    write("gpus.csv", ["product", "chip", "cc", "pci_device_ids", "datacenter", "source", "notes"], prods, """
GPU products as users name them -> chip -> compute capability, with PCI device ids (hex, no 10de:).
datacenter = NVIDIA data-center product line (Tesla, A/L/H/B series): the GPUs CUDA forward
compatibility supports [classification by product line].
""")


def gen_branches():
    rows = []
    for r in read("nvidia/driver-branches.csv"):
        cuda = re.match(r"^(\d+\.\d+)", r["paired_cuda"])
        for b in re.findall(r"R(\d+)", r["branch"]):
            rows.append({"branch": b, "designation": r["designation"], "end_of_life": r["end_of_life"],
                         "cuda": cuda.group(1) if cuda else "", "last_branch_for": r["last_branch_for"],
                         "source": expand(r["source"]), "notes": "; ".join(x for x in [r["paired_cuda"] if not cuda or cuda.group(1) != r["paired_cuda"] else "", r["notes"]] if x)})
    write("driver-branches.csv", ["branch", "designation", "end_of_life", "cuda", "last_branch_for", "source", "notes"],
          rows, """
NVIDIA driver branches: designation (LTSB long-term support, PB production, NFB new feature),
end of life, the CUDA release it pairs with (its highest native CUDA), and which GPU generations
it is the last branch for.
""")


def gen_cudnn():
    rows = []
    for r in read("nvidia/cudnn.csv"):
        rows.append({"cudnn": r["cudnn_version"], "cuda_major": r["cuda_major"], "cuda_toolkits": r["cuda_toolkit_versions"],
                     "linux_min_driver": r["linux_min_driver"], "windows_min_driver": r["windows_min_driver"],
                     "compute_capabilities": r["compute_capabilities"], "source": expand(r["source"]), "notes": r["notes"]})
    write("cudnn.csv", ["cudnn", "cuda_major", "cuda_toolkits", "linux_min_driver", "windows_min_driver",
                        "compute_capabilities", "source", "notes"], rows, """
cuDNN support matrices: cuDNN release x CUDA major -> toolkits, driver floors, compute capabilities.
Text columns, as NVIDIA prints them.
""")


# ---------------------------------------------------------------- PyTorch
PYTHON_RANGES = [  # (first, last torch minor) -> pythons, from pytorch/pytorch RELEASE.md (pytorch/notes.md)
    ((1, 12), (1, 13), "3.7 3.8 3.9 3.10", ""),
    ((2, 0), (2, 3), "3.8 3.9 3.10 3.11", ""),
    ((2, 4), (2, 4), "3.8 3.9 3.10 3.11 3.12", ""),
    ((2, 5), (2, 5), "3.9 3.10 3.11 3.12", "3.13"),
    ((2, 6), (2, 8), "3.9 3.10 3.11 3.12 3.13", "3.13t"),
    ((2, 9), (2, 12), "3.10 3.11 3.12 3.13 3.14", "3.14t"),
    ((2, 13), (2, 14), "3.10 3.11 3.12 3.13 3.14", "3.15 3.15t"),
]
RELEASE_MD = "pytorch/pytorch:RELEASE.md Release Compatibility Matrix (https://raw.githubusercontent.com/pytorch/pytorch/main/RELEASE.md)"
PYPI = "PyPI metadata of {} (pip install --dry-run --report)"
INDEX = "https://download.pytorch.org/"


def gen_torch():
    variants = read("pytorch/index-variants.csv")
    releases = sorted({r["torch"] for r in variants}, key=vkey)
    pypi = {r["torch"]: r for r in read("pytorch/torch-pypi.csv")}
    pypi_a = {r["torch"]: r for r in read("pytorch/torch-pypi-aarch64.csv")}
    dates = {}
    for r in read("pytorch/torch-pypi-wheel-files.csv"):
        d = r["upload_time"][:10]
        if r["torch"] not in dates or d < dates[r["torch"]]:
            dates[r["torch"]] = d
    comp = {"torchvision": {}, "torchaudio": {}}
    for r in read("pytorch/companions-pypi.csv"):
        m = re.search(r"==\s*([0-9.]+)", r["torch_pin"])
        if r["package"] in comp and m:  # several may pin one torch (yanked 0.15.0 / 2.0.0): keep the newest
            old = comp[r["package"]].get(m.group(1))
            if old is None or vkey(r["version"]) > vkey(old):
                comp[r["package"]][m.group(1)] = r["version"]
    default = {r["torch"]: r["variant"] for r in variants if r["status"] == "default-pypi"}

    rel_rows = []
    for v in releases:
        mm = vkey(v)[:2]
        py, pyx, pysrc = "", "", ""
        for lo, hi, p, x in PYTHON_RANGES:
            if lo <= mm <= hi:
                py, pyx, pysrc = p, x, RELEASE_MD
        req = pypi[v]["requires_python"] if v in pypi else ""
        srcs = [s for s in [pysrc, PYPI.format("torch==" + v) if v in pypi else "",
                            "PyPI upload time of the torch " + v + " wheel" if v in dates else ""] if s]
        tv, ta = comp["torchvision"].get(v, ""), comp["torchaudio"].get(v, "")
        if tv:
            srcs.append(PYPI.format("torchvision==" + tv) + " pins torch==" + v)
        if ta:
            srcs.append(PYPI.format("torchaudio==" + ta) + " pins torch==" + v)
        rel_rows.append({"torch": v, "date": dates.get(v, ""), "pythons": py, "pythons_experimental": pyx,
                         "requires_python": req, "torchvision": tv, "torchaudio": ta,
                         "pypi_default_variant": default.get(v, ""),
                         "source": "; ".join(srcs) or "pytorch/index-variants (see torch-variants.csv)",
                         "notes": "not on PyPI (LTS, download.pytorch.org/whl/lts/1.8 only)" if v == "1.8.2" else ""})
    write("torch-releases.csv", ["torch", "date", "pythons", "pythons_experimental", "requires_python", "torchvision",
                                 "torchaudio", "pypi_default_variant", "source", "notes"], rel_rows, """
PyTorch releases: date (first PyPI upload), the Python versions RELEASE.md calls supported (which
wheels exist is torch-wheels.csv's), PyPI Requires-Python, the torchvision/torchaudio releases whose
PyPI metadata pins this torch, and the variant the plain PyPI Linux x86_64 wheel is. Empty = not
sourced (unknown).
""")

    cn = {}
    for r in read("pytorch/cudnn-nccl.csv"):
        cn.setdefault((r["torch"], r["variant"]), []).append(r)
    arch = read("pytorch/arch-lists.csv")

    def platforms_of(v, var):
        if var.startswith("rocm"):
            return ["linux-x86_64"]
        plats = ["linux-x86_64"]
        for a in arch:
            if a["variant"] == var and vkey(a["torch_from"]) <= vkey(v) <= vkey(a["torch_to"]) and a["platform"] not in plats:
                plats.append(a["platform"])
        if default.get(v) == var and v in pypi_a and pypi_a[v]["cuda_major"].isdigit() and "linux-aarch64" not in plats:
            plats.append("linux-aarch64")
        return plats

    var_rows = []
    for r in sorted(variants, key=lambda r: (vkey(r["torch"]), r["variant"])):
        v, var = r["torch"], r["variant"]
        cuda, rocm, cudnn, nccl, srcs, notes = "", "", "", "", [r["source"]], []
        if var.startswith("cu"):
            d = var[2:]
            cuda = f"{d[:-1]}.{d[-1]}"
        elif var.startswith("rocm"):
            rocm = var[4:]
        minor = ".".join(v.split(".")[:2]) + ".x"
        exact = cn.get((v, var), [])
        broad = cn.get((minor, var), [])
        if r["status"] == "default-pypi" and v in pypi:
            p = pypi[v]
            m = re.search(r"==\s*([0-9.]+)", p["cudnn_pin"])
            if m:
                cudnn = m.group(1)
            m = re.search(r"==\s*([0-9.]+)", p["nccl_pin"])
            if m:
                nccl = m.group(1)
            m = re.search(r"==\s*([0-9.]+)", p["cuda_toolkit_pin"])
            if m:
                notes.append("PyPI wheel pins cuda-toolkit==" + m.group(1))
            m = re.search(r"==\s*([0-9.]+)", p["cuda_runtime_pin"])
            if m:
                notes.append("PyPI wheel pins CUDA runtime " + m.group(1))
            srcs.append(PYPI.format("torch==" + v))
        for c in exact + broad:
            if not cudnn and c["cudnn"].strip():
                cudnn = c["cudnn"].strip()
                srcs.append(c["source"])
            elif c["cudnn"].strip() and c["cudnn"].strip() != cudnn:
                notes.append(f"cuDNN {c['cudnn'].strip()} per {c['source'][:60]}... disagrees; kept {cudnn}")
            if not nccl and c["nccl"].strip():
                nccl = c["nccl"].strip()
        url = INDEX + r["index_url_suffix"] if r["index_url_suffix"] else ""
        var_rows.append({"torch": v, "variant": var, "cuda": cuda, "rocm": rocm, "index_url": url, "status": r["status"],
                         "cudnn": cudnn, "nccl": nccl, "platforms": " ".join(platforms_of(v, var)),
                         "source": " ; ".join(dict.fromkeys(s for s in srcs if s)), "notes": "; ".join(notes)})
    write("torch-variants.csv", ["torch", "variant", "cuda", "rocm", "index_url", "status", "cudnn", "nccl",
                                 "platforms", "source", "notes"], var_rows, """
PyTorch wheel variants per release (download.pytorch.org index). status: default-pypi (what the plain
PyPI Linux x86_64 wheel is), stable, experimental (RELEASE.md columns, 1.12+), unknown.
cuda = the CUDA release the variant is built with (major.minor; the exact toolkit pin, when PyPI
metadata gives one, is in notes). platforms: where that variant's wheels are sourced to exist.
""")

    arows = []
    for a in arch:
        sass = a["arch_list"].replace(";", " ")
        ptx = ""
        m = re.match(r"yes:([0-9.]+)", a["ptx"])
        if m:
            ptx = m.group(1)
        note = a["ptx"] if a["ptx"] not in ("no",) and not re.fullmatch(r"yes:[0-9.]+", a["ptx"]) else ""
        arows.append({"torch_from": a["torch_from"], "torch_to": a["torch_to"], "variant": a["variant"],
                      "platform": a["platform"], "sass": sass, "ptx": ptx, "source": a["source"], "notes": note})
    write("torch-arch-lists.csv", ["torch_from", "torch_to", "variant", "platform", "sass", "ptx", "source", "notes"],
          arows, """
GPU code in each variant's wheels (TORCH_CUDA_ARCH_LIST): releases torch_from..torch_to (inclusive),
sass = compute capabilities with SASS, ptx = those also carried as PTX (the "+PTX" entries).
""")


# ---------------------------------------------------------------- other frameworks
def gen_frameworks():
    rows = []
    for r in read("frameworks/tensorflow.csv"):
        rows.append({"framework": "tensorflow", "version": r["tensorflow"], "python": r["python_versions"], "cuda": r["cuda"],
                     "cudnn": r["cudnn"], "torch": "", "driver": "", "source": expand(r["source"], FW), "notes": r["notes"]})
    for r in read("frameworks/jax.csv"):
        rows.append({"framework": "jax", "version": r["jax"], "python": "", "cuda": r["cuda"], "cudnn": r["cudnn_min"],
                     "torch": "", "driver": r["driver_min"], "source": "jax-ml/jax " + r["source"],
                     "notes": "; ".join(x for x in [r["plugin_package"], r["notes"]] if x)})
    for r in read("frameworks/vllm.csv"):
        rows.append({"framework": "vllm", "version": r["vllm"], "python": "", "cuda": r["cuda"], "cudnn": "",
                     "torch": r["torch"], "driver": "", "source": "vllm-project/vllm " + r["source"], "notes": r["notes"]})
    for r in read("frameworks/xformers.csv"):
        rows.append({"framework": "xformers", "version": r["xformers"], "python": "", "cuda": r["cuda_variants"], "cudnn": "",
                     "torch": r["torch"], "driver": "", "source": "facebookresearch/xformers " + r["source"], "notes": r["notes"]})
    for r in read("frameworks/flash-attn.csv"):
        rows.append({"framework": "flash-attn", "version": r["flash_attn"], "python": "", "cuda": r["cuda"], "cudnn": "",
                     "torch": r["torch_versions"], "driver": "", "source": "Dao-AILab/flash-attention " + r["source"],
                     "notes": "; ".join(x for x in ["min CC " + r["min_compute_capability"] if r["min_compute_capability"] else "", r["notes"]] if x)})
    for r in read("frameworks/triton.csv"):
        rows.append({"framework": "triton", "version": r["triton"], "python": "", "cuda": "", "cudnn": "",
                     "torch": r["torch"], "driver": "", "source": r["source"], "notes": r["notes"]})
    for r in read("frameworks/other.csv"):
        low = r["package"].lower()
        name = next((n for n in ("cupy", "tensorflow", "jax", "vllm", "comfyui", "automatic1111")
                     if low.startswith(n)), r["package"])
        rows.append({"framework": name, "version": r["version_or_range"], "python": "", "cuda": r["requires"], "cudnn": "",
                     "torch": "", "driver": "", "source": r["source"],
                     "notes": "; ".join(x for x in [r["package"] if name != r["package"] else "", r["notes"]] if x)})
    write("frameworks.csv", ["framework", "version", "python", "cuda", "cudnn", "torch", "driver", "source", "notes"], rows, """
Other frameworks' GPU requirements, as their sources state them (versions or ranges, free text):
tensorflow (tested build configurations), jax, vllm and xformers (the torch they pin), flash-attn,
triton (pinned by torch), cupy and others.
""")


def main():
    os.makedirs(OUT, exist_ok=True)
    gen_cuda()
    gen_compat()
    gen_gpus()
    gen_branches()
    gen_cudnn()
    gen_torch()
    gen_frameworks()


if __name__ == "__main__":
    main()
