"""Running the bench's children: one after the other (each timing itself), or both at once in
lockstep through the step gate (gate.py), the bench timing every step of both."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO

from common import ROOT
from gate import ENV


def _fail(cmd: list[str], err: IO[str], code: int | None) -> SystemExit:
    err.seek(0)
    sys.stderr.write(err.read()[-4000:])
    return SystemExit(f"bench: {os.path.basename(cmd[1])} failed (exit {code})")


def run_child(cmd: list[str]) -> tuple[str, float]:
    """Runs a child to the end; returns its stdout and its own peak RSS in GiB (wait4's rusage)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise _fail(cmd, err, code)
        out.seek(0)
        return out.read(), usage.ru_maxrss / 2**20


@dataclass
class _Gated:
    cmd: list[str]
    out: IO[str]
    err: IO[str]
    proc: subprocess.Popen
    go_fd: int  # the bench writes "go" here
    arrived_fd: int  # the child writes "arrived" here
    seconds: list[float] = field(default_factory=list)

    def arrive(self) -> None:
        if os.read(self.arrived_fd, 1) != b".":
            self.proc.wait()
            raise _fail(self.cmd, self.err, self.proc.returncode)


def _start(cmd: list[str]) -> _Gated:
    child_read, go = os.pipe()
    arrived, child_write = os.pipe()
    out = tempfile.TemporaryFile("w+")
    err = tempfile.TemporaryFile("w+")
    env = dict(os.environ, **{ENV: f"{child_read},{child_write}"})
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT, env=env,
                            pass_fds=(child_read, child_write))
    os.close(child_read)
    os.close(child_write)
    return _Gated(cmd, out, err, proc, go, arrived)


def lockstep(cmds: list[list[str]], steps: int) -> list[tuple[str, float, list[float]]]:
    """Starts the children together (their set-up overlaps, untimed), then runs their steps in turn,
    the order alternating each step, so that every pair of steps sees nearly the same machine.
    Returns, per child: its stdout, its peak RSS in GiB and the seconds of each of its steps (from
    the bench's go to the child's next arrival: the step and the fetch of the next batch)."""
    children = [_start(cmd) for cmd in cmds]
    try:
        for child in children:
            child.arrive()
        for step in range(steps):
            for child in children if step % 2 == 0 else children[::-1]:
                t0 = time.perf_counter()
                os.write(child.go_fd, b".")
                child.arrive()
                child.seconds.append(time.perf_counter() - t0)
        results = []
        for child in children:
            _, status, usage = os.wait4(child.proc.pid, 0)
            child.proc.returncode = os.waitstatus_to_exitcode(status)
            if child.proc.returncode != 0:
                raise _fail(child.cmd, child.err, child.proc.returncode)
            child.out.seek(0)
            results.append((child.out.read(), usage.ru_maxrss / 2**20, child.seconds))
        return results
    finally:
        for child in children:
            if child.proc.poll() is None:
                child.proc.kill()
                child.proc.wait()
            for fd in (child.go_fd, child.arrived_fd):
                os.close(fd)
            child.out.close()
            child.err.close()
