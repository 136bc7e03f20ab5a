"""Finding the `cudafit` binary that came with this package, and running it."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from typing import Any, Dict, List, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]

# Exit status 2: cudafit could not run (bad arguments or input). 0 and 1 are answers: 1 means
# findings, "will not run" or "nothing fits", and still prints the document.
EXIT_USAGE = 2


class Error(Exception):
    """cudafit could not run: bad arguments or input (exit status 2), no JSON where one was
    due, or no binary. `str(error)` is cudafit's own message (its standard error)."""

    def __init__(self, message: str, *, returncode: Optional[int] = None,
                 argv: Optional[List[str]] = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.argv = argv or []
        self.stderr = stderr


def _candidates() -> List[str]:
    name = "cudafit"
    dirs = [sysconfig.get_path("scripts")]  # this interpreter's environment (venv, uv tool, system)
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():  # pip install --user
        dirs.append(sysconfig.get_path("scripts", user_scheme))
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs.append(os.path.join(package_parent, "bin"))  # pip install --target DIR
    # pip install --prefix P: the package is P/lib/pythonX.Y/site-packages/cudafit.
    dirs.append(os.path.join(package_parent, "..", "..", "..", "bin"))
    found = [os.path.join(d, name) for d in dirs if d]
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    return found


def find_binary() -> str:
    """The path of the `cudafit` binary installed with this package (its environment's scripts
    folder, the user scheme's, a --target or --prefix install's bin/), else the one on PATH."""
    tried = _candidates()
    for path in tried:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.normpath(path)
    raise Error("the cudafit binary was not found (looked in: " + ", ".join(tried) + ")")


def global_options(root: Optional[PathLike], data: Optional[PathLike],
                   env_file: Optional[PathLike]) -> List[str]:
    """cudafit's global options, which go before the command."""
    out: List[str] = []
    for flag, value in (("--root", root), ("--data", data), ("--env-file", env_file)):
        if value is not None:
            out += [flag, os.fspath(value)]
    return out


def run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Runs the binary with `argv` (no program name); output captured as text."""
    full = [find_binary(), *argv]
    # The JSON writer emits UTF-8 (bytes that are not become U+FFFD); file names in error
    # messages may not be, so decoding never fails.
    return subprocess.run(full, stdin=subprocess.DEVNULL, capture_output=True,
                          encoding="utf-8", errors="replace", check=False)


def _file_errors(stdout: str) -> str:
    """`kernels --json` says why a path could not be read in its document (`files[].error`),
    not on standard error."""
    try:
        files = json.loads(stdout).get("files", [])
        return "; ".join(f["error"] for f in files if isinstance(f, dict) and f.get("error"))
    except (ValueError, AttributeError, TypeError):
        return ""


def run_json(command: str, options: Sequence[str], operands: Sequence[str],
             globals_: Sequence[str]) -> Dict[str, Any]:
    """`cudafit GLOBALS COMMAND --json OPTIONS -- OPERANDS` as a dict. Exit 0 and 1 return the
    document; 2 (or no JSON) raises Error with cudafit's message."""
    # Operands after `--`: a value-taking option such as --gpu never swallows them, and a
    # path that starts with '-' stays a path.
    argv = [*globals_, command, "--json", *options, "--", *operands]
    p = run(argv)
    message = p.stderr.strip()
    if p.returncode < 0:
        raise Error(f"cudafit {command} was killed by signal {-p.returncode}",
                    returncode=p.returncode, argv=argv, stderr=p.stderr)
    if p.returncode not in (0, 1):
        message = message or _file_errors(p.stdout)
        raise Error(message or f"cudafit {command} failed (exit status {p.returncode})",
                    returncode=p.returncode, argv=argv, stderr=p.stderr)
    try:
        document = json.loads(p.stdout)
    except ValueError:
        first = p.stdout.strip().splitlines()[:1]
        raise Error(f"cudafit {command} --json printed no JSON document"
                    + (f": {first[0]!r}" if first else "") + (f" ({message})" if message else ""),
                    returncode=p.returncode, argv=argv, stderr=p.stderr) from None
    if not isinstance(document, dict):
        raise Error(f"cudafit {command} --json printed a {type(document).__name__}, not an object",
                    returncode=p.returncode, argv=argv, stderr=p.stderr)
    return document


def exec_binary(args: Sequence[str]) -> None:
    """Replaces this process with the binary (`python -m cudafit ...`): same output, same exit
    status, no Python left running."""
    try:
        binary = find_binary()
    except Error as e:
        print(f"cudafit: error: {e}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(binary, [binary, *args])
