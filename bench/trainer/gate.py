"""The bench's step gate: lets bench.py run the two trainers' steps in turn (one plain step, one
project step, ...), so that both sides see the same load of a shared machine, step by step.

A gated child gets two pipe descriptors in SPRINT_BENCH_GATE ("READ_FD,WRITE_FD"). Before each step
it writes one byte (arrived) and blocks until the bench writes one byte back (go); after its last
step it writes one more byte. The bench times each step from its "go" to the next "arrived", and
only one child computes at a time. Without the variable the gate does nothing."""

from __future__ import annotations

import os

ENV = "SPRINT_BENCH_GATE"


class Gate:
    def __init__(self) -> None:
        spec = os.environ.get(ENV)
        self.fds = tuple(int(fd) for fd in spec.split(",")) if spec else None

    def wait(self) -> None:
        """Arrived at the start of a step: tell the bench, then wait for its go."""
        if self.fds is None:
            return
        read_fd, write_fd = self.fds
        os.write(write_fd, b".")
        if os.read(read_fd, 1) != b".":
            raise SystemExit("bench gate: the bench closed the gate")

    def finish(self) -> None:
        """The last step is over."""
        if self.fds is not None:
            os.write(self.fds[1], b".")
