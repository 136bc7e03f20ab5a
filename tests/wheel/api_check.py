"""The Python API of the installed wheel, run by tests/wheel/wheel_test.py with the fresh venv's
interpreter: each function against the fixture machines (tests/machines/*, through root= and
env_file=) and the committed fixture binaries, its dicts checked against the fixtures' own
expected files, and every dict checked against the module's TypedDicts (each key the binary
printed is declared, each declared key is printed). torch is never imported: a finder that
refuses it is installed before cudafit is imported.
Usage: python api_check.py SOURCE_DIR
"""
import importlib.abc
import json
import os
import sys
import tempfile
import typing
import unittest

SOURCE = os.path.realpath(sys.argv.pop(1))
MACHINES = os.path.join(SOURCE, "tests", "machines")
FIXTURE_BINARIES = os.path.join(SOURCE, "tests", "binary", "fixtures")


class RefuseTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("cudafit imported torch")
        return None


sys.meta_path.insert(0, RefuseTorch())

import cudafit  # noqa: E402  (after the finder: an import of torch at import time fails too)


def machine(name):
    """root= and env_file= of a fixture machine."""
    d = os.path.join(MACHINES, name)
    env = os.path.join(d, "env.txt")
    return {"root": os.path.join(d, "root"), "env_file": env if os.path.exists(env) else None}


def machines_with(expected_file):
    return sorted(n for n in os.listdir(MACHINES)
                  if os.path.exists(os.path.join(MACHINES, n, expected_file)))


def flat(doc, path):
    """A value the way tests/probe/machine_flat.h writes it into expected-detect.json: null is
    "unknown", booleans "true"/"false", an array its length."""
    value = doc
    for part in path.replace("[", ".").replace("]", "").split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return str(len(value))
    return str(value)


def shape_errors(tp, value, where):
    """Where `value` departs from the type `tp` (TypedDicts recursively)."""
    if typing.is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        hints = typing.get_type_hints(tp)
        errors = [f"{where}.{k}: missing" for k in sorted(tp.__required_keys__ - value.keys())]
        errors += [f"{where}.{k}: printed by the binary, not declared in {tp.__name__}"
                   for k in sorted(value.keys() - hints.keys())]
        for k in sorted(value.keys() & hints.keys()):
            errors += shape_errors(hints[k], value[k], f"{where}.{k}")
        return errors
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union:
        if value is None and type(None) in args:
            return []
        return shape_errors(next(a for a in args if a is not type(None)), value, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not an array"]
        return [e for i, v in enumerate(value) for e in shape_errors(args[0], v, f"{where}[{i}]")]
    if origin is dict:
        return [] if isinstance(value, dict) else [f"{where}: not an object"]
    if tp is typing.Any:
        return []
    if tp is int and isinstance(value, bool) or not isinstance(value, tp):
        return [f"{where}: {value!r} is not {tp.__name__}"]
    return []


class Api(unittest.TestCase):
    def assert_shape(self, tp, doc):
        self.assertEqual(shape_errors(tp, doc, tp.__name__), [])

    def test_the_binary_is_the_one_installed_with_the_package(self):
        self.assertEqual(cudafit.find_binary(), os.path.join(sys.prefix, "bin", "cudafit"))

    def test_detect_gives_each_fixture_machines_expected_fields(self):
        # The fields tests/probe/machines_test.cpp checks in expected-detect.json whose JSON
        # form is the flat form (driver.source, gpus.visible... are written differently).
        same_form = ["host.os_id", "host.os_version", "host.cpu_arch", "host.wsl",
                     "driver.version", "driver.cuda", "driver.module_kind",
                     "driver.module_loaded", "driver.nouveau_loaded", "driver.version_mismatch",
                     "gpus", "toolkits", "cudnn", "container.inside", "container.runtime"]
        same_form += [f"gpus[{i}].{f}" for i in range(8)
                      for f in ("name", "chip", "compute_capability", "bound_driver")]
        checked = 0
        for name in machines_with("expected-detect.json"):
            with open(os.path.join(MACHINES, name, "expected-detect.json")) as f:
                expected = json.load(f).get("fields")
            if not expected:
                continue
            doc = cudafit.detect(driver_libs=False, **machine(name))
            self.assert_shape(cudafit.DetectReport, doc)
            for key in same_form:
                if key in expected:
                    with self.subTest(machine=name, field=key):
                        self.assertEqual(flat(doc, key), expected[key])
                        checked += 1
        self.assertGreaterEqual(checked, 50)

    def test_doctor_gives_each_fixture_machine_exactly_its_expected_findings(self):
        with_errors = 0
        for name in machines_with("expected-doctor.txt"):
            with open(os.path.join(MACHINES, name, "expected-doctor.txt")) as f:
                want = sorted(s.strip() for s in f if s.strip() and not s.startswith("#"))
            doc = cudafit.doctor(driver_libs=False, **machine(name))  # exit 1 on errors: a dict
            self.assert_shape(cudafit.DoctorReport, doc)
            got = sorted(f"{x['severity']} {x['id']}" for x in doc["findings"])
            with self.subTest(machine=name):
                self.assertEqual(got, want)
            with_errors += any(x.startswith("error ") for x in want)
        self.assertGreaterEqual(with_errors, 10)  # the exit-status-1 path, many times

    def test_install_plan_picks_the_build_the_driver_runs(self):
        rows = [
            # (driver, torch, variant, verdict): torch 2.3.1 has cu118 and cu121 builds
            # (torch-variants.csv:170-171); CUDA 12.1 needs driver >= 530.30.02 (cuda.csv:40);
            # 470 runs CUDA 11.8 only through minor-version compatibility (cuda-minor-compat.csv).
            ("535.104.05", "2.3.1", "cu121", "ok"),
            ("470.82.01", "2.3.1", "cu118", "ok-minor-compat"),
            # No CUDA build of any release runs on 300.01: exit status 1, a dict all the same.
            ("300.01", None, None, "no"),
        ]
        for driver, torch, variant, verdict in rows:
            with self.subTest(driver=driver):
                plan = cudafit.install_plan(["torch==2.3.1"], driver=driver, gpus=["sm_80"],
                                            python="3.11", no_detect=True)
                self.assert_shape(cudafit.InstallPlan, plan)
                self.assertEqual((plan["torch"], plan["variant"], plan["verdict"]),
                                 (torch, variant, verdict))
                if torch:
                    self.assertIn(f"torch=={torch}", plan["commands"]["pip"])
                    self.assertIn(f"/whl/{variant}", plan["commands"]["pip"])

    def test_install_plan_reads_the_machine_under_root(self):
        plan = cudafit.install_plan(**machine("desktop-rtx3050-535"))
        self.assertIn("driver 535.104.05 (/sys/module/nvidia/version)", plan["machine"])
        self.assertIn("RTX 3050", plan["machine"])

    def test_check_judges_pins_files_and_fixture_machines(self):
        with tempfile.TemporaryDirectory() as tmp:
            req = os.path.join(tmp, "requirements.txt")
            with open(req, "w") as f:
                f.write("numpy\ntorch==2.3.1+cu121\n")
            rows = [
                # (target, keywords, ok, verdict): CUDA 12.1 needs driver >= 530.30.02
                # (cuda.csv:40); 2.3.1 cu121 carries SASS sm_80 (torch-arch-lists.csv:46).
                ("torch==2.3.1+cu121", dict(driver="535.104.05", gpus="sm_80", no_detect=True),
                 True, "ok"),
                ("torch==2.3.1+cu121", dict(driver="470.82.01", gpus="sm_80", no_detect=True),
                 False, "no"),
                (req, dict(driver="535.104.05", gpus=["sm_80"], no_detect=True), True, "ok"),
                # The driver from the fixture: 470.256.02 (its /sys/module/nvidia/version).
                ("torch==2.3.1+cu121", machine("doctor-driver-470-cu121"), False, "no"),
            ]
            for target, keywords, ok, verdict in rows:
                with self.subTest(target=target, keywords=keywords):
                    report = cudafit.check(target, **keywords)
                    self.assert_shape(cudafit.CheckReport, report)
                    self.assertIs(report["ok"], ok)
                    items = [i for t in report["targets"] for i in t["items"]]
                    self.assertEqual([i["verdict"] for i in items], [verdict])
                    if not ok:
                        self.assertTrue(items[0]["problems"])
                        self.assertTrue(items[0]["fix"])
            self.assertEqual(cudafit.check(req, driver="535.104.05", no_detect=True)
                             ["targets"][0]["items"][0]["where"], req + ":2")

    def test_kernels_reads_the_committed_fixture_binaries(self):
        rows = [
            # (file, driver, per-GPU verdicts): multi.so has SASS sm_80 and sm_90 and no PTX,
            # ptx_only.fatbin PTX compute_80 (ISA 9.0) alone (tests/binary/extra.cmake).
            ("multi.so", None, {"sm_80": "sass", "sm_75": "none"}),
            ("ptx_only.fatbin", None, {"sm_80": "ptx-jit", "sm_75": "none"}),
            # Driver 535 JITs PTX up to ISA 8.2: the 9.0 PTX cannot run (ptx-isa data).
            ("ptx_only.fatbin", "535.104.05", {"sm_80": "none", "sm_75": "none"}),
        ]
        for name, driver, verdicts in rows:
            with self.subTest(file=name, driver=driver):
                report = cudafit.kernels(os.path.join(FIXTURE_BINARIES, name),
                                         gpus=list(verdicts), driver=driver)
                self.assert_shape(cudafit.KernelsReport, report)
                (f,) = report["files"]
                self.assertEqual({v["gpu"]: v["verdict"] for v in f["verdicts"]}, verdicts)

    def test_exit_status_2_raises_error_with_cudafits_message(self):
        rows = [
            (lambda: cudafit.check([], driver="535.104.05"), "give at least one TARGET"),
            (lambda: cudafit.detect(root=os.path.join(SOURCE, "no-such-folder")), "--root"),
            (lambda: cudafit.kernels(os.path.join(SOURCE, "no-such-file")), "no such file"),
            (lambda: cudafit.install_plan(driver="not-a-driver", no_detect=True), "not-a-driver"),
        ]
        for call, message in rows:
            with self.subTest(message=message):
                with self.assertRaises(cudafit.Error) as raised:
                    call()
                self.assertIn(message, str(raised.exception))
                self.assertEqual(raised.exception.returncode, 2)

    @classmethod
    def tearDownClass(cls):
        assert "torch" not in sys.modules, "cudafit imported torch"


if __name__ == "__main__":
    unittest.main(verbosity=2)
