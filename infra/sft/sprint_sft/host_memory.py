"""Keeping freed host memory in the process for CPU training (glibc malloc settings).

On a CPU, every step's activations, logits and gradients are allocated and freed in host memory.
With glibc's adaptive defaults the process may hand the freed memory back to the kernel after each
step and fault it in again on the next one. How much it gives back depends on the glibc and PyTorch
builds: on the trainer bench's CPU shape (bench/trainer) one machine measured about 4,300 minor page
faults and 20 ms of kernel time per step, against about 5 faults per step with the settings; a later
measurement (2026-11-30, 2 cores, the pinned PyTorch) found about 500 faults per step fewer with the
settings and no tokens/s difference beyond the bench's noise. Fixing the mmap threshold (32 MiB,
glibc's own adaptive ceiling) and the trim threshold (256 MiB) keeps the memory for the next step
whichever build runs. GPU runs keep the defaults: their activations live on the device.

The same settings as environment variables (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_) take
precedence: when either is set, nothing is changed here."""

from __future__ import annotations

import ctypes
import os
import sys

# mallopt parameter numbers from glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 2**20
TRIM_THRESHOLD_BYTES = 256 * 2**20
ENV_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def keep_freed_host_memory() -> bool:
    """Sets the two thresholds when running on glibc and the user set neither; True when set."""
    if not sys.platform.startswith("linux") or any(name in os.environ for name in ENV_SETTINGS):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success.
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1
