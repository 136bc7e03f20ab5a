#!/usr/bin/env python3
"""The wheel (issue #17), end to end and offline once scripts/pytools.sh has run:
scripts/wheel.sh builds it (scikit-build-core from the pytools venv, then auditwheel repair);
it is installed into a fresh venv (/usr/bin/python3 -m venv) where `cudafit --version`,
`python -m cudafit doctor --json` and tests/wheel/api_check.py (every API function against the
fixture machines) run; auditwheel and readelf say it needs nothing but glibc; and pre-commit runs
the cudafit-check hook from a snapshot of this repository on a sample repository, both as a
user's config with `args` (`pre-commit run`) and with `pre-commit try-repo`.

Builds reuse ccache: the wheel is built with the enclosing build's compiler, generator and
-Werror setting, in a folder beside it (<build>.wheel: the same depth under the source, so
ccache's base_dir gives the same relative paths), and the hook's builds in pre-commit's clones
under <build>.wheel-test, where everything else the test makes goes too. Each build's ccache
hits and time are printed.
ctest passes: --build DIR --pytools DIR --cxx PATH --cc PATH --generator NAME --werror ON|OFF
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest
import zipfile

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
parser = argparse.ArgumentParser()
for flag in ("--build", "--pytools", "--cxx", "--cc", "--generator", "--werror"):
    parser.add_argument(flag, required=True)
ARGS, rest = parser.parse_known_args()
sys.argv[1:] = rest
BUILD = os.path.realpath(ARGS.build)
# Beside the build folder, not in it: pre-commit's clones hold CMake build trees of their own,
# which tools/check_build_deps.py (ctest build_deps) would take for the build's.
WORK = BUILD + ".wheel-test"
PYTOOLS = ARGS.pytools
VENV = os.path.join(WORK, "venv")
GLIBC = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
         "ld-linux-x86-64.so.2"}


def project_version():
    with open(os.path.join(SOURCE, "CMakeLists.txt")) as f:
        return re.search(r"project\(cudafit VERSION ([0-9.]+)", f.read()).group(1)


def compile_env(stats_log):
    """The enclosing build's compiler, generator and flags: the same compile commands, so
    ccache serves the objects that build compiled."""
    env = dict(os.environ)
    env.update(CXX=ARGS.cxx, CC=ARGS.cc, CMAKE_GENERATOR=ARGS.generator,
               CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2),
               SKBUILD_CMAKE_DEFINE=f"CUDAFIT_WERROR={ARGS.werror}",
               CCACHE_STATSLOG=stats_log, CUDAFIT_PYTOOLS=PYTOOLS,
               PIP_NO_INDEX="1", PIP_FIND_LINKS=os.path.join(PYTOOLS, "wheelhouse"),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("SKBUILD_BUILD_DIR", None)
    return env


def ccache_summary(stats_log):
    if not os.path.exists(stats_log):
        return "ccache: not used"
    with open(stats_log) as f:
        lines = f.read().splitlines()
    compiled = sum(1 for s in lines if s.startswith("#"))
    hits = sum(1 for s in lines if s in ("direct_cache_hit", "preprocessed_cache_hit"))
    return f"ccache: {hits} hits of {compiled} compilations"


def run(argv, timeout=1200, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def timed(what, fn):
    t0 = time.monotonic()
    out = fn()
    print(f"wheel_test: {what}: {time.monotonic() - t0:.1f} s", flush=True)
    return out


class Wheel(unittest.TestCase):
    wheel = ""
    hook_repo = ""

    @classmethod
    def setUpClass(cls):
        if not PYTOOLS or not os.path.isfile(os.path.join(PYTOOLS, "bin", "pre-commit")):
            raise RuntimeError(f"no pytools venv with pre-commit at '{PYTOOLS}': configure with "
                               "-DCUDAFIT_PYTOOLS=$(bash scripts/pytools.sh) (scripts/test.sh)")
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(os.path.join(WORK, "tmp"))
        # Beside the build folder, at its depth under the source (build-test -> build-test.wheel;
        # not build-wheel, pyproject.toml's folder for `pip install .`, which uses Ninja).
        build_dir = BUILD + ".wheel"
        shutil.rmtree(build_dir, ignore_errors=True)
        stats = os.path.join(WORK, "ccache-wheel.log")
        env = compile_env(stats)
        env["SKBUILD_BUILD_DIR"] = build_dir
        p = timed("scripts/wheel.sh (pip wheel + auditwheel repair)", lambda: run(
            ["bash", os.path.join(SOURCE, "scripts", "wheel.sh"), os.path.join(WORK, "dist")],
            env=env))
        print(f"wheel_test: wheel build {ccache_summary(stats)}", flush=True)
        if p.returncode != 0:
            raise RuntimeError(f"scripts/wheel.sh failed:\n{p.stdout}\n{p.stderr[-6000:]}")
        cls.wheel = p.stdout.strip().splitlines()[-1]
        print(f"wheel_test: {os.path.basename(cls.wheel)}: "
              f"{os.path.getsize(cls.wheel) / 1e6:.2f} MB", flush=True)
        for what, argv in (
                ("fresh venv", ["/usr/bin/python3", "-m", "venv", VENV]),
                ("pip install of the wheel", [os.path.join(VENV, "bin", "pip"), "install",
                                              "--no-index", "--no-deps",
                                              "--disable-pip-version-check", cls.wheel])):
            p = timed(what, lambda: run(argv))
            if p.returncode != 0:
                raise RuntimeError(f"{what} failed:\n{p.stdout}\n{p.stderr}")

    # ---- the wheel itself ----

    def test_wheel_is_py3_none_manylinux_x86_64(self):
        name = os.path.basename(self.wheel)
        version = re.escape(project_version())
        self.assertRegex(name, rf"^cudafit-{version}-py3-none-manylinux_\d+_\d+_x86_64\.whl$")
        with zipfile.ZipFile(self.wheel) as z:
            wheel_meta = z.read(f"cudafit-{project_version()}.dist-info/WHEEL").decode()
        self.assertRegex(wheel_meta, r"(?m)^Tag: py3-none-manylinux_\d+_\d+_x86_64$")
        self.assertIn("Root-Is-Purelib: false", wheel_meta)

    def test_wheel_holds_the_binary_as_a_script_and_the_typed_module(self):
        with zipfile.ZipFile(self.wheel) as z:
            names = set(z.namelist())
        for want in (f"cudafit-{project_version()}.data/scripts/cudafit", "cudafit/__init__.py",
                     "cudafit/__main__.py", "cudafit/_types.py", "cudafit/py.typed"):
            self.assertIn(want, names)
        # Nothing grafted in by auditwheel (cudafit.libs/), no Python extension.
        self.assertEqual([n for n in names if ".so" in n or ".libs/" in n], [])

    def test_auditwheel_show_reports_manylinux_and_only_glibc(self):
        p = run([os.path.join(PYTOOLS, "bin", "auditwheel"), "show", self.wheel])
        text = " ".join((p.stdout + p.stderr).split())
        self.assertEqual(p.returncode, 0, text)
        self.assertRegex(
            text, r'consistent with the following platform tag: "manylinux_\d+_\d+_x86_64"')
        self.assertNotIn("external shared libraries are required", text)
        libs = set(re.findall(r"(\S+\.so\.\d+) with versions", text))
        self.assertTrue(libs, text)
        self.assertLessEqual(libs, GLIBC, text)

    def test_installed_binary_needs_only_glibc(self):
        binary = os.path.join(VENV, "bin", "cudafit")
        p = run(["readelf", "-d", binary])
        self.assertEqual(p.returncode, 0, p.stderr)
        needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", p.stdout))
        self.assertTrue(needed, p.stdout)
        self.assertLessEqual(needed, GLIBC, p.stdout)  # no libstdc++, libgcc_s, libz

    # ---- installed into a fresh venv ----

    def test_cudafit_is_on_the_venvs_path(self):
        env = dict(os.environ, PATH=os.path.join(VENV, "bin") + ":/usr/bin:/bin")
        p = run(["sh", "-c", "command -v cudafit && cudafit --version"], env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        where, version = p.stdout.splitlines()
        self.assertEqual(where, os.path.join(VENV, "bin", "cudafit"))
        want = f"cudafit {project_version()} (knowledge base: torch up to"
        self.assertTrue(version.startswith(want), version)

    def test_python_m_cudafit_doctor_json(self):
        p = run([os.path.join(VENV, "bin", "python"), "-m", "cudafit", "doctor", "--json"])
        self.assertIn(p.returncode, (0, 1), p.stderr)  # 1: errors found on this machine
        doc = json.loads(p.stdout)
        self.assertEqual(doc["schema"], 1)
        self.assertIsInstance(doc["findings"], list)

    def test_python_m_cudafit_prints_what_the_cmake_built_binary_prints(self):
        fixture = os.path.join(SOURCE, "tests", "machines", "doctor-driver-470-cu121")
        common = ["--root", os.path.join(fixture, "root"), "--env-file",
                  os.path.join(fixture, "env.txt"), "doctor", "--no-driver-libs"]
        # The text byte for byte; the JSON as documents, less `run` (its time and duration).
        for args in (common, common + ["--json"]):
            with self.subTest(args=args[-1]):
                installed = run([os.path.join(VENV, "bin", "python"), "-m", "cudafit", *args])
                built = run([os.path.join(BUILD, "cudafit"), *args])
                self.assertEqual(installed.returncode, 1, installed.stderr)  # driver-too-old
                self.assertEqual((installed.returncode, installed.stderr),
                                 (built.returncode, built.stderr))
                if args[-1] != "--json":
                    self.assertEqual(installed.stdout, built.stdout)
                    continue
                mine, theirs = json.loads(installed.stdout), json.loads(built.stdout)
                self.assertEqual(set(mine.pop("run")), {"time", "unix_time", "duration_seconds"})
                theirs.pop("run")
                self.assertEqual(mine, theirs)

    def test_python_api_on_fixture_machines(self):
        p = timed("api_check.py in the venv", lambda: run(
            [os.path.join(VENV, "bin", "python"), os.path.join(SOURCE, "tests", "wheel",
                                                               "api_check.py"), SOURCE]))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"Ran [1-9]\d* tests")

    def test_the_module_is_typed_for_mypy(self):
        mypy = [os.path.join(PYTOOLS, "bin", "mypy"), "--strict", "--python-executable",
                os.path.join(VENV, "bin", "python"), "--cache-dir", os.path.join(WORK, "mypy")]
        rows = [
            # (program, exit status, what mypy says): README's uses check clean; a key no
            # document has, and a value of the wrong type, do not.
            (["tests/wheel/typed_use.py"], 0, "Success"),
            (["-c", "import cudafit\ncudafit.doctor()['findings'][0]['idd']"], 1,
             '"Finding" has no key "idd"'),
            (["-c", "import cudafit\nx: int = cudafit.check('t')['ok']\ny: int = "
                    "cudafit.install_plan()['torch']"], 1,
             'Incompatible types in assignment (expression has type "str | None"'),
        ]
        for program, status, says in rows:
            with self.subTest(program=program):
                p = timed("mypy " + program[-1][:30].replace("\n", " "),
                          lambda: run(mypy + program, cwd=SOURCE))
                self.assertEqual(p.returncode, status, p.stdout + p.stderr)
                self.assertIn(says, p.stdout)
                self.assertNotIn("missing library stubs or py.typed", p.stdout)

    # ---- the pre-commit hook ----

    @classmethod
    def hook_repository(cls):
        """A commit of this working tree (tracked and new files, as try-repo would take them):
        pre-commit clones a hook repository at a revision."""
        if not cls.hook_repo:
            cls.hook_repo = timed("snapshot of the working tree", cls.snapshot)
        return cls.hook_repo

    @staticmethod
    def snapshot():
        repo = os.path.join(WORK, "hook-repo")
        listed = run(["git", "-C", SOURCE, "ls-files", "-z", "-co", "--exclude-standard"])
        if listed.returncode != 0:
            raise RuntimeError(f"git ls-files failed in {SOURCE}: {listed.stderr}")
        for rel in filter(None, listed.stdout.split("\0")):
            src, dst = os.path.join(SOURCE, rel), os.path.join(repo, rel)
            if not os.path.lexists(src):
                continue  # deleted in the working tree
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "snapshot of the working tree")
        return repo

    def sample_repository(self, configs):
        """A repository with a torch pin, a pyproject.toml without torch, a Dockerfile, a README
        the hook must not read, and the files in `configs` (pre-commit configs)."""
        repo = os.path.join(WORK, "sample")
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
        files = {
            # A +cu121 build comes from the PyTorch index, never from PyPI (check resolves as pip).
            "requirements.txt": "--extra-index-url https://download.pytorch.org/whl/cu121\n"
                                "numpy\ntorch==2.3.1+cu121\n",
            "pyproject.toml":
                '[project]\nname = "sample"\nversion = "1"\ndependencies = ["requests"]\n',
            "README.md": "torch==1.0.0+cu80 is not a pin: the hook never reads this file\n",
            # An image cudafit has no facts about: "unknown", which does not fail a commit.
            "docker/gpu.Dockerfile": "FROM python:3.11-slim\n",
            **configs,
        }
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(repo, name)), exist_ok=True)
            with open(os.path.join(repo, name), "w") as f:
                f.write(text)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "sample")
        return repo

    def pre_commit(self, cwd, *args):
        stats = os.path.join(WORK, "ccache-pre-commit.log")
        env = compile_env(stats)
        base = hook_ccache_base()
        if base:
            env["CCACHE_BASEDIR"] = base
        env.update(PRE_COMMIT_HOME=os.path.join(WORK, "pre-commit-home"),
                   TMPDIR=os.path.join(WORK, "tmp"),  # try-repo's store: under /work for ccache
                   VIRTUALENV_OVERRIDE_APP_DATA=os.path.join(WORK, "virtualenv-data"),
                   PATH=os.path.join(PYTOOLS, "bin") + os.pathsep + os.environ.get("PATH", ""),
                   **GIT_IDENTITY)
        p = timed("pre-commit " + " ".join(args[:3]), lambda: run(
            [os.path.join(PYTOOLS, "bin", "pre-commit"), *args], cwd=cwd, env=env))
        print(f"wheel_test: hook builds so far: {ccache_summary(stats)}", flush=True)
        return p.returncode, p.stdout + p.stderr

    def test_pre_commit_hook_refuses_a_pin_the_target_driver_cannot_run(self):
        hook_repo = self.hook_repository()
        rev = git(hook_repo, "rev-parse", "HEAD").strip()

        def config(args):
            return (f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n"
                    f"  - id: cudafit-check\n    args: {args}\n")
        sample = self.sample_repository({
            "pass.yaml": config("[--driver, 535.104.05, --gpu, sm_80]"),
            "fail.yaml": config("[--driver, 470.82.01, --gpu, sm_80]"),
        })
        rows = [
            # (config, exit status, what the output says): torch 2.3.1+cu121 needs driver
            # >= 530.30.02 (cuda.csv:40) and runs SASS sm_80 (torch-arch-lists.csv:46).
            ("pass.yaml", 0, ["cudafit check", "Passed", "ok  torch 2.3.1 cu121",
                              "machine: driver 535.104.05 (--driver), sm_80"]),
            ("fail.yaml", 1, ["cudafit check", "Failed", "no  torch 2.3.1 cu121",
                              "driver too old", "yours is 470.82.01"]),
        ]
        for cfg, status, says in rows:
            with self.subTest(config=cfg):
                rc, out = self.pre_commit(sample, "run", "--config", cfg, "--all-files",
                                          "--verbose")
                self.assertEqual(rc, status, out)
                for s in says:
                    self.assertIn(s, out)
                # The hook's files: requirements*.txt, pyproject.toml, Dockerfiles; not README.md.
                self.assertRegex(out, r"pyproject.toml:\n(  note: .*\n)*  note: no torch requirement")
                self.assertIn("docker/gpu.Dockerfile:\nunknown  image python:3.11-slim", out)
                self.assertNotIn("README.md", out)

    def test_pre_commit_try_repo_runs_the_hook_from_this_repository(self):
        sample = self.sample_repository({})
        rc, out = self.pre_commit(sample, "try-repo", self.hook_repository(), "cudafit-check",
                                  "--all-files", "--verbose")
        self.assertEqual(rc, 0, out)
        self.assertIn("ok  torch 2.3.1 cu121", out)
        # No args: the hook names no machine, and never reads the committer's (--no-detect).
        self.assertIn("assumption: driver unknown", out)
        self.assertNotIn("README.md", out)


def hook_ccache_base():
    """pre-commit builds the hook in its own clone (under WORK): with no ccache base_dir above
    it, absolute paths differ from clone to clone and nothing hits. Then the common folder of
    the source and WORK is the base for the hook builds (the second one hits the first)."""
    if not shutil.which("ccache"):
        return None
    p = run(["ccache", "--get-config", "base_dir"])
    base = p.stdout.strip() if p.returncode == 0 else ""
    if base and (WORK + "/").startswith(base.rstrip("/") + "/"):
        return None
    common = os.path.commonpath([SOURCE, WORK])
    return common if common != "/" else None


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "cudafit tests", "GIT_AUTHOR_EMAIL": "tests@cudafit.invalid",
                "GIT_COMMITTER_NAME": "cudafit tests",
                "GIT_COMMITTER_EMAIL": "tests@cudafit.invalid"}


def git(repo, *args):
    p = run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-C", repo,
             *args], env=dict(os.environ, **GIT_IDENTITY))
    if p.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {repo}: {p.stderr}")
    return p.stdout


if __name__ == "__main__":
    unittest.main(verbosity=2)
