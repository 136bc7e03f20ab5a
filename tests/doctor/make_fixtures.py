#!/usr/bin/env python3
"""Builds doctor's fixture machines (tests/machines/doctor-*) from the probe fixtures.

Each is the probe engineer's tree plus what one finding needs (a venv, another driver, another
GPU, a second toolkit...), an env.txt and an expected-doctor.txt ("severity id" per line, empty
for a healthy machine). Run it after changing a recipe; the trees are committed.
Facts in the comments are the data/ rows the expected findings rest on.
"""
import json, os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
MACHINES = os.path.normpath(os.path.join(HERE, "..", "machines"))


def write(root, path, text=""):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def symlink(root, path, target):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if os.path.lexists(full):
        os.remove(full)
    os.symlink(target, full)


class Fixture:
    def __init__(self, name, base, expected, why):
        self.dir = os.path.join(MACHINES, "doctor-" + name)
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.copytree(os.path.join(MACHINES, base, "root"), os.path.join(self.dir, "root"), symlinks=True)
        self.root = os.path.join(self.dir, "root")
        with open(os.path.join(MACHINES, base, "env.txt")) as f:
            self.env = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
        self.expected = sorted(expected)
        self.why = why

    def save(self):
        with open(os.path.join(self.dir, "env.txt"), "w") as f:
            for k, v in self.env.items():
                f.write(f"{k}={v}\n")
        with open(os.path.join(self.dir, "expected-doctor.txt"), "w") as f:
            f.write("# " + self.why + "\n")
            for line in self.expected:
                f.write(line + "\n")

    # --- machine edits ---
    def set_driver(self, old, new):
        for rel in ("proc/driver/nvidia/version", "sys/module/nvidia/version"):
            p = os.path.join(self.root, rel)
            if os.path.exists(p):
                with open(p) as f:
                    t = f.read()
                with open(p, "w") as f:
                    f.write(t.replace(old, new))
        libdir = os.path.join(self.root, "usr/lib/x86_64-linux-gnu")
        for lib in ("libcuda.so", "libnvidia-ml.so"):
            old_p = os.path.join(libdir, f"{lib}.{old}")
            if os.path.exists(old_p):
                os.rename(old_p, os.path.join(libdir, f"{lib}.{new}"))
                symlink(self.root, f"/usr/lib/x86_64-linux-gnu/{lib}.1", f"{lib}.{new}")

    def set_gpu(self, bus, device_id, model):
        write(self.root, f"/sys/bus/pci/devices/{bus}/device", device_id + "\n")
        p = os.path.join(self.root, f"proc/driver/nvidia/gpus/{bus}/information")
        if os.path.exists(p):
            with open(p) as f:
                lines = f.read().splitlines()
            lines = [("Model: \t\t " + model) if l.startswith("Model:") else l for l in lines]
            with open(p, "w") as f:
                f.write("\n".join(lines) + "\n")

    def toolkit(self, version, link=False):
        d = f"/usr/local/cuda-{version}"
        full = version + ".0" if version.count(".") == 1 else version
        write(self.root, d + "/version.json", json.dumps({"cuda": {"name": "CUDA SDK", "version": full}}, indent=3) + "\n")
        write(self.root, d + "/bin/nvcc")
        os.chmod(os.path.join(self.root, d.lstrip("/"), "bin/nvcc"), 0o755)
        if link:
            symlink(self.root, "/usr/local/cuda", d)

    # --- Python environments ---
    def venv(self, prefix, py="3.11.9", active=True):
        mm = py.rsplit(".", 1)[0]
        write(self.root, prefix + "/pyvenv.cfg",
              f"home = /usr/bin\ninclude-system-site-packages = false\nversion = {py}\n")
        symlink(self.root, prefix + "/bin/python", "python3")
        symlink(self.root, prefix + "/bin/python3", "/usr/bin/python3")
        if active:
            self.env["VIRTUAL_ENV"] = prefix
            self.env["PATH"] = prefix + "/bin:" + self.env.get("PATH", "/usr/bin:/bin")
        return f"{prefix}/lib/python{mm}/site-packages"

    def conda_env(self, prefix, py="3.11.9"):
        mm = py.rsplit(".", 1)[0]
        self.conda_record(prefix, "python", py, "h955ad1f_0")
        write(self.root, prefix + f"/bin/python{mm}")
        symlink(self.root, prefix + "/bin/python", f"python{mm}")
        self.env["CONDA_PREFIX"] = prefix
        self.env["PATH"] = prefix + "/bin:" + self.env.get("PATH", "/usr/bin:/bin")
        return f"{prefix}/lib/python{mm}/site-packages"

    def conda_record(self, prefix, name, version, build):
        write(self.root, f"{prefix}/conda-meta/{name}-{version}-{build}.json",
              json.dumps({"name": name, "version": version, "build": build, "channel": "pytorch"}) + "\n")

    def dist(self, site, name, version, installer="pip", requires=()):
        d = f"{site}/{name.replace('-', '_')}-{version}.dist-info"
        md = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        for r in requires:
            md += f"Requires-Dist: {r}\n"
        write(self.root, d + "/METADATA", md)
        write(self.root, d + "/INSTALLER", installer + "\n")

    def torch(self, site, version, cuda, installer="pip", requires=(), module="torch"):
        self.dist(site, module, version, installer, requires)
        write(self.root, f"{site}/{module}/__init__.py")
        lit = "None" if cuda is None else f"'{cuda}'"
        write(self.root, f"{site}/{module}/version.py",
              f"__version__ = '{version}'\ndebug = False\ncuda = {lit}\ngit_version = 'abc123'\nhip = None\n")

    def extension(self, site, name, version, so_fixture, module="lab_ext"):
        # A pip-installed torch extension (setup.py with CUDAExtension): the package folder, its
        # _C.so (an nvcc build from tests/doctor/fixtures, see its README.md) and a RECORD.
        so = f"{module}/_C.cpython-311-x86_64-linux-gnu.so"
        write(self.root, f"{site}/{module}/__init__.py")
        shutil.copyfile(os.path.join(HERE, "fixtures", so_fixture), os.path.join(self.root, site.lstrip("/"), so))
        self.dist(site, name, version)
        di = f"{name.replace('-', '_')}-{version}.dist-info"
        size = os.path.getsize(os.path.join(HERE, "fixtures", so_fixture))
        write(self.root, f"{site}/{di}/RECORD",
              f"{module}/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"
              f"{so},sha256=-,{size}\n{di}/INSTALLER,,\n{di}/METADATA,,\n{di}/RECORD,,\n")

    def companion(self, site, name, version, cuda):
        self.dist(site, name, version)
        write(self.root, f"{site}/{name}/__init__.py")
        lit = "None" if cuda is None else f"'{cuda}'"
        write(self.root, f"{site}/{name}/version.py", f"__version__ = '{version}'\ncuda = {lit}\n")


VENV = "/home/user/venv"


def torch_231(f, site, tv="0.18.1+cu121", tv_cuda="12.1", cudnn="8.9.2.26"):
    # torch-releases.csv: 2.3.1 ships with torchvision 0.18.1 and torchaudio 2.3.1.
    pin = 'nvidia-cudnn-cu12==8.9.2.26; platform_system == "Linux" and platform_machine == "x86_64"'
    f.torch(site, "2.3.1+cu121", "12.1", requires=[pin])
    f.dist(site, "nvidia-cudnn-cu12", cudnn)
    f.companion(site, "torchvision", tv, tv_cuda)
    f.companion(site, "torchaudio", "2.3.1+cu121", "12.1")


def build():
    made = []

    f = Fixture("workstation-healthy", "desktop-rtx3050-535", [],
                "RTX 3050 on 535.104.05 (CUDA 12.2) with torch 2.3.1+cu121 (needs 530.30.02, cuda.csv) and its companions")
    torch_231(f, f.venv(VENV)); made.append(f)

    f = Fixture("cpu-only-torch", "desktop-rtx3050-535", ["error cpu-only-build"],
                "torch 2.3.1+cpu (cuda = None) on a machine with an RTX 3050")
    f.torch(f.venv(VENV), "2.3.1+cpu", None); made.append(f)

    f = Fixture("driver-minor-compat", "desktop-rtx3050-535", ["warning driver-too-old"],
                "driver 525.85.12: below 12.1's 530.30.02 (cuda.csv), above the 12.x floor 525.60.13 (cuda-minor-compat.csv)")
    f.set_driver("535.104.05", "525.85.12"); torch_231(f, f.venv(VENV)); made.append(f)

    f = Fixture("driver-470-cu121", "desktop-rtx3050-535", ["error driver-too-old"],
                "driver 470.256.02 is below the CUDA 12 floor 525.60.13 (cuda-minor-compat.csv)")
    f.set_driver("535.104.05", "470.256.02"); torch_231(f, f.venv(VENV)); made.append(f)

    f = Fixture("rtx5090-torch26", "desktop-rtx3050-535", ["error arch-unsupported"],
                "RTX 5090 (10de:2b85, sm_120, gpus.csv) on 570.133.07 with torch 2.6.0+cu124 (sm_50..sm_90, torch-arch-lists.csv)")
    f.set_driver("535.104.05", "570.133.07"); f.set_gpu("0000:01:00.0", "0x2b85", "NVIDIA GeForce RTX 5090")
    f.torch(f.venv(VENV), "2.6.0+cu124", "12.4"); made.append(f)

    f = Fixture("rtx5090-torch27", "desktop-rtx3050-535", [],
                "near miss: RTX 5090 with torch 2.7.0+cu128 (sm_120 SASS, torch-arch-lists.csv)")
    f.set_driver("535.104.05", "570.133.07"); f.set_gpu("0000:01:00.0", "0x2b85", "NVIDIA GeForce RTX 5090")
    f.torch(f.venv(VENV), "2.7.0+cu128", "12.8"); made.append(f)

    f = Fixture("gtx1080-cu128", "desktop-rtx3050-535", ["error arch-unsupported"],
                "GTX 1080 (10de:1b80, sm_61) with torch 2.7.0+cu128, which starts at sm_75 (torch-arch-lists.csv)")
    f.set_driver("535.104.05", "570.133.07"); f.set_gpu("0000:01:00.0", "0x1b80", "NVIDIA GeForce GTX 1080")
    f.torch(f.venv(VENV), "2.7.0+cu128", "12.8"); made.append(f)

    f = Fixture("gtx1080-cu126", "desktop-rtx3050-535", [],
                "near miss: GTX 1080 with torch 2.7.0+cu126 (sm_60 SASS runs on sm_61)")
    f.set_driver("535.104.05", "570.133.07"); f.set_gpu("0000:01:00.0", "0x1b80", "NVIDIA GeForce GTX 1080")
    f.torch(f.venv(VENV), "2.7.0+cu126", "12.6"); made.append(f)

    f = Fixture("pascal-580", "desktop-rtx3050-535", ["info gpu-legacy"],
                "GTX 1080 on 580.95.05: R580 is the last branch for Pascal (gpu-archs.csv)")
    f.set_driver("535.104.05", "580.95.05"); f.set_gpu("0000:01:00.0", "0x1b80", "NVIDIA GeForce GTX 1080"); made.append(f)

    f = Fixture("kepler-535", "desktop-rtx3050-535", ["error driver-drops-gpu"],
                "Tesla K80 (10de:102d, Kepler 3.7): R470 is its last branch (gpu-archs.csv), the driver is 535")
    f.set_gpu("0000:01:00.0", "0x102d", "Tesla K80"); made.append(f)

    f = Fixture("torchvision-cu118", "desktop-rtx3050-535", ["error companion-mismatch"],
                "torchvision 0.18.1+cu118 beside torch 2.3.1+cu121")
    torch_231(f, f.venv(VENV), tv="0.18.1+cu118", tv_cuda="11.8"); made.append(f)

    f = Fixture("torchvision-old", "desktop-rtx3050-535", ["error companion-mismatch"],
                "torchvision 0.17.2 with torch 2.3.1 (released with 0.18.1, torch-releases.csv)")
    torch_231(f, f.venv(VENV), tv="0.17.2+cu121"); made.append(f)

    f = Fixture("cudnn-wheel-mismatch", "desktop-rtx3050-535", ["error nvidia-wheel-mismatch"],
                "torch 2.3.1 pins nvidia-cudnn-cu12==8.9.2.26; 9.1.0.70 is installed")
    torch_231(f, f.venv(VENV), cudnn="9.1.0.70"); made.append(f)

    f = Fixture("conda-pip-mix", "desktop-rtx3050-535", ["error conda-pip-mix"],
                "conda's pytorch 2.3.1 (conda-meta) with pip's torch 2.3.1 installed over it")
    prefix = "/home/user/miniconda3/envs/ml"
    site = f.conda_env(prefix)
    f.conda_record(prefix, "pytorch", "2.3.1", "py3.11_cuda12.1_cudnn8.9.2_0")
    f.torch(site, "2.3.1", "12.1", installer="pip"); made.append(f)

    f = Fixture("conda-only", "desktop-rtx3050-535", [],
                "near miss: conda's pytorch 2.3.1 alone (its torch dist-info says INSTALLER conda)")
    prefix = "/home/user/miniconda3/envs/ml"
    site = f.conda_env(prefix)
    f.conda_record(prefix, "pytorch", "2.3.1", "py3.11_cuda12.1_cudnn8.9.2_0")
    f.torch(site, "2.3.1", "12.1", installer="conda"); made.append(f)

    f = Fixture("pythonpath-shadow", "desktop-rtx3050-535", ["error shadowed-install"],
                "PYTHONPATH=/opt/oldlibs holds torch 2.1.0+cu118, loaded before the venv's 2.3.1+cu121")
    torch_231(f, f.venv(VENV))
    f.torch("/opt/oldlibs", "2.1.0+cu118", "11.8")
    f.env["PYTHONPATH"] = "/opt/oldlibs"; made.append(f)

    f = Fixture("toolkit-11-active", "desktop-rtx3050-535", ["warning toolkit-mismatch", "info multiple-toolkits"],
                "/usr/local/cuda -> cuda-11.8 (nvcc 11.8 on PATH) while torch is built with CUDA 12.1")
    f.toolkit("11.8", link=True); torch_231(f, f.venv(VENV)); made.append(f)

    f = Fixture("two-toolkits", "desktop-rtx3050-535", ["info multiple-toolkits"],
                "near miss for toolkit-mismatch: 12.2 active, 11.8 installed beside it")
    f.toolkit("11.8"); torch_231(f, f.venv(VENV)); made.append(f)

    f = Fixture("cuda-visible-none", "server-8xh100-550-open", ["error cuda-visible-devices-hides-gpus"],
                "CUDA_VISIBLE_DEVICES=-1 on an 8-GPU server")
    f.env["CUDA_VISIBLE_DEVICES"] = "-1"; made.append(f)

    f = Fixture("server-healthy", "server-8xh100-550-open", [],
                "8x H100 on 550.54.15 (CUDA 12.4: needs 550.54.15, cuda.csv) with torch 2.4.1+cu124; CUDA_VISIBLE_DEVICES=2,3 hides some, not all")
    site = f.venv("/opt/venv", py="3.10.12")
    f.torch(site, "2.4.1+cu124", "12.4")
    f.companion(site, "torchvision", "0.19.1+cu124", "12.4"); made.append(f)

    f = Fixture("cupy12-driver470", "desktop-rtx3050-535", ["error framework-requirement"],
                "cupy-cuda12x needs a CUDA 12 driver (>= 525.60.13, cuda-minor-compat.csv); the driver is 470.256.02")
    f.set_driver("535.104.05", "470.256.02")
    f.dist(f.venv(VENV), "cupy-cuda12x", "13.3.0"); made.append(f)

    f = Fixture("vllm-torch-pin", "desktop-rtx3050-535", ["error framework-requirement"],
                "vllm 0.5.4 pins torch 2.4.0 (frameworks.csv); torch 2.3.1 is installed")
    site = f.venv(VENV); torch_231(f, site); f.dist(site, "vllm", "0.5.4"); made.append(f)

    f = Fixture("wsl2-healthy", "wsl2-laptop", [],
                "WSL2 laptop with torch 2.3.1+cu121 in a venv")
    torch_231(f, f.venv(VENV)); made.append(f)

    f = Fixture("container-healthy", "container-forward-compat", [],
                "container with CUDA 12.4.1 on a 535 host, served by its forward-compat libraries, torch 2.4.1+cu124")
    site = f.venv("/opt/venv", py="3.10.12")
    f.torch(site, "2.4.1+cu124", "12.4"); made.append(f)

    f = Fixture("container-no-compat", "container-forward-compat", ["warning container-cuda-too-new"],
                "the same container without cuda/compat: CUDA 12.4.1 (needs 550.54.15) on 535.183.01 runs only through minor-version compatibility")
    shutil.rmtree(os.path.join(f.root, "usr/local/cuda-12.4/compat"), ignore_errors=True)
    f.env["LD_LIBRARY_PATH"] = "/usr/local/nvidia/lib:/usr/local/nvidia/lib64"; made.append(f)

    # Issue #15: a lab extension is read from its binary by default (no --kernels).
    rtx5090 = "RTX 5090 (10de:2b85, sm_120, gpus.csv) on 580.95.05 with torch 2.7.0+cu128 (sm_120 SASS, torch-arch-lists.csv)"
    for name, so, expected, why in (
            ("lab-ext-sm80", "lab_ext_sm80.so", ["error arch-unsupported"],
             "and lab-ext 0.1.0 built with TORCH_CUDA_ARCH_LIST=8.0: SASS sm_80 only"),
            ("lab-ext-sm120", "lab_ext_sm80_sm120.so", [],
             "near miss: lab-ext built for 8.0;12.0 has sm_120 SASS"),
            ("lab-ext-ptx", "lab_ext_ptx80.so", ["warning arch-ptx-jit"],
             "and the PTX-only twin (compute_80, ISA 9.0, which driver 580 / CUDA 13.0 JITs, cuda.csv)")):
        f = Fixture(name, "desktop-rtx3050-535", expected, rtx5090 + ", " + why)
        f.set_driver("535.104.05", "580.95.05"); f.set_gpu("0000:01:00.0", "0x2b85", "NVIDIA GeForce RTX 5090")
        site = f.venv(VENV)
        f.torch(site, "2.7.0+cu128", "12.8")
        f.extension(site, "lab-ext", "0.1.0", so); made.append(f)

    for f in made:
        f.save()
    print(f"{len(made)} fixtures in {MACHINES}")


if __name__ == "__main__":
    sys.exit(build())
