#!/usr/bin/env python3
"""Builds the machine tree the doctor/detect/envs benches run on: the real H200 server
(tests/machines/h200-container) grown to at least the size of the real machine, which the
capture trimmed (issue 15): 423 entries in the venv's site-packages, 197 *.dist-info folders,
522 ld.so.cache entries, 718 files in /usr/lib/x86_64-linux-gnu. --scale multiplies those
targets (1.0 = the real machine, rounded up by a tenth).

What is added is shaped like what was cut: each installed distribution gets its import package
(a folder with modules, or a module file) named after it, as wheels lay them out; more
distributions with METADATA (Requires-Dist lines with markers, as real wheels have), INSTALLER
"uv", WHEEL and RECORD; more shared libraries in /usr/lib/x86_64-linux-gnu, each a versioned
file with its soname link; and ld.so.cache entries for them, written in glibc's
"glibc-ld.so.cache1.1" layout (checked with `ldconfig -p -C` when ldconfig is there).
Package binaries are empty files, as in the capture: a bench of kernel scanning can put real
ones in place with --binaries DIR (each file under DIR is copied to the same relative path
under the venv's site-packages).

Usage: bench/make_tree.py OUT [--scale F] [--binaries DIR]   (prints the counts; OUT/root and
OUT/env.txt are what `cudafit --root OUT/root --env-file OUT/env.txt` reads)
"""
import argparse, math, os, shutil, struct, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "..", "tests", "machines", "h200-container")
SITE = "opt/torch/.venv/lib/python3.12/site-packages"
LIBDIR = "usr/lib/x86_64-linux-gnu"
REAL = {"site_entries": 423, "dist_info": 197, "ld_cache": 522, "lib_files": 718}
X8664 = 0x0303  # FLAG_ELF_LIBC6 | FLAG_X8664_LIB64


def write(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read_ld_cache(data):
    magic = b"glibc-ld.so.cache1.1"
    base = data.find(magic)
    nlibs = struct.unpack_from("<I", data, base + 20)[0]
    out = []
    for i in range(nlibs):
        flags, key, value = struct.unpack_from("<iII", data, base + 48 + 24 * i)
        k = data[base + key:data.index(b"\0", base + key)].decode()
        v = data[base + value:data.index(b"\0", base + value)].decode()
        out.append((k, v, flags))
    return out


def write_ld_cache(path, entries):
    """glibc's new cache format alone: header, entries, strings; offsets from the header."""
    strings = bytearray()
    head = 48 + 24 * len(entries)
    table = bytearray()
    for key, value, flags in entries:
        k = head + len(strings)
        strings += key.encode() + b"\0"
        v = head + len(strings)
        strings += value.encode() + b"\0"
        table += struct.pack("<iIIIQ", flags, k, v, 0, 0)
    header = b"glibc-ld.so.cache1.1" + struct.pack("<II", len(entries), len(strings))
    header += b"\0" * (48 - len(header))
    with open(path, "wb") as f:
        f.write(header + table + strings)


def module_name(dist_dir):
    name = dist_dir.rsplit("-", 1)[0] if dist_dir.endswith(".dist-info") else dist_dir
    name = name[: -len(".dist-info")] if name.endswith(".dist-info") else name
    return name.rsplit("-", 1)[0].lower().replace("-", "_").replace(".", "_")


def description(seed, size):
    """A README-like body of about `size` bytes: wheels put the long description after the
    header (torch's runs to about 30 kB); the capture cut it."""
    line = f"Project {seed}: install with pip, see the documentation for examples and the API. "
    return "\n" + "\n".join(line for _ in range(max(1, size // len(line)))) + "\n"


# Extension modules per platform wheel where the capture lost the package folder: most carry a
# handful; these carry many (counted in their manylinux wheels, roughly).
SO_COUNT = {"scipy": 120, "scikit_learn": 60, "pandas": 45, "scikit_image": 40, "pyarrow": 30,
            "statsmodels": 30, "numpy": 20}


def platform_wheel(dist_dir):
    try:
        with open(os.path.join(dist_dir, "WHEEL")) as f:
            return "Root-Is-Purelib: false" in f.read()
    except OSError:
        return False


def write_record(site, dist, tops):
    """RECORD as wheels write it ("path,sha256=...,size"), over the files that are there: the
    capture kept none, and doctor reads each package's RECORD for its shared libraries."""
    rows = []
    for top in tops:
        full = os.path.join(site, top)
        if os.path.isfile(full):
            rows.append(top)
        for base, _, files in os.walk(full):
            rows += [os.path.relpath(os.path.join(base, n), site) for n in files]
    for n in sorted(os.listdir(os.path.join(site, dist))):
        rows.append(f"{dist}/{n}")
    lines = [f"{r},sha256={'A' * 43},{1024 + i}" if not r.endswith("RECORD") else f"{r},,"
             for i, r in enumerate(sorted(rows))]
    write(os.path.join(site, dist, "RECORD"), "\n".join(lines + [f"{dist}/RECORD,,"]) + "\n")


def grow_site(site, want_dist, want_entries):
    names = set(os.listdir(site))
    dists = sorted(n for n in names if n.endswith(".dist-info"))
    # The long descriptions the capture cut, 4 to 40 kB each.
    for i, d in enumerate(dists):
        md = os.path.join(site, d, "METADATA")
        if os.path.isfile(md):
            with open(md) as f:
                head = f.read()
            if "\n\n" not in head:
                with open(md, "a") as f:
                    f.write(description(d, 4096 + (i * 7919) % 36000))
    # Each captured distribution's import package, where the capture left it out.
    for d in dists:
        mod = module_name(d)
        if not (mod in names or mod + ".py" in names or mod.startswith("nvidia_")):
            pkg = os.path.join(site, mod)
            for f in ("__init__.py", "_version.py", "core.py", "utils.py", "py.typed"):
                write(os.path.join(pkg, f))
            write(os.path.join(pkg, "__pycache__", "__init__.cpython-312.pyc"))
            if platform_wheel(os.path.join(site, d)):
                for k in range(SO_COUNT.get(mod, 8)):
                    write(os.path.join(pkg, f"_ext{k}.cpython-312-x86_64-linux-gnu.so"))
            names.add(mod)
        if not os.path.exists(os.path.join(site, d, "RECORD")):
            tops = [t for t in (mod, mod + ".py") if t in names]
            if mod.startswith("nvidia_"):
                tops = ["nvidia"] if "nvidia" in names and mod == "nvidia_cublas" else []
            write_record(site, d, tops)
    # More distributions, shaped like the real ones.
    i = 0
    while len([n for n in names if n.endswith(".dist-info")]) < want_dist or len(names) < want_entries:
        name, version = f"benchpkg{i:03d}", f"1.{i % 17}.{i % 5}"
        d = os.path.join(site, f"{name}-{version}.dist-info")
        reqs = [f"benchpkg{(i + k) % 97:03d}>=0.{k}" for k in (1, 2, 3)]
        reqs += ['typing-extensions>=4.0; python_version < "3.13"',
                 f'pytest>=7; extra == "test"', f'sphinx; extra == "docs"']
        md = "Metadata-Version: 2.1\nName: {}\nVersion: {}\nSummary: bench package\n".format(name, version)
        md += "Requires-Python: >=3.9\n" + "".join(f"Requires-Dist: {r}\n" for r in reqs)
        md += "Provides-Extra: test\nProvides-Extra: docs\n" + description(name, 2048 + (i * 104729) % 20000)
        write(os.path.join(d, "METADATA"), md)
        write(os.path.join(d, "INSTALLER"), "uv\n")
        write(os.path.join(d, "WHEEL"), "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        names.add(os.path.basename(d))
        if i % 3 == 2:
            write(os.path.join(site, name + ".py"))
            names.add(name + ".py")
            write_record(site, os.path.basename(d), [name + ".py"])
        else:
            for f in ("__init__.py", "api.py", "_impl.py"):
                write(os.path.join(site, name, f))
            if i % 4 == 0:  # a platform wheel: extension modules
                write(os.path.join(site, name, "_speedups.cpython-312-x86_64-linux-gnu.so"))
            names.add(name)
            write_record(site, os.path.basename(d), [name])
        i += 1


def grow_libs(root, want_files, want_cache):
    libdir = os.path.join(root, LIBDIR)
    cache_path = os.path.join(root, "etc/ld.so.cache")
    with open(cache_path, "rb") as f:
        entries = read_ld_cache(f.read())
    i = 0
    while len(os.listdir(libdir)) < want_files or len(entries) < want_cache:
        soname = f"libbench{i:03d}.so.{1 + i % 3}"
        real = f"{soname}.{i % 10}.{i % 7}"
        write(os.path.join(libdir, real))
        link = os.path.join(libdir, soname)
        if not os.path.lexists(link):
            os.symlink(real, link)
        entries.append((soname, "/" + LIBDIR + "/" + soname, X8664))
        i += 1
    # ldconfig sorts entries by name (newest version first); the order does not change lookups.
    entries.sort(key=lambda e: e[0], reverse=True)
    write_ld_cache(cache_path, entries)
    return len(entries)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--binaries", help="a folder of real package files to copy over the venv's")
    a = ap.parse_args()
    want = {k: math.ceil(v * a.scale * 1.1) for k, v in REAL.items()}
    root = os.path.join(a.out, "root")
    shutil.rmtree(a.out, ignore_errors=True)
    shutil.copytree(os.path.join(CAPTURE, "root"), root, symlinks=True)
    site = os.path.join(root, SITE)
    grow_site(site, want["dist_info"], want["site_entries"])
    if a.binaries:
        shutil.copytree(a.binaries, site, symlinks=True, dirs_exist_ok=True)
    ncache = grow_libs(root, want["lib_files"], want["ld_cache"])
    # The user's cache folder, as a server's home has it: doctor keeps its kernel cache there.
    os.makedirs(os.path.join(root, "root/.cache"), exist_ok=True)
    env = [l for l in open(os.path.join(CAPTURE, "outputs/env.txt")) if "=" in l and not l.startswith("#")]
    env += ["HOME=/root\n", "VIRTUAL_ENV=/opt/torch/.venv\n"]
    write(os.path.join(a.out, "env.txt"), "".join(env))
    names = os.listdir(site)
    counts = {"site_entries": len(names), "dist_info": sum(n.endswith(".dist-info") for n in names),
              "ld_cache": ncache, "lib_files": len(os.listdir(os.path.join(root, LIBDIR)))}
    check = ""
    if shutil.which("ldconfig"):
        out = subprocess.run(["ldconfig", "-p", "-C", os.path.join(root, "etc/ld.so.cache")],
                             capture_output=True, text=True).stdout.splitlines()
        check = f" (ldconfig -p reads {out[0].split()[0] if out else '?'})"
    files = sum(len(f) + len(d) for _, d, f in os.walk(root))
    sos = sum(1 for _, _, f in os.walk(site) for n in f if ".so" in n)
    print(f"bench tree {a.out}: {files} files and folders; venv site-packages {counts['site_entries']} "
          f"entries, {counts['dist_info']} dist-info (each with RECORD), {sos} shared libraries; ld.so.cache {counts['ld_cache']} entries{check}; "
          f"/{LIBDIR} {counts['lib_files']} files (real H200: {REAL['site_entries']}, {REAL['dist_info']}, "
          f"{REAL['ld_cache']}, {REAL['lib_files']})")
    for k, v in REAL.items():
        if counts[k] < v * a.scale:
            sys.exit(f"bench tree smaller than asked: {k} {counts[k]} < {v * a.scale}")


if __name__ == "__main__":
    main()
