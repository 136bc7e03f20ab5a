#!/usr/bin/env python3
"""Tests tools/check_build_deps.py on this build folder (ctest passes it): the real deps.sh
passes; a deps.sh without any one of the packages the build reads fails, naming that package;
a header installed by hand (owned by no package) fails. The check is what keeps the README's
two commands true on a fresh machine (issue #13: toml++ was installed by hand, never by deps.sh).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD = os.path.realpath(sys.argv.pop(1))
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(SOURCE, "tools", "check_build_deps.py")
DEPS = os.path.join(SOURCE, "scripts", "deps.sh")
# The packages whose files the build compiles or links against: each must be needed, so
# dropping it must fail the check. (cmake, g++ and make are tools, not files the build reads;
# clang and the linters are for CI's other stages.)
READ_BY_BUILD = ["libcli11-dev", "libfmt-dev", "nlohmann-json3-dev", "libtomlplusplus-dev",
                 "zlib1g-dev", "libgtest-dev"]


def run_check(*args):
    p = subprocess.run([sys.executable, CHECK, BUILD, *args], capture_output=True, text=True,
                       timeout=300)
    return p.returncode, p.stdout + p.stderr


class CheckBuildDeps(unittest.TestCase):
    def test_repository_deps_sh_accounts_for_every_file(self):
        rc, out = run_check()
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"\d+ files outside the repository")

    def test_dropping_any_package_the_build_reads_fails_and_names_it(self):
        text = open(DEPS, encoding="utf-8").read()
        for pkg in READ_BY_BUILD:
            with self.subTest(pkg=pkg):
                self.assertRegex(text, r"\b" + re.escape(pkg) + r"\b")
                with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
                    f.write(re.sub(r"(?<![\w-])" + re.escape(pkg) + r"(?![\w-])", "", text))
                try:
                    rc, out = run_check("--deps", f.name)
                finally:
                    os.unlink(f.name)
                self.assertEqual(rc, 1, out)
                self.assertIn(pkg + ": not installed by", out)

    def test_a_header_installed_by_hand_fails(self):
        # A copy of the build folder whose one extra depfile names a header that no Debian
        # package owns, as `make install` of a library from source would leave it.
        tmp = tempfile.mkdtemp(prefix="cudafit-deps-")
        try:
            header = os.path.join(tmp, "usr-local-include", "handmade.h")
            os.makedirs(os.path.dirname(header))
            open(header, "w").close()
            fake = os.path.join(BUILD, "CMakeFiles", "handmade_check.dir")
            os.makedirs(fake, exist_ok=True)
            dep = os.path.join(fake, "x.cpp.o.d")
            with open(dep, "w") as f:
                f.write(f"CMakeFiles/handmade_check.dir/x.cpp.o: \\\n {header}\n")
            try:
                rc, out = run_check()
            finally:
                shutil.rmtree(fake)
            self.assertEqual(rc, 1, out)
            self.assertIn("no Debian package", out)
            self.assertIn("handmade.h", out)
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main(verbosity=2)
