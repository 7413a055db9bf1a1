#!/usr/bin/env python3
"""Trainer bench: tokens/s and peak memory of the project's trainer (infra/sft/train.py, the real
code path: recipe, TRL SFTTrainer, padding-free batches, events) and of a plain PyTorch loop
(plain_loop.py) on the same model shape, data, batches, optimizer and precision, in one run; prints
both and the ratio. Tokens/s is steady state: the first --warmup steps of each run (and the last,
which holds the trainer's final checkpoint save) are left out, and a side's tokens/s is the median
over its steps. Two ways to share out the machine's load fairly:
  --interleave step (default): both sides start together and run their steps in turn, one plain
      step, one project step, ... (the order alternating), gated by the bench (gate.py); every pair
      of steps sees nearly the same load of a shared machine. --rounds repeats it.
  --interleave run: the sides run one after the other, --rounds times, the order alternating; the
      GPU check uses it (one side's memory at a time on the card).

  .venv/bin/python bench/trainer/bench.py                          # CPU: tiny shape, one thread per side
  .venv/bin/python bench/trainer/bench.py --interleave run --threads 0 --shape 7b-2layer --seq 4096 --bf16 \
      --optim adamw_torch_fused
  .venv/bin/python bench/trainer/bench.py --interleave run --threads 0 --shape 7b --seq 7168 --bf16 \
      --gradient-checkpointing --optim adafactor
(infra/sft/gpu_check.sh runs the GPU set.) Peak memory is the GPU's peak allocation on a GPU and
the process's peak RSS on the CPU.
Writes bench/results/trainer.json (trainer.gpu-<shape>.json on a GPU; bench/trainer/results.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import SHAPES, prepare  # noqa: E402
from results import BenchRecord  # noqa: E402
from runner import lockstep, run_child  # noqa: E402
from sides import (  # noqa: E402
    plain_command,
    plain_result,
    project_command,
    project_result,
    run_dir_with_tokenizer,
)


def rate(steps: list) -> float:
    """Median tokens/s over steps of (tokens, seconds): a step slowed by another job's burst moves
    it far less than it moves a whole-window average."""
    return statistics.median(n / s for n, s in steps)


def side(runs: list[dict]) -> dict:
    """One side's result over all rounds: the median over every steady step, the largest peak."""
    return {
        "tokens_per_s": rate([st for r in runs for st in r["steps"]]),
        "peak_gib": max(r["peak_gib"] for r in runs),
        "peak_kind": runs[0]["peak_kind"],
        "loss": runs[-1]["loss"],
        "steps_measured": sum(len(r["steps"]) for r in runs),
    }


def steady(a, tokens: list[int], seconds: list[float]) -> list[tuple[int, float]]:
    """Steps warmup+1 .. steps-1 (1-based): the warm-up and the last step (the final save) left out."""
    if len(tokens) != a.steps or len(seconds) != a.steps:
        raise SystemExit(f"bench: expected {a.steps} steps, got {len(tokens)} token counts and {len(seconds)} times")
    return list(zip(tokens, seconds))[a.warmup : a.steps - 1]


def interleaved_round(a, data: str, init: str, run: str) -> tuple[dict, dict]:
    """Both sides in lockstep; step times are the bench's, token counts the children's."""
    (plain_out, plain_rss, plain_s), (project_out, project_rss, project_s) = lockstep(
        [plain_command(a, data, init), project_command(a, data, run)], a.steps
    )
    plain, project = plain_result(plain_out, plain_rss), project_result(a, project_out, project_rss)
    plain["steps"] = steady(a, plain["tokens_per_step"], plain_s)
    project["steps"] = steady(a, project["tokens_per_step"], project_s)
    return plain, project


def sequential_round(a, data: str, init: str, run: str, plain_first: bool) -> tuple[dict, dict]:
    """The sides one after the other, each timing its own steps."""
    results: dict[str, dict] = {}
    for which in ("plain", "project") if plain_first else ("project", "plain"):
        if which == "plain":
            results["plain"] = plain_result(*run_child(plain_command(a, data, init)))
        else:
            results["project"] = project_result(a, *run_child(project_command(a, data, run)))
    # The last step holds the trainer's final checkpoint save: left out of both sides.
    results["plain"]["steps"] = results["plain"]["steps"][:-1]
    results["project"]["steps"] = results["project"]["steps"][:-1]
    return results["plain"], results["project"]


def figures(result: dict) -> dict:
    """The result file's figures: the ratio and its spread, and one row per side."""
    sides = [
        {"side": name, "tokens/s": r["tokens_per_s"], f"peak {r['peak_kind']} GiB": r["peak_gib"],
         "last loss": r["loss"], "steady steps": r["steps_measured"]}
        for name, r in (("project trainer", result["project"]), ("plain PyTorch loop", result["plain"]))
    ]
    low, mid, high = result["ratio_step_quartiles"]
    return {
        "ratio project/plain tokens/s": result["ratio_tokens_per_s"],
        "step ratio lower quartile": low,
        "step ratio median": mid,
        "step ratio upper quartile": high,
        "sides": sides,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", choices=SHAPES, default="tiny")
    p.add_argument("--seq", type=int, default=512, help="tokens per sample")
    p.add_argument("--batch", type=int, default=2, help="samples per step (one padding-free row)")
    p.add_argument("--steps", type=int, default=24, help="steps per run")
    p.add_argument("--warmup", type=int, default=4, help="first steps of each run left out of tokens/s")
    p.add_argument("--rounds", type=int, default=1, help="runs of each side")
    p.add_argument("--interleave", choices=["step", "run"], default="step", help="how the sides share the machine")
    p.add_argument("--optim", default="adamw_torch", choices=["adamw_torch", "adamw_torch_fused", "adafactor"])
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--max-grad-norm", type=float, default=1.0, help="gradient clipping of both sides (0: none)")
    p.add_argument("--logging-steps", type=int, default=1,
                   help="the trainer's log interval (--interleave run: its timing points; step needs 1)")
    p.add_argument("--profile", default="cpu", help="the project trainer's recipe (flags above override it)")
    # One thread per side by default: on a shared 2-core machine two OpenMP threads per process spin
    # against the other jobs, and step times then swing by 2-25x (one thread: a few tens of percent).
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads of each side (OMP_NUM_THREADS; 0: torch's default, one per core)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line only")
    a = p.parse_args()
    if a.warmup < 1 or a.warmup + 2 * a.logging_steps + 1 > a.steps:
        raise SystemExit("bench: need 1 <= --warmup and --warmup + 2 x --logging-steps + 1 <= --steps")
    if a.rounds < 1:
        raise SystemExit("bench: need --rounds >= 1")
    if a.interleave == "step" and a.logging_steps != 1:
        raise SystemExit("bench: --interleave step counts each step's tokens from the logs: --logging-steps 1")

    settings = {
        "shape": a.shape, "seq": a.seq, "batch": a.batch, "steps": a.steps, "warmup": a.warmup, "rounds": a.rounds,
        "interleave": a.interleave, "optim": a.optim, "bf16": a.bf16,
        "gradient checkpointing": a.gradient_checkpointing, "max grad norm": a.max_grad_norm,
        "logging steps": a.logging_steps, "threads": a.threads or None, "profile": a.profile,
    }
    record = BenchRecord("trainer", settings)
    if a.threads > 0:
        # Inherited by both children; the same for both sides.
        os.environ["OMP_NUM_THREADS"] = str(a.threads)
    project_runs: list[dict] = []
    plain_runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="sprint-bench-trainer-") as tmp:
        data, init = prepare(tmp, a.seq, n=a.batch * a.steps)
        for r in range(a.rounds):
            run = run_dir_with_tokenizer(init, os.path.join(tmp, f"run-{r}"))
            if a.interleave == "step":
                plain, project = interleaved_round(a, data, init, run)
            else:
                # Alternating the order cancels a load that rises or falls steadily across the rounds.
                plain, project = sequential_round(a, data, init, run, plain_first=r % 2 == 0)
            plain_runs.append(plain)
            project_runs.append(project)
    project, plain = side(project_runs), side(plain_runs)
    per_round = [rate(pr["steps"]) / rate(pl["steps"]) for pr, pl in zip(project_runs, plain_runs)]
    # The spread of the step-by-step ratios (steps paired by index: in lockstep, neighbours in time)
    # shows how much noise the medians had to see through.
    paired = [
        (n1 / s1) / (n2 / s2)
        for pr, pl in zip(project_runs, plain_runs)
        for (n1, s1), (n2, s2) in zip(pr["steps"], pl["steps"])
    ]
    quartiles = statistics.quantiles(paired, n=4) if len(paired) >= 2 else [paired[0]] * 3
    result = {
        "shape": a.shape, "seq": a.seq, "batch": a.batch, "steps": a.steps, "warmup": a.warmup,
        "rounds": a.rounds, "interleave": a.interleave, "optim": a.optim, "bf16": a.bf16,
        "gradient_checkpointing": a.gradient_checkpointing, "max_grad_norm": a.max_grad_norm,
        "logging_steps": a.logging_steps, "threads": a.threads or None, "project": project, "plain": plain,
        "ratio_tokens_per_s": project["tokens_per_s"] / plain["tokens_per_s"],
        "ratio_per_round": per_round,
        "ratio_step_quartiles": quartiles,
    }
    record.variant = f"gpu-{a.shape}" if project["peak_kind"] == "gpu" else None
    record.finish(figures(result))
    if a.json:
        print(json.dumps(result))
        return
    print(f"trainer bench: shape {a.shape}, {a.seq} tokens/sample, {a.batch} samples/step, {a.optim}, "
          f"{'bf16' if a.bf16 else 'fp32'}{', gradient checkpointing' if a.gradient_checkpointing else ''}, "
          f"clip {a.max_grad_norm}; {a.rounds} round(s) interleaved by {a.interleave}, "
          f"{project['steps_measured']} steady steps per side")
    for name, r in (("project trainer", project), ("plain PyTorch loop", plain)):
        print(f"  {name:<19} {r['tokens_per_s']:>10.1f} tokens/s   peak {r['peak_kind']} {r['peak_gib']:.2f} GiB   last loss {r['loss']:.3f}")
    print(f"  ratio (project / plain): {result['ratio_tokens_per_s']:.3f}   per round: "
          + " ".join(f"{x:.3f}" for x in per_round)
          + "   step by step: quartiles " + " / ".join(f"{x:.3f}" for x in quartiles))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
