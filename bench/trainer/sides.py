"""The bench's two sides as child processes: their command lines and what their output says.

  project: the project's trainer, infra/sft/train.py as users run it (through gated_train.py, which
           only adds the bench's step gate); only the log interval is the bench's (every step by
           default: the log events carry the cumulative tokens and seconds of each step).
  plain:   plain_loop.py on the same records, batches, optimizer, precision, checkpointing and
           gradient clipping.

A run's result: `steps`, the (tokens, seconds) of each steady step (after --warmup), plus
`peak_gib` (the GPU's peak allocation, or the child's own peak RSS on a CPU), `peak_kind`, `loss`."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from common import ROOT, SHAPES

HERE = os.path.dirname(os.path.abspath(__file__))


def project_command(a: Any, data: str, run: str) -> list[str]:
    cmd = [
        sys.executable, os.path.join(HERE, "gated_train.py"),
        "--dataset", data, "--output_dir", run, "--eval_file", "none",
        "--model_config", json.dumps(SHAPES[a.shape]), "--profile", a.profile,
        "--max_length", str(a.seq), "--max_steps", str(a.steps), "--save_steps", "1000000",
        "--per_device_train_batch_size", str(a.batch), "--gradient_accumulation_steps", "1",
        "--optim", a.optim, "--bf16", "true" if a.bf16 else "false",
        "--gradient_checkpointing", "true" if a.gradient_checkpointing else "false",
        "--max_grad_norm", str(a.max_grad_norm),
        "--learning_rate", "1e-5", "--logging_steps", str(a.logging_steps), "--warmup_steps", "0",
    ]
    if a.bf16:
        cmd += ["--dtype", "bfloat16"]
    return cmd


def plain_command(a: Any, data: str, init: str) -> list[str]:
    cmd = [
        sys.executable, os.path.join(HERE, "plain_loop.py"), "--data", data, "--init", init,
        "--shape", a.shape, "--seq", str(a.seq), "--batch", str(a.batch), "--steps", str(a.steps),
        "--warmup", str(a.warmup), "--optim", a.optim, "--max-grad-norm", str(a.max_grad_norm),
    ]
    if a.bf16:
        cmd.append("--bf16")
    if a.gradient_checkpointing:
        cmd.append("--gradient-checkpointing")
    return cmd


def project_result(a: Any, out: str, rss_gib: float) -> dict:
    """Steady steps from the log events: the segments between consecutive logs from step --warmup on
    (one step each at --logging-steps 1), so each one includes the trainer's own per-step work."""
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    logs = [e for e in events if e["event"] == "log" and e["step"] >= a.warmup]
    done = next((e for e in events if e["event"] == "done"), None)
    if done is None or len(logs) < 2:
        raise SystemExit(f"bench: the trainer logged {len(logs)} step(s) after the warm-up and "
                         f"{'a' if done else 'no'} done event; give more --steps")
    steps = [
        (later["tokens"] - earlier["tokens"], later["elapsed_s"] - earlier["elapsed_s"])
        for earlier, later in zip(logs, logs[1:])
    ]
    gpu = done.get("peak_gpu_mem_gb")
    return {
        "steps": steps,
        # Tokens of step k (1-based) at index k - 1: what the lockstep driver pairs with its times.
        "tokens_per_step": step_tokens(events),
        "peak_gib": gpu if gpu is not None else rss_gib,
        "peak_kind": "gpu" if gpu is not None else "rss",
        "loss": logs[-1]["loss"],
    }


def step_tokens(events: list[dict]) -> list[int]:
    tokens, previous = [], 0
    for e in events:
        if e["event"] == "log":
            tokens.append(e["tokens"] - previous)
            previous = e["tokens"]
    return tokens


def plain_result(out: str, rss_gib: float) -> dict:
    result = json.loads(out.strip().splitlines()[-1])
    if result["peak_kind"] == "rss":
        result["peak_gib"] = rss_gib
    return result


def run_dir_with_tokenizer(init: str, run: str) -> str:
    """A fresh output folder per trainer run (an old checkpoint there would be resumed), holding
    the shared tokenizer where train.py looks for it (RUN/init)."""
    import shutil

    shutil.copytree(init, os.path.join(run, "init"))
    return run


__all__ = ["ROOT", "plain_command", "plain_result", "project_command", "project_result", "run_dir_with_tokenizer"]
