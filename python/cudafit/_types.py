"""The `--json` documents' top-level shapes, for type checkers. The binary is the one source of
truth: README.md documents each command's fields, docs/detect-schema.md the detect report. A
field added there appears here too (tests/wheel checks that every key the binary prints is
declared, and every declared key is printed)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

# ---- detect, doctor (docs/detect-schema.md; nested objects are documented there) ----


class RunStamp(TypedDict):
    """When the report was made (so that reports of many machines can be told apart)."""

    time: str  # UTC, ISO 8601: "2026-12-04T16:28:38Z"
    unix_time: float
    duration_seconds: float


class DetectReport(TypedDict):
    """`cudafit detect --json`: the machine's GPU stack, each fact with its source."""

    schema: int
    host: Dict[str, Any]
    driver: Dict[str, Any]
    gpus: List[Dict[str, Any]]
    cuda_visible_devices: Optional[str]
    nvidia_visible_devices: Optional[str]
    toolkits: List[Dict[str, Any]]
    cuda_home: Optional[Dict[str, Any]]
    cudnn: List[Dict[str, Any]]
    container: Dict[str, Any]
    environments: List[Dict[str, Any]]
    notes: List[str]
    run: RunStamp


class Finding(TypedDict):
    """One problem `doctor` found: a stable id, error/warning/info, the evidence and the fix."""

    id: str
    severity: str
    summary: str
    evidence: List[str]
    fix: str


class DoctorReport(DetectReport):
    """`cudafit doctor --json`: the detect report plus its findings."""

    findings: List[Finding]


# ---- install ----


class InstallCommands(TypedDict):
    pip: Optional[str]
    uv: Optional[str]
    conda: Optional[str]


class InstallAlternative(TypedDict):
    torch: str
    variant: str
    index_url: Optional[str]
    verdict: str
    why: List[str]
    caveats: List[str]
    needs_package: str
    commands: InstallCommands


class _InstallPlanAlways(TypedDict):
    # null (and verdict "no") when no build fits: exit status 1; null (and verdict "unknown")
    # when the request names no torch-family package (the plain commands, exit status 0)
    torch: Optional[str]
    variant: Optional[str]
    index_url: Optional[str]
    commands: InstallCommands
    verdict: str
    why: List[str]
    alternatives: List[InstallAlternative]
    machine: str
    assumptions: List[str]


class InstallPlan(_InstallPlanAlways, total=False):
    """`cudafit install --json`: the chosen torch build and its commands. The keys below are
    there only when a build was chosen (`torch` is not None)."""

    packages: List[str]
    requirements: str
    caveats: List[str]
    skipped: List[str]
    notes: List[str]
    sources: List[str]


# ---- check ----


class CheckItem(TypedDict):
    component: str
    where: str
    verdict: str
    why: List[str]
    problems: List[str]
    caveats: List[str]
    needs_package: str
    fix: str
    installer: str  # whose resolution was judged: "pip", "uv (first-index)", …; "" when none
    other_installer: str  # what the other installer would take, when it differs; else ""


class CheckTarget(TypedDict):
    target: str
    items: List[CheckItem]
    notes: List[str]


class CheckReport(TypedDict):
    """`cudafit check --json`: a verdict and a fix per component of each target; `ok` is
    False (exit status 1) when something will not run."""

    machine: str
    assumptions: List[str]
    targets: List[CheckTarget]
    ok: bool


# ---- kernels (README.md, "cudafit kernels --json") ----


class KernelsPtx(TypedDict):
    arch: str
    isa: str


class KernelsExtra(TypedDict):
    arch: str
    containers: int


class KernelsVerdict(TypedDict):
    gpu: str
    cc: str
    verdict: str
    containers_without_code: int
    containers_ptx_only: int
    containers_sass: int
    layout: str  # the file's layout kind the verdict was judged by (KernelsLayout.kind)


class KernelsLayout(TypedDict):
    kind: str  # "uniform" (every container must have code) or "per-arch" (some container must)
    why: str


class KernelsRole(TypedDict):
    role: str  # registered, library-loaded, link-input, no-kernels
    runnable: bool
    containers: int
    sections: List[str]
    targets: List[str]
    what: str


class KernelsFile(TypedDict):
    file: str
    format: str
    containers: int
    code_containers: int
    entries: int
    sass: List[str]
    ptx: List[KernelsPtx]
    lto_ir: List[str]
    arch_list: List[str]
    extras: List[KernelsExtra]
    partial: bool
    problems: List[str]
    error: Optional[str]
    verdicts: List[KernelsVerdict]
    layout: KernelsLayout
    roles: List[KernelsRole]


class KernelsReport(TypedDict):
    """`cudafit kernels --json`: the GPU code in each binary and whether each GPU can run it."""

    driver: Optional[str]
    max_ptx_isa: Optional[str]
    files: List[KernelsFile]
