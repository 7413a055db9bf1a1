#!/usr/bin/env python3
"""A quick probe of the offline demo's learning, outside the stack: trains with train.py (the demo's
code path: tiny Qwen2 from a config, the run's own tokenizer) on the demo's curated data, then
decodes greedily the whole completion for held-in (training) and held-out (evaluation) problems and
reports how many copy the question's numbers and how many box a correct equation. Also reports the
loss on the completion's digit tokens against the rest, the part a model that only learned the
format gets wrong.

  npx tsx bench/demo-data.ts /tmp/demo-data          # train.jsonl + eval.jsonl (the demo's problems)
  .venv/bin/python infra/sft/demo_probe.py --data /tmp/demo-data --out /tmp/probe1 -- \\
      --model_config '{"hidden_size":128,...}' --max_steps 300 --learning_rate 2e-3 ...

One sequence per problem (no planner/executor split): an upper bound of what a SPRINT session of the
same model writes, for choosing settings in minutes; the demo's own numbers come from the sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def equation_ok(expr: str, nums: list[int], target: int) -> bool:
    """The Countdown rule: each given number exactly once, + - * / and parentheses, equals the target."""
    if not re.fullmatch(r"[\d\s+\-*/()]+", expr):
        return False
    used = sorted(int(n) for n in re.findall(r"\d+", expr))
    if used != sorted(nums):
        return False
    try:
        # Exact arithmetic on a checked expression (digits, operators and parentheses only).
        value = eval(re.sub(r"(\d+)", r"Fraction(\1)", expr), {"Fraction": Fraction, "__builtins__": {}})
    except (ZeroDivisionError, SyntaxError):
        return False
    return value == target


def score(texts: list[str], problems: list[dict]) -> dict:
    copied = correct = boxed = 0
    for text, p in zip(texts, problems):
        nums, target = p["nums"], p["target"]
        if f"Use {', '.join(map(str, nums))} to make {target}." in text:
            copied += 1
        m = re.search(r"\\boxed\{([^}]*)\}", text)
        if m:
            boxed += 1
            correct += equation_ok(m.group(1), nums, target)
    return {"n": len(problems), "copied": copied, "boxed": boxed, "correct": correct}


def generate(model, tokenizer, prompts: list[str], max_new_tokens: int) -> list[str]:
    import torch

    tokenizer.padding_side = "left"
    out: list[str] = []
    for i in range(0, len(prompts), 16):
        batch = tokenizer([p + "<think>\n" for p in prompts[i : i + 16]], return_tensors="pt", padding=True)
        with torch.no_grad():
            ids = model.generate(
                **batch, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id,
                use_cache=True,  # the saved training config turns the cache off
            )
        out += tokenizer.batch_decode(ids[:, batch["input_ids"].shape[1] :], skip_special_tokens=True)
    return out


def digit_loss(model, tokenizer, records: list[dict]) -> dict:
    """Mean loss on the completion's digit tokens and on its other tokens, encoded as the trainer does."""
    import torch

    sys.path.insert(0, HERE)
    from sprint_sft.data import DatasetStats, encode_record

    sums = {"digit": [0.0, 0], "other": [0.0, 0]}
    for r in records:
        ex = encode_record(tokenizer, r["prompt"], r["completion"], 4096, "{prompt}", DatasetStats())
        ids = torch.tensor([ex.input_ids])
        with torch.no_grad():
            logits = model(ids).logits[0, :-1]
        losses = torch.nn.functional.cross_entropy(logits, ids[0, 1:], reduction="none").tolist()
        for label, loss in zip(ex.labels[1:], losses):
            if label < 0:
                continue
            key = "digit" if tokenizer.decode([label]).strip().isdigit() else "other"
            sums[key][0] += loss
            sums[key][1] += 1
    n = sums["digit"][1] + sums["other"][1]
    return {k: round(s / max(c, 1), 3) for k, (s, c) in sums.items()} | {"digit_share": round(sums["digit"][1] / max(1, n), 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder with train.jsonl and eval.jsonl (bench/demo-data.ts)")
    ap.add_argument("--out", required=True, help="run folder")
    ap.add_argument("--held_in", type=int, default=24, help="training problems decoded")
    ap.add_argument("--max_new_tokens", type=int, default=260)
    ap.add_argument("--with_init", action="store_true", help="also score the untrained weights")
    ap.add_argument("--skip_train", action="store_true", help="score the model already in OUT/final")
    ap.add_argument("trainer_args", nargs="*", help="after --: train.py flags")
    args = ap.parse_args()
    train_file = os.path.join(args.data, "train.jsonl")
    train = read_jsonl(train_file)
    held_out = read_jsonl(os.path.join(args.data, "eval.jsonl"))
    t0 = time.time()
    if not args.skip_train:
        cmd = [sys.executable, os.path.join(HERE, "train.py"), "--train_file", train_file, "--eval_file", "none",
               "--output_dir", args.out, "--profile", "cpu", "--no_resume", "--report_to", "none",
               "--save_strategy", "no", "--eval_strategy", "no", "--load_best_model_at_end", "false", *args.trainer_args]
        with open(os.path.join(args.out + ".log"), "w") as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        if rc != 0:
            print(f"train.py failed ({rc}); see {args.out}.log", file=sys.stderr)
            return rc
    train_s = time.time() - t0

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    result: dict = {"train_s": round(train_s, 1)}
    for name in ("init", "final") if args.with_init else ("final",):
        folder = os.path.join(args.out, name)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder).eval()
        inn = train[: args.held_in]
        texts_in = generate(model, tokenizer, [r["prompt"] for r in inn], args.max_new_tokens)
        texts_out = generate(model, tokenizer, [r["prompt"] for r in held_out], args.max_new_tokens)
        result[name] = {"held_in": score(texts_in, inn), "held_out": score(texts_out, held_out),
                        "loss": digit_loss(model, tokenizer, train[:16])}
        if name == "final":
            result["sample"] = texts_out[0][:400]
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
