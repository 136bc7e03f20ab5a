#!/usr/bin/env python3
"""clang-tidy over the files named on stdin, in parallel, remembering clean results.

A file is clean when clang-tidy exits 0 and prints no warning or error. A clean result is
remembered under ${XDG_CACHE_HOME:-~/.cache}/cudafit/tidy/ by the hash of the file as the
compiler sees it (its preprocessed text: every header it includes), the command's flags,
.clang-tidy and clang-tidy's version, so an unchanged file costs one preprocessor run and a
changed header re-checks every file that includes it. Findings are never remembered.

usage: git ls-files 'src/*.cpp' | tidy_cached.py BUILD_DIR     (BUILD_DIR has compile_commands.json)
exit 0 all clean; 1 findings (printed) or clang-tidy could not run.
"""
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys


def preprocess_command(entry):
    """The compile command turned into a preprocess-to-stdout command."""
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    if args and os.path.basename(args[0]) == "ccache":
        args = args[1:]
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a.startswith("-Werror"):
            continue
        out.append(a)
    return out + ["-E", "-P", "-o", "-"]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    build = os.path.abspath(sys.argv[1])
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        db = json.load(open(os.path.join(build, "compile_commands.json")))
    except (OSError, ValueError) as e:
        print(f"tidy: no compile database in {build}: {e}", file=sys.stderr)
        return 1
    by_file = {os.path.realpath(e["file"]): e for e in db}
    try:
        version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"tidy: clang-tidy cannot run: {e}", file=sys.stderr)
        return 1
    config = open(os.path.join(source, ".clang-tidy"), "rb").read()
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                         "cudafit", "tidy")
    os.makedirs(cache, exist_ok=True)
    files = [f.strip() for f in sys.stdin if f.strip()]

    def check(name):
        path = os.path.realpath(os.path.join(source, name))
        entry = by_file.get(path)
        if entry is None:
            return name, False, f"{name}: not in {build}/compile_commands.json\n", False
        h = hashlib.sha256(version.encode() + config + entry.get("command", "").encode())
        pre = subprocess.run(preprocess_command(entry), cwd=entry["directory"],
                             capture_output=True)
        if pre.returncode != 0:
            return name, False, pre.stderr.decode(errors="replace"), False
        h.update(pre.stdout)
        key = os.path.join(cache, h.hexdigest())
        if os.path.exists(key):
            return name, True, "", True
        run = subprocess.run(["clang-tidy", "-p", build, "--quiet", path], capture_output=True,
                             text=True)
        findings = [l for l in run.stdout.splitlines() if "warning:" in l or "error:" in l]
        ok = run.returncode == 0 and not findings
        if ok:
            open(key, "w").close()
        return name, ok, run.stdout + (run.stderr if not ok else ""), False

    failed, reused = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, ok, text, cached in pool.map(check, files):
            reused += cached
            if not ok:
                failed.append(name)
                sys.stdout.write(text)
    if failed:
        print(f"clang-tidy: failed on {len(failed)} file(s): {' '.join(failed)}", file=sys.stderr)
        return 1
    print(f"clang-tidy: clean ({len(files)} files, {reused} unchanged since a clean run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
