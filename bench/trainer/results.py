"""The trainer bench's result file: the same shape bench/results.ts writes for the TypeScript benches
(bench/result-shape.ts), so scripts/render-benchmarks.ts renders it beside them.

    record = BenchRecord("trainer", {"shape": "tiny", ...})
    ... run ...
    record.finish({"ratio project/plain": 0.97, "sides": [{...}, {...}]})

The load of the machine is sampled while the bench runs; BENCH_RESULTS_DIR names another folder."""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RESULTS_DIR = os.path.join(os.path.dirname(HERE), "results")
LOAD_SAMPLE_S = 5.0


def results_dir() -> str:
    return os.path.abspath(os.environ["BENCH_RESULTS_DIR"]) if os.environ.get("BENCH_RESULTS_DIR") else DEFAULT_RESULTS_DIR


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return 0.0


def machine() -> dict:
    runtime = f"python {platform.python_version()}"
    torch = sys.modules.get("torch")
    if torch is not None:
        runtime += f", torch {torch.__version__}"
    return {
        "cpus": os.cpu_count() or 1,
        "model": _cpu_model(),
        "memoryGiB": _memory_gib(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "runtime": runtime,
    }


def git_commit() -> str | None:
    """The commit the bench runs from, "+dirty" when tracked files (results aside) changed; None outside git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        # Result files written by an earlier bench of the same batch do not make the code dirty.
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ":(top,exclude)bench/results")
        return f"{commit}+dirty" if changed else commit
    except (OSError, subprocess.CalledProcessError):
        return None


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all cores from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", encoding="utf-8") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


class _LoadSampler:
    """The 1-minute load average every few seconds, on a daemon thread that never holds the bench open."""

    def __init__(self) -> None:
        self.before = os.getloadavg()
        self.times = _cpu_times()
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(LOAD_SAMPLE_S):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        after = os.getloadavg()
        samples = [self.before[0], *self.samples, after[0]]
        times = _cpu_times()
        busy = None
        if self.times and times and times[1] > self.times[1]:
            busy = round((times[0] - self.times[0]) / (times[1] - self.times[1]), 2)
        return {
            "loadAvgBefore": [round(x, 2) for x in self.before],
            "loadAvgAfter": [round(x, 2) for x in after],
            "loadAvg1mMean": round(sum(samples) / len(samples), 2),
            "loadAvg1mMax": round(max(samples), 2),
            "samples": len(samples),
            "cpuBusyShare": busy,
        }


def _finite(value):
    """NaN and infinities as null: JSON has no such numbers (json.dumps would write NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class BenchRecord:
    """Starts recording a run of `bench` with its settings; `finish` writes the result file."""

    def __init__(self, bench: str, settings: dict, variant: str | None = None) -> None:
        self.bench, self.settings, self.variant = bench, settings, variant
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.commit = git_commit()
        self.t0 = time.monotonic()
        self.sampler = _LoadSampler()

    def finish(self, figures: dict) -> str:
        result = {
            "bench": self.bench,
            **({"variant": self.variant} if self.variant else {}),
            "date": self.started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "durationS": round(time.monotonic() - self.t0, 2),
            "commit": self.commit,
            "machine": machine(),
            "load": self.sampler.stop(),
            "settings": _finite(self.settings),
            "figures": _finite(figures),
        }
        folder = results_dir()
        os.makedirs(folder, exist_ok=True)
        name = f"{self.bench}.{self.variant}" if self.variant else self.bench
        path = os.path.join(folder, f"{name}.json")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(result, indent=2, allow_nan=False) + "\n")
        print(f"results written to {os.path.relpath(path)}", file=sys.stderr)
        return path
