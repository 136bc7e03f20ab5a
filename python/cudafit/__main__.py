"""`python -m cudafit ...` is the `cudafit` binary: same arguments, output and exit status."""
import sys

from ._binary import exec_binary

if __name__ == "__main__":
    exec_binary(sys.argv[1:])
