#!/usr/bin/env python3
"""Trainer bench: tokens/s and peak memory of the project's trainer (infra/sft/train.py, the real
code path: recipe, TRL SFTTrainer, padding-free batches, events) and of a plain PyTorch loop
(plain_loop.py) on the same model shape, data, batches, optimizer and precision, in one run; prints
both and the ratio. Tokens/s is steady state: the first --warmup steps of each side are left out.

  .venv/bin/python bench/trainer/bench.py                          # CPU: tiny shape
  .venv/bin/python bench/trainer/bench.py --shape 7b-2layer --seq 4096 --bf16 --optim adamw_torch_fused
  .venv/bin/python bench/trainer/bench.py --shape 7b --seq 7168 --bf16 --gradient-checkpointing --optim adafactor
(infra/sft/gpu_check.sh runs the GPU set.) Peak memory is the GPU's peak allocation on a GPU and
the process's peak RSS on the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import ROOT, SHAPES, prepare  # noqa: E402


def run_child(cmd: list[str]) -> tuple[str, float]:
    """Runs a child to the end; returns its stdout and its own peak RSS in GiB (wait4's rusage)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.stderr.write(err.read()[-4000:])
            raise SystemExit(f"bench: {os.path.basename(cmd[1])} failed (exit {proc.returncode})")
        return out.read(), usage.ru_maxrss / 2**20


def project_trainer(a, data: str, run: str) -> dict:
    """The project's trainer as users run it; tokens/s between the warm-up's last log and the end."""
    cmd = [
        sys.executable, os.path.join(ROOT, "infra", "sft", "train.py"),
        "--dataset", data, "--output_dir", run, "--eval_file", "none",
        "--model_config", json.dumps(SHAPES[a.shape]), "--profile", a.profile,
        "--max_length", str(a.seq), "--max_steps", str(a.steps), "--save_steps", "1000000",
        "--per_device_train_batch_size", str(a.batch), "--gradient_accumulation_steps", "1",
        "--optim", a.optim, "--bf16", "true" if a.bf16 else "false",
        "--gradient_checkpointing", "true" if a.gradient_checkpointing else "false",
        "--learning_rate", "1e-5", "--logging_steps", "1", "--warmup_steps", "0",
    ]
    if a.bf16:
        cmd += ["--dtype", "bfloat16"]
    out, rss = run_child(cmd)
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    logs = [e for e in events if e["event"] == "log"]
    done = next(e for e in events if e["event"] == "done")
    first, last = logs[a.warmup - 1], logs[-1]
    tps = (last["tokens"] - first["tokens"]) / (last["elapsed_s"] - first["elapsed_s"])
    gpu = done.get("peak_gpu_mem_gb")
    return {
        "tokens_per_s": tps,
        "peak_gib": gpu if gpu is not None else rss,
        "peak_kind": "gpu" if gpu is not None else "rss",
        "loss": last["loss"],
    }


def plain_loop(a, data: str, init: str) -> dict:
    cmd = [
        sys.executable, os.path.join(HERE, "plain_loop.py"), "--data", data, "--init", init,
        "--shape", a.shape, "--seq", str(a.seq), "--batch", str(a.batch), "--steps", str(a.steps),
        "--warmup", str(a.warmup), "--optim", a.optim,
    ]
    if a.bf16:
        cmd.append("--bf16")
    if a.gradient_checkpointing:
        cmd.append("--gradient-checkpointing")
    out, rss = run_child(cmd)
    result = json.loads(out.strip().splitlines()[-1])
    if result["peak_kind"] == "rss":
        result["peak_gib"] = rss
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", choices=SHAPES, default="tiny")
    p.add_argument("--seq", type=int, default=512, help="tokens per sample")
    p.add_argument("--batch", type=int, default=2, help="samples per step (one padding-free row)")
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--warmup", type=int, default=4, help="first steps left out of tokens/s")
    p.add_argument("--optim", default="adamw_torch", choices=["adamw_torch", "adamw_torch_fused", "adafactor"])
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--profile", default="cpu", help="the project trainer's recipe (flags above override it)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line only")
    a = p.parse_args()
    if a.warmup < 1 or a.warmup >= a.steps:
        raise SystemExit("bench: need 1 <= --warmup < --steps")

    with tempfile.TemporaryDirectory(prefix="sprint-bench-trainer-") as tmp:
        data, init = prepare(tmp, a.seq, n=a.batch * a.steps)
        plain = plain_loop(a, data, init)
        project = project_trainer(a, data, os.path.join(tmp, "run"))
    result = {
        "shape": a.shape, "seq": a.seq, "batch": a.batch, "steps": a.steps, "warmup": a.warmup,
        "optim": a.optim, "bf16": a.bf16, "gradient_checkpointing": a.gradient_checkpointing,
        "project": project, "plain": plain,
        "ratio_tokens_per_s": project["tokens_per_s"] / plain["tokens_per_s"],
    }
    if a.json:
        print(json.dumps(result))
        return
    print(f"trainer bench: shape {a.shape}, {a.seq} tokens/sample, {a.batch} samples/step, {a.optim}, "
          f"{'bf16' if a.bf16 else 'fp32'}{', gradient checkpointing' if a.gradient_checkpointing else ''}")
    for name, r in (("project trainer", project), ("plain PyTorch loop", plain)):
        print(f"  {name:<19} {r['tokens_per_s']:>10.1f} tokens/s   peak {r['peak_kind']} {r['peak_gib']:.2f} GiB   last loss {r['loss']:.3f}")
    print(f"  ratio (project / plain): {result['ratio_tokens_per_s']:.3f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
