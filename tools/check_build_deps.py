#!/usr/bin/env python3
"""Checks that every file a build read from outside the repository comes from a Debian package
that scripts/deps.sh installs (or from the compiler and libc packages listed below).

A package installed by hand hides a missing install step: the build passes here and fails on a
fresh machine. This check looks at what the build really read, so it cannot be fooled that way:
  - every header, from the compilers' depfiles (CMakeFiles/**/*.o.d, written by -MD);
  - every object, archive, shared library and linker script, from the linkers' dependency files
    (linkdeps/*.d, GNU ld --dependency-file, set in CMakeLists.txt);
  - every CMake package configuration that find_package loaded (CMakeCache.txt's *_DIR).
Each file is looked up in dpkg's file lists (/var/lib/dpkg/info/*.list).

usage: check_build_deps.py BUILD_DIR [--deps scripts/deps.sh] [--source DIR]
exit 0 all files accounted for; 1 some are not (each is named with its package); 2 bad usage.
"""
import argparse
import glob
import os
import re
import sys

# The compiler, binutils and C library: what `g++` itself brings (deps.sh installs g++, whose
# dependencies these are), and clang's for the fuzz build (deps.sh --test installs clang). A
# library the project links must never be satisfied by this list.
TOOLCHAIN = {
    "gcc-12", "g++-12", "cpp-12", "libgcc-12-dev", "libstdc++-12-dev", "libgcc-s1",
    "libstdc++6", "libc6", "libc6-dev", "linux-libc-dev", "libcrypt-dev", "libc-dev-bin",
    "binutils", "binutils-x86-64-linux-gnu", "libasan8", "libubsan1", "liblsan0", "libtsan2",
    "clang-14", "libclang-common-14-dev", "libclang-rt-14-dev", "libllvm14", "libclang-cpp14",
    "libclang1-14", "libstdc++-12-dev", "libgomp1", "libitm1", "libatomic1", "libquadmath0",
}


def deps_sh_packages(path):
    """Every package named in a `pkgs=(...)` or `pkgs+=(...)` array of scripts/deps.sh."""
    text = open(path, encoding="utf-8").read()
    names = set()
    for body in re.findall(r"\bpkgs\+?=\(([^)]*)\)", text, re.S):
        body = re.sub(r"#[^\n]*", "", body)
        names.update(body.split())
    return names


def dpkg_owners():
    """path -> package, from dpkg's own file lists (one read, no subprocess per file)."""
    owners = {}
    for lst in glob.glob("/var/lib/dpkg/info/*.list"):
        pkg = os.path.basename(lst)[: -len(".list")].split(":")[0]
        with open(lst, encoding="utf-8", errors="replace") as f:
            for line in f:
                owners.setdefault(line.rstrip("\n"), pkg)
    return owners


def usrmerge_aliases(path):
    """Debian 12 merges /bin, /lib, /lib64 and /sbin into /usr; dpkg records either form."""
    out = [path]
    for top in ("/lib/", "/lib64/", "/bin/", "/sbin/", "/lib32/", "/libx32/"):
        if path.startswith("/usr" + top):
            out.append(path[len("/usr"):])
        elif path.startswith(top):
            out.append("/usr" + path)
    return out


def candidates(path):
    """The forms a file may be listed under: as named (its own package owns a -dev symlink such
    as libz.so), with the folder's links resolved, and fully resolved."""
    norm = os.path.normpath(path)
    forms = [norm, os.path.join(os.path.realpath(os.path.dirname(norm)), os.path.basename(norm)),
             os.path.realpath(norm)]
    seen = []
    for form in forms:
        for alias in usrmerge_aliases(form):
            if alias not in seen:
                seen.append(alias)
    return seen


def depfile_paths(path):
    """The prerequisites of a make-style depfile (targets before the first unescaped colon)."""
    text = open(path, encoding="utf-8", errors="replace").read().replace("\\\n", " ")
    paths = []
    for rule in text.split("\n"):
        if ":" not in rule:
            continue
        # "target: prereq prereq" -- targets are object or executable names without spaces.
        prereqs = rule.split(": ", 1)[1] if ": " in rule else ""
        for token in re.split(r"(?<!\\) +", prereqs.strip()):
            if token:
                paths.append(token.replace("\\ ", " "))
    return paths


def files_read(build_dir):
    """(path, what read it) for every outside file the build read."""
    found = []
    for d in glob.glob(os.path.join(build_dir, "**", "*.o.d"), recursive=True):
        # Relative names (ccache's base_dir makes them) are relative to where the compiler ran:
        # the folder holding the target's CMakeFiles/.
        cwd = d[: d.rfind(os.sep + "CMakeFiles" + os.sep)]
        for p in depfile_paths(d):
            found.append((p if os.path.isabs(p) else os.path.join(cwd, p), d))
    for d in glob.glob(os.path.join(build_dir, "**", "linkdeps", "*.d"), recursive=True):
        # ld writes paths relative to the directory it ran in, which CMake makes the target's
        # binary folder; relative names there are the project's own objects.
        for p in depfile_paths(d):
            if os.path.isabs(p):
                found.append((p, d))
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if os.path.exists(cache):
        for line in open(cache, encoding="utf-8", errors="replace"):
            m = re.match(r"^(\w+)_DIR:(?:PATH|UNINITIALIZED|STRING)=(/.+)$", line.strip())
            if m and "NOTFOUND" not in m.group(2):
                for cfg in glob.glob(os.path.join(m.group(2), "*onfig.cmake")):
                    found.append((cfg, "CMakeCache.txt " + m.group(1) + "_DIR"))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("--deps", default=None, help="deps.sh to read (default: the repository's)")
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = ap.parse_args()
    build = os.path.realpath(args.build_dir)
    source = os.path.realpath(args.source)
    deps = args.deps or os.path.join(source, "scripts", "deps.sh")
    if not os.path.isdir(build):
        print(f"check_build_deps: {args.build_dir}: not a build folder", file=sys.stderr)
        return 2
    allowed = deps_sh_packages(deps)
    reads = files_read(build)
    if not any(w.endswith(".o.d") for _, w in reads):
        print(f"check_build_deps: {build}: no compiler depfiles (is it built?)", file=sys.stderr)
        return 2
    # Every executable and shared library must have left its list: a target linked before the
    # option existed (an old build folder) would otherwise go unchecked.
    unrecorded = []
    for link in glob.glob(os.path.join(build, "**", "CMakeFiles", "*.dir", "link.txt"),
                          recursive=True):
        text = open(link, encoding="utf-8", errors="replace").read()
        if "--dependency-file=" not in text:
            continue  # an archive (ar), which reads only the project's objects
        m = re.search(r"--dependency-file=(\S+)", text)
        if m and not os.path.exists(m.group(1)):
            unrecorded.append(os.path.basename(os.path.dirname(link))[: -len(".dir")])
    if unrecorded:
        print(f"check_build_deps: no link record for {', '.join(sorted(unrecorded))}: relink "
              f"(a build folder from before CMakeLists.txt asked ld for --dependency-file)",
              file=sys.stderr)
        return 2
    owners = dpkg_owners()
    # A linker may name a shared library by its real file (libbenchmark.so.1.7.1, owned by the
    # run-time package) after finding it through the -dev package's link (libbenchmark.so).
    # Such a file is accounted for when a link that an allowed package ships resolves to it.
    via_link = {}
    for path, pkg in owners.items():
        if (pkg in allowed or pkg in TOOLCHAIN) and os.path.islink(path):
            via_link.setdefault(os.path.realpath(path), pkg)
    problems = {}
    checked = set()
    for path, reader in reads:
        path = os.path.normpath(path)
        real = os.path.realpath(path)
        if real.startswith(source + os.sep) or real.startswith(build + os.sep):
            continue
        if path in checked:
            continue
        checked.add(path)
        pkg = next((owners[c] for c in candidates(path) if c in owners), None)
        if pkg is not None and pkg not in allowed and real in via_link:
            pkg = via_link[real]
        if pkg is None:
            problems.setdefault("(no Debian package: installed by hand?)", []).append((path, reader))
        elif pkg not in allowed and pkg not in TOOLCHAIN:
            problems.setdefault(pkg, []).append((path, reader))
    if problems:
        for pkg, files in sorted(problems.items()):
            print(f"{pkg}: not installed by {deps}; the build read "
                  f"{len(files)} file(s) from it, e.g. {files[0][0]} (via {files[0][1]})")
        return 1
    print(f"check_build_deps: {len(checked)} files outside the repository, each from a package "
          f"that {deps} installs (or the toolchain)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
