"""cudafit from Python: each function runs the `cudafit` binary installed with this package
with `--json` and returns its document as a dict (the binary and its documented schema are the
one source of truth; the TypedDicts in this module describe their top level).

Every function also takes cudafit's global options as keywords: `root=` (read the machine
under this folder), `data=` (the knowledge base from this folder), `env_file=` (environment
variables from KEY=VALUE lines). Exit status 1 is an answer (findings, "will not run", nothing
fits) and returns the document; exit status 2 raises `Error` with cudafit's message. Nothing
here imports torch or any other package: the binary reads files.
"""
from __future__ import annotations

import os
from typing import Iterable, List, Optional, Union, cast

from ._binary import Error, PathLike, find_binary, global_options, run_json
from ._types import (CheckItem, CheckReport, CheckTarget, DetectReport, DoctorReport, Finding,
                     InstallAlternative, InstallCommands, InstallPlan, KernelsExtra, KernelsFile,
                     KernelsPtx, KernelsReport, KernelsVerdict)

__all__ = [
    "Error", "find_binary", "detect", "doctor", "install_plan", "check", "kernels",
    "DetectReport", "DoctorReport", "Finding", "InstallPlan", "InstallCommands",
    "InstallAlternative", "CheckReport", "CheckTarget", "CheckItem", "KernelsReport",
    "KernelsFile", "KernelsPtx", "KernelsExtra", "KernelsVerdict",
]

Strings = Union[str, Iterable[str]]
Paths = Union[PathLike, Iterable[PathLike]]


def _many(values: Union[Strings, Paths]) -> List[str]:
    """One value or several: "sm_80" and ["sm_80"] both mean one."""
    if isinstance(values, (str, os.PathLike)):
        return [os.fspath(values)]
    return [os.fspath(v) for v in values]


def _repeat(flag: str, values: Union[Strings, Paths]) -> List[str]:
    out: List[str] = []
    for v in _many(values):
        out += [flag, v]
    return out


def _value(flag: str, value: Optional[str]) -> List[str]:
    return [] if value is None else [flag, str(value)]


def _flag(flag: str, on: bool) -> List[str]:
    return [flag] if on else []


def _probe_options(envs: Paths, all_envs: bool, exec_: bool, driver_libs: Optional[bool],
                   timeout_ms: Optional[int]) -> List[str]:
    out = _repeat("--env", envs) + _flag("--all-envs", all_envs) + _flag("--exec", exec_)
    if driver_libs is not None:
        out.append("--driver-libs" if driver_libs else "--no-driver-libs")
    return out + _value("--timeout-ms", None if timeout_ms is None else str(timeout_ms))


def _machine_options(driver: Optional[str], gpus: Strings, python: Optional[str],
                     os_name: Optional[str], arch: Optional[str], no_detect: bool) -> List[str]:
    return (_value("--driver", driver) + _repeat("--gpu", gpus) + _value("--python", python)
            + _value("--os", os_name) + _value("--arch", arch) + _flag("--no-detect", no_detect))


def detect(*, envs: Paths = (), all_envs: bool = False, exec: bool = False,
           driver_libs: Optional[bool] = None, timeout_ms: Optional[int] = None,
           root: Optional[PathLike] = None, data: Optional[PathLike] = None,
           env_file: Optional[PathLike] = None) -> DetectReport:
    """`cudafit detect --json`: driver, GPUs, toolkits, cuDNN, container, environments.

    envs: environments to read as well (--env); all_envs: search every known place;
    exec: also run nvidia-smi and each interpreter; driver_libs: True always / False never
    load libnvidia-ml and libcuda (None: only when files cannot answer)."""
    options = _probe_options(envs, all_envs, exec, driver_libs, timeout_ms)
    return cast(DetectReport,
                run_json("detect", options, [], global_options(root, data, env_file)))


def doctor(*, envs: Paths = (), all_envs: bool = False, exec: bool = False,
           kernels: bool = False, driver_libs: Optional[bool] = None,
           timeout_ms: Optional[int] = None, root: Optional[PathLike] = None,
           data: Optional[PathLike] = None, env_file: Optional[PathLike] = None) -> DoctorReport:
    """`cudafit doctor --json`: the detect report plus `findings` (id, severity, summary,
    evidence, fix). Errors among the findings are exit status 1: the report is returned.

    kernels: also read the GPU code of each installed CUDA package (--kernels)."""
    options = _probe_options(envs, all_envs, exec, driver_libs, timeout_ms)
    options += _flag("--kernels", kernels)
    return cast(DoctorReport,
                run_json("doctor", options, [], global_options(root, data, env_file)))


def install_plan(requirements: Strings = (), *, driver: Optional[str] = None, gpus: Strings = (),
                 python: Optional[str] = None, os: Optional[str] = None,
                 arch: Optional[str] = None, compat: Optional[str] = None,
                 no_detect: bool = False, root: Optional[PathLike] = None,
                 data: Optional[PathLike] = None,
                 env_file: Optional[PathLike] = None) -> InstallPlan:
    """`cudafit install --json REQ...`: the torch build for the machine and its pip, uv and
    conda commands; it runs nothing. When no build fits, `torch` is None and `verdict` "no".

    requirements: PEP 508 requirements (default: torch torchvision torchaudio); driver, gpus,
    python, os, arch: the target machine (what is left out is read from this one, or assumed
    with no_detect); compat: "minor" or "forward"."""
    options = _machine_options(driver, gpus, python, os, arch, no_detect)
    options += _value("--compat", compat)
    return cast(InstallPlan, run_json("install", options, _many(requirements),
                                      global_options(root, data, env_file)))


def check(targets: Paths, *, driver: Optional[str] = None, gpus: Strings = (),
          python: Optional[str] = None, os: Optional[str] = None, arch: Optional[str] = None,
          no_detect: bool = False, root: Optional[PathLike] = None,
          data: Optional[PathLike] = None, env_file: Optional[PathLike] = None) -> CheckReport:
    """`cudafit check --json TARGET...`: will each build (`torch==2.3.1+cu121`),
    requirements.txt, pyproject.toml, image or Dockerfile run on the machine? `ok` is False
    when something will not (exit status 1)."""
    options = _machine_options(driver, gpus, python, os, arch, no_detect)
    return cast(CheckReport, run_json("check", options, _many(targets),
                                      global_options(root, data, env_file)))


def kernels(paths: Paths, *, gpus: Strings = (), driver: Optional[str] = None,
            recursive: bool = False, root: Optional[PathLike] = None,
            data: Optional[PathLike] = None,
            env_file: Optional[PathLike] = None) -> KernelsReport:
    """`cudafit kernels --json PATH...`: the SASS and PTX in binaries, wheels and folders, and
    per GPU whether it can run them (`verdicts`). A path that cannot be read raises Error."""
    options = _repeat("--gpu", gpus) + _value("--driver", driver) + _flag("-r", recursive)
    return cast(KernelsReport, run_json("kernels", options, _many(paths),
                                        global_options(root, data, env_file)))
