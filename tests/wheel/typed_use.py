"""Type-checked by tests/wheel/wheel_test.py with `mypy --strict` against the installed wheel
(its py.typed marker makes mypy read the module's annotations): code that uses each API
function the way README.md shows must check clean."""
from typing import List, Optional

import cudafit

machine: cudafit.DetectReport = cudafit.detect(driver_libs=False)
driver: Optional[str] = machine["cuda_visible_devices"]
report: cudafit.DoctorReport = cudafit.doctor(envs=[".venv"], kernels=False)
ids: List[str] = [f["id"] for f in report["findings"]]
plan: cudafit.InstallPlan = cudafit.install_plan(["torch==2.3.*"], driver="535.104.05",
                                                 gpus=["sm_80"], python="3.11")
pip: Optional[str] = plan["commands"]["pip"]
result: cudafit.CheckReport = cudafit.check("requirements.txt", driver="470.82.01", gpus="sm_80",
                                            no_detect=True)
ok: bool = result["ok"]
fixes: List[str] = [i["fix"] for t in result["targets"] for i in t["items"]]
kernels: cudafit.KernelsReport = cudafit.kernels(["x.so"], gpus=["sm_90"], recursive=True)
verdicts: List[str] = [v["verdict"] for f in kernels["files"] for v in f["verdicts"]]
try:
    cudafit.doctor(root="/", data="data", env_file="env.txt")
except cudafit.Error as e:
    status: Optional[int] = e.returncode
