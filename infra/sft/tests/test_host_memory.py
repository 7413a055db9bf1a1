"""keep_freed_host_memory: a CPU step's pattern (many activation-sized tensors allocated, then all
freed) is faulted in again every step when malloc hands freed memory back, and kept in the process
with the settings. Each case runs in a fresh process: the settings are process-wide."""

import os
import subprocess
import sys

import pytest

SFT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# 20 tensors of 4 MiB (80 MiB, like a small model's activations), all freed, 10 times over; prints
# the minor page faults of those 10 cycles (after 2 warm-up cycles).
STEPS = """
import ctypes, resource, sys
sys.path.insert(0, sys.argv[1])
import torch
from sprint_sft.host_memory import keep_freed_host_memory
mode = sys.argv[2]
if mode in ("returning", "returning-then-keep"):
    # glibc's starting mmap threshold (128 KiB), fixed so its adaptive rule cannot raise it: every
    # 4 MiB tensor is mapped on allocation and unmapped on free, the memory going back each cycle.
    assert ctypes.CDLL(None).mallopt(-3, 128 * 1024) == 1
if mode in ("keep", "returning-then-keep"):
    assert keep_freed_host_memory(), "settings not applied"
def cycle():
    activations = [torch.ones(2**20) for _ in range(20)]
    loss = torch.ones(1000)
    del activations
    return loss
cycle(); cycle()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    loss = cycle()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str, env: dict | None = None) -> int:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", STEPS, SFT, mode], capture_output=True, text=True, check=True, timeout=120,
        env={**clean, **(env or {})},
    )
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc settings")
def test_freed_step_memory_is_kept_instead_of_faulted_in_again():
    # 10 cycles x 80 MiB is 204,800 faults of 4 KiB pages when the memory goes back every cycle.
    # How much glibc's adaptive defaults give back varies with the machine and the PyTorch build
    # (measured: from 2,048 to over 100,000 faults), so the defaults are no yardstick. The
    # yardstick is a process that gives everything back (the control shows the count sees it), and
    # the settings must turn that same process into one that keeps its memory.
    returned_every_cycle = 10 * 80 * 2**20 // 4096
    returning = page_faults("returning")
    assert returning > returned_every_cycle / 2, f"control: {returning} page faults, memory not returned"
    kept_after_returning = page_faults("returning-then-keep")
    kept = page_faults("keep")
    assert kept_after_returning < returned_every_cycle / 20, f"{kept_after_returning} page faults with the settings"
    assert kept < returned_every_cycle / 20, f"{kept} page faults with the settings"


def test_settings_from_the_environment_take_precedence():
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from sprint_sft.host_memory import keep_freed_host_memory; print(keep_freed_host_memory())"
    )
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "1048576"}
    out = subprocess.run([sys.executable, "-c", script, SFT], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"
