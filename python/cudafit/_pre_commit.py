"""The pre-commit hook `cudafit-check` (.pre-commit-hooks.yaml): `cudafit check` on the changed
requirements*.txt, pyproject.toml and Dockerfiles, for the target machine the hook's `args`
name (`[--driver, 535.104.05, --gpu, sm_80]`). It never reads the committer's machine
(--no-detect): what the args leave out is assumed, and the output says so.

pre-commit puts the file names right after the args, and `cudafit check`'s --gpu takes every
word up to the next option: the --gpu pairs go first, closed by --no-detect, so a file name is
never read as a GPU."""
import sys
from typing import List, Sequence

from ._binary import exec_binary


def check_argv(args: Sequence[str]) -> List[str]:
    gpus: List[str] = []
    rest: List[str] = []
    i = 0
    while i < len(args):
        if args[i] == "--gpu" and i + 1 < len(args):
            gpus += ["--gpu", args[i + 1]]
            i += 2
            continue
        if args[i].startswith("--gpu="):
            gpus.append(args[i])
        elif args[i] != "--no-detect":
            rest.append(args[i])
        i += 1
    return ["check", *gpus, "--no-detect", *rest]


if __name__ == "__main__":
    exec_binary(check_argv(sys.argv[1:]))
