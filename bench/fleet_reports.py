#!/usr/bin/env python3
"""Writes N `cudafit doctor --json` reports with a real fleet's variety, for bench/fleet.sh.

The reports are the doctor reports of the fixture machines under tests/machines (real layouts,
real environments: the H200 capture's venv has 31 packages), each varied in driver version, GPU
model and count, torch build and findings, with a hostname and a run time of its own.
Usage: fleet_reports.py CUDAFIT OUT_DIR N   (writes OUT_DIR/reports/*.json and OUT_DIR/all.jsonl)
"""
import copy
import json
import os
import random
import subprocess
import sys

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cudafit, out_dir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(18)

bases = []
machines = os.path.join(here, "tests/machines")
for name in sorted(os.listdir(machines)):
    root = os.path.join(machines, name, "root")
    env = os.path.join(machines, name, "env.txt")
    if not os.path.isfile(env):
        env = os.path.join(machines, name, "outputs/env.txt")
    if not os.path.isdir(root) or not os.path.isfile(env):
        continue
    r = subprocess.run([cudafit, "--root", root, "--env-file", env, "doctor", "--json",
                        "--no-driver-libs"], capture_output=True, text=True)
    if r.stdout.strip():
        bases.append(json.loads(r.stdout))
if not bases:
    sys.exit("fleet_reports.py: no fixture machine gave a report")

# (driver, its CUDA), GPU models (name, PCI id, compute capability, chip), torch builds.
drivers = [("470.256.02", "11.4"), ("525.147.05", "12.0"), ("535.183.01", "12.2"),
           ("550.127.05", "12.4"), ("560.35.03", "12.6"), ("570.133.20", "12.8"),
           ("575.57.08", "12.9"), ("580.95.05", "13.0"), ("580.65.06", "13.0")]
gpus = [("NVIDIA H100 80GB HBM3", "10de:2330", "9.0", "GH100"),
        ("NVIDIA H200", "10de:2335", "9.0", "GH100"),
        ("NVIDIA A100-SXM4-80GB", "10de:20b2", "8.0", "GA100"),
        ("NVIDIA L40S", "10de:26b9", "8.9", "AD102"),
        ("NVIDIA GeForce RTX 4090", "10de:2684", "8.9", "AD102"),
        ("NVIDIA GeForce RTX 3090", "10de:2204", "8.6", "GA102"),
        ("Tesla V100-SXM2-32GB", "10de:1db5", "7.0", "GV100"),
        ("Tesla P100-PCIE-16GB", "10de:15f8", "6.0", "GP100"),
        ("Tesla T4", "10de:1eb8", "7.5", "TU104"),
        ("NVIDIA GeForce RTX 5090", "10de:2b85", "12.0", "GB202")]
torches = [("2.3.1+cu121", "12.1"), ("2.4.1+cu124", "12.4"), ("2.5.1+cu121", "12.1"),
           ("2.6.0+cu126", "12.6"), ("2.7.1+cu128", "12.8"), ("2.8.0+cu128", "12.8"),
           ("2.9.1+cu130", "13.0"), ("2.4.1+cpu", None)]
finding_pool = [("driver-too-old", "error"), ("arch-unsupported", "error"),
                ("companion-mismatch", "error"), ("nvidia-wheel-mismatch", "error"),
                ("toolkit-mismatch", "warning"), ("multiple-toolkits", "info"),
                ("gpu-legacy", "info"), ("shadowed-install", "warning")]

variants = []
for v in range(300):
    d = copy.deepcopy(rng.choice(bases))
    drv, drv_cuda = rng.choice(drivers)
    d["driver"]["version"], d["driver"]["cuda"], d["driver"]["module_loaded"] = drv, drv_cuda, True
    name, pci, cc, chip = rng.choice(gpus)
    template = d["gpus"][0] if d["gpus"] else {"sources": {}, "unknown": {}}
    d["gpus"] = []
    for i in range(rng.choice([1, 2, 4, 8, 8])):
        g = copy.deepcopy(template)
        g.update(index=i, name=name, pci_id=pci, compute_capability=cc, chip=chip,
                 pci_bus="0000:%02x:00.0" % (0x18 + i), visible=True,
                 uuid="GPU-%08x-0000-0000-0000-%012x" % (v, i))
        d["gpus"].append(g)
    for env in d["environments"]:
        build, cuda = rng.choice(torches)
        for p in env["packages"]:
            if p["name"] == "torch":
                p["version"], p["cuda"], p["cpu_only"] = build, cuda, cuda is None
    d["findings"] = [{"id": i, "severity": s, "summary": "%s on this machine" % i,
                      "evidence": ["evidence line"], "fix": "the fix"}
                     for i, s in rng.sample(finding_pool, rng.choice([0, 0, 1, 1, 2, 3]))]
    d["host"]["hostname"] = "@@HOST@@"
    d["run"] = {"time": "@@TIME@@", "unix_time": 1796390000.0, "duration_seconds": 0.004}
    variants.append(json.dumps(d, indent=2, sort_keys=True))

reports = os.path.join(out_dir, "reports")
os.makedirs(reports, exist_ok=True)
total = 0
with open(os.path.join(out_dir, "all.jsonl"), "w") as jsonl:
    for n in range(count):
        host = "gpu-%05d" % n
        t = 1796390000 + n
        text = rng.choice(variants).replace("@@HOST@@", host).replace(
            "@@TIME@@", "2026-12-04T%02d:%02d:%02dZ" % (t // 3600 % 24, t // 60 % 60, t % 60)
        ).replace("1796390000.0", "%d.0" % t)
        with open(os.path.join(reports, host + ".json"), "w") as f:
            f.write(text + "\n")
        jsonl.write(json.dumps(json.loads(text)) + "\n")
        total += len(text) + 1
print("%d reports, %.1f MB, %d variants of %d fixture machines" %
      (count, total / 1e6, len(variants), len(bases)))
