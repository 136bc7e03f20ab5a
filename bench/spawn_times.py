#!/usr/bin/env python3
"""Whole-process times of one command, for the bench scripts where hyperfine is not installed
(`bash scripts/deps.sh --bench` installs it).

Each run is posix_spawn + waitpid with no shell, output to /dev/null, timed with
perf_counter_ns around both: what the command costs, plus one spawn from Python (about as much
as hyperfine -N adds). A date loop in bash also counts a fork of `date` and of the subshell, a
millisecond on a small VM, which is as much as a fast command itself.

  bench/spawn_times.py RUNS [--warmup N] [--remove FILE] -- COMMAND [ARG...]
(--remove deletes FILE before each run, untimed: a cache made cold, like hyperfine --prepare)
prints "mean median best" in microseconds on one line; exit 2 when the command cannot start.
"""
import argparse
import os
import shutil
import statistics
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=int)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--remove", help="a file deleted before each run, untimed")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:split])
    command = argv[split + 1:]
    if args.runs < 1 or not command:
        ap.error("give a number of runs and a command")
    path = command[0] if "/" in command[0] else shutil.which(command[0])
    if path is None or not os.access(path, os.X_OK):
        print(f"spawn_times: cannot run {command[0]}", file=sys.stderr)
        return 2
    null = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
               (os.POSIX_SPAWN_DUP2, null, 2)]
    env = dict(os.environ)
    times = []
    for i in range(args.warmup + args.runs):
        if args.remove:
            try:
                os.unlink(args.remove)
            except FileNotFoundError:
                pass
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(path, command, env, file_actions=actions)
        os.waitpid(pid, 0)
        t = time.perf_counter_ns() - t0
        if i >= args.warmup:
            times.append(t / 1000)
    print(f"{statistics.mean(times):.0f} {statistics.median(times):.0f} {min(times):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
